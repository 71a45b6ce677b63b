//===- net-run.cpp - Run and measure a model compiled by netc -------------===//
//
// A thin layer over libnetrt: reads the inputs (.npy or random), validates
// everything, runs forward (and loss / backward), and only then writes the
// results, so that a failure leaves no output file behind.
//
//===----------------------------------------------------------------------===//

#include <cmath>
#include "Options.h"
#include "Printer.h"
#include "Random.h"

#include "netrt.h"
#include "netrt/Npy.h"

#include <algorithm>
#include <sys/resource.h>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <sys/stat.h>
#include <vector>

using namespace netrun;

namespace {

[[noreturn]] void fatal(const std::string &msg) {
  fprintf(stderr, "net-run: error: %s\n", msg.c_str());
  exit(1);
}

struct HandleCloser {
  void operator()(netrt_handle *h) const { netrt_close(h); }
};
using Handle = std::unique_ptr<netrt_handle, HandleCloser>;

/// A tensor together with the memory it points to.
struct Buffer {
  netrt_tensor t{};
  std::vector<char> bytes;

  void allocate() {
    bytes.assign(size_t(std::max<int64_t>(netrt_numel(&t), 1)) * 4, 0);
    t.data = bytes.data();
  }
};

/// The results of one entry point, and where they go.
struct Run {
  Run(const char *which, std::string subdir)
      : which(which), subdir(std::move(subdir)) {}

  const char *which;
  std::string subdir; // "" or "grad"
  const netrt_tensor_info *infos = nullptr;
  int32_t count = 0;
  std::vector<Buffer> results;
};

std::string typeOf(const netrt_tensor_info &info, int64_t batch) {
  char buf[256];
  netrt_format_type(&info, batch, buf, sizeof buf);
  return buf;
}

std::string typeOf(const netrt_tensor &t) {
  std::vector<int64_t> shape(t.shape, t.shape + t.rank);
  return netrt::formatType(netrt_dtype(t.dtype), shape);
}

/// Reads --input files into `inputs` (indexed like the descriptor).
void readInputs(const Options &opts, const netrt_model_info *info,
                std::vector<Buffer> &inputs, std::vector<bool> &given) {
  for (const auto &[name, path] : opts.inputs) {
    int32_t index = -1;
    for (int32_t i = 0; i < info->num_inputs; ++i)
      if (name == info->inputs[i].name)
        index = i;
    if (index < 0) {
      std::string names;
      for (int32_t i = 0; i < info->num_inputs; ++i)
        names += std::string(i ? ", " : "") + info->inputs[i].name + ": " +
                 typeOf(info->inputs[i], -1);
      fatal("model '" + std::string(info->name) + "' has no input '" + name +
            "' (its inputs: " + (names.empty() ? "none" : names) + ")");
    }
    netrt::NpyArray array;
    std::string err;
    if (!netrt::readNpy(path, array, err))
      fatal(err);
    const netrt_tensor_info &want = info->inputs[index];
    if (array.shape.size() > NETRT_MAX_RANK)
      fatal("input '" + name + "': expected " + typeOf(want, -1) + ", got " +
            netrt::formatType(array.dtype, array.shape) + " from " + path);
    Buffer &b = inputs[index];
    b.t.dtype = array.dtype;
    b.t.rank = int32_t(array.shape.size());
    std::copy(array.shape.begin(), array.shape.end(), b.t.shape);
    b.bytes = std::move(array.data);
    b.bytes.resize(std::max<size_t>(b.bytes.size(), 4)); // never NULL data
    b.t.data = b.bytes.data();
    given[index] = true;
  }
}

/// Fills every input not given with random values of batch `opts.batch` (or
/// the batch the given inputs fix).
void randomInputs(const Options &opts, const netrt_handle *h,
                  std::vector<Buffer> &inputs, std::vector<bool> &given) {
  const netrt_model_info *info = netrt_info(h);
  std::vector<netrt_tensor> args;
  for (Buffer &b : inputs)
    args.push_back(b.t);
  int64_t batch = opts.batch >= 0
                      ? opts.batch
                      : netrt_batch(h, args.data(), int32_t(args.size()));
  for (int32_t i = 0; i < info->num_inputs; ++i) {
    if (given[i])
      continue;
    const netrt_tensor_info &want = info->inputs[i];
    Buffer &b = inputs[i];
    b.t.dtype = want.dtype;
    b.t.rank = want.rank;
    for (int32_t d = 0; d < want.rank; ++d) {
      if (want.shape[d] >= 0) {
        b.t.shape[d] = want.shape[d];
        continue;
      }
      if (batch < 0)
        fatal("input '" + std::string(want.name) + "' is " + typeOf(want, -1) +
              ": --random-inputs needs --batch B");
      b.t.shape[d] = batch;
    }
    b.allocate();
    fillRandom(b.t, opts.seed, i);
    given[i] = true;
  }
}

/// Checks that every input an entry point reads is there and well-shaped.
void checkInputs(const netrt_handle *h, const char *which,
                 const std::vector<netrt_tensor> &args,
                 const std::vector<bool> &given) {
  const netrt_model_info *info = netrt_info(h);
  int64_t batch = netrt_batch(h, args.data(), int32_t(args.size()));
  for (int32_t i = 0; i < info->num_inputs; ++i)
    if (!given[i] && netrt_input_used(h, which, i))
      fatal("missing input '" + std::string(info->inputs[i].name) +
            "': expected " + typeOf(info->inputs[i], batch) +
            " (give --input " + info->inputs[i].name +
            "=FILE.npy, or --random-inputs)");
  char err[1024];
  if (netrt_check_entry_inputs(h, which, args.data(), int32_t(args.size()), err,
                               sizeof err))
    fatal(err);
}

void allocateResults(const netrt_handle *h,
                     const std::vector<netrt_tensor> &args, Run &run) {
  run.infos = netrt_results(h, run.which, &run.count);
  if (!run.infos)
    fatal("model '" + std::string(netrt_info(h)->name) +
          "' does not describe the results of its " + run.which +
          " entry point");
  std::vector<netrt_tensor> shapes(size_t(run.count));
  if (netrt_output_shapes(h, run.which, args.data(), shapes.data()))
    fatal(std::string("cannot infer the shapes of the ") + run.which +
          " results: no input fixes the batch N");
  run.results.resize(size_t(run.count));
  for (int32_t i = 0; i < run.count; ++i) {
    const char *name = run.infos[i].name;
    if (strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
      fatal(std::string("result name '") + name + "' is not a file name");
    run.results[i].t = shapes[i];
    run.results[i].allocate();
  }
}

void runOnce(const netrt_handle *h, const std::vector<netrt_tensor> &args,
             Run &run) {
  std::vector<netrt_tensor> outs;
  for (Buffer &b : run.results)
    outs.push_back(b.t);
  char err[4096];
  if (netrt_run(h, run.which, args.data(), int32_t(args.size()), outs.data(),
                err, sizeof err))
    fatal(err);
}

/// Runs forward `iters` times after 2 warm-up runs and prints the timings.
void bench(const netrt_handle *h, const std::vector<netrt_tensor> &args,
           Run &run, int iters, double openMs) {
  using Clock = std::chrono::steady_clock;
  for (int i = 0; i < 2; ++i)
    runOnce(h, args, run);
  std::vector<double> ms;
  for (int i = 0; i < iters; ++i) {
    auto start = Clock::now();
    runOnce(h, args, run);
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start)
                     .count());
  }
  std::sort(ms.begin(), ms.end());
  size_t n = ms.size();
  double median = n % 2 ? ms[n / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2;
  // The run's peak resident memory: weights, arena and scratch included.
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  int64_t arena = netrt_arena_bytes(h, "forward", netrt_batch(h, args.data(), (int32_t)args.size()));
  printf("median_ms=%.3f min_ms=%.3f iters=%d peak_rss_mb=%.1f", median,
         ms.front(), iters, usage.ru_maxrss / 1024.0);
  if (arena >= 0)
    printf(" arena_mb=%.2f", arena / 1048576.0);
  // Opening includes preparing (and decoding, --compress) the weights.
  int64_t stored = 0, f32 = 0;
  printf(" open_ms=%.1f", openMs);
  if (netrt_weight_bytes(h, &stored, &f32) == 0)
    printf(" weights_mb=%.3f stored_mb=%.3f", f32 / 1048576.0,
           stored / 1048576.0);
  printf("\n");
}

/// mkdir -p.
void makeDirs(const std::string &dir) {
  for (size_t pos = 0; pos != std::string::npos;) {
    pos = dir.find('/', pos + 1);
    std::string prefix = dir.substr(0, pos);
    struct stat st;
    if (stat(prefix.c_str(), &st) == 0) {
      if (!S_ISDIR(st.st_mode))
        fatal("cannot create directory '" + dir + "': '" + prefix +
              "' is not a directory");
      continue;
    }
    if (mkdir(prefix.c_str(), 0777) != 0 && errno != EEXIST)
      fatal("cannot create directory '" + prefix + "': " + strerror(errno));
  }
}

std::string joinPath(const std::string &dir, const std::string &file) {
  if (dir == ".")
    return file;
  return dir.back() == '/' ? dir + file : dir + "/" + file;
}

void writeResults(const Options &opts, const std::vector<Run> &runs,
                  bool list) {
  for (const Run &run : runs) {
    std::string dir = run.subdir.empty() ? opts.outputDir
                                         : joinPath(opts.outputDir, run.subdir);
    makeDirs(dir);
    for (int32_t i = 0; i < run.count; ++i) {
      const netrt_tensor &t = run.results[i].t;
      std::string path = joinPath(dir, std::string(run.infos[i].name) + ".npy");
      std::string err;
      if (!netrt::writeNpy(path, netrt_dtype(t.dtype), t.shape, size_t(t.rank),
                           t.data, err))
        fatal(err);
      if (!list)
        continue;
      printf("%s: %s -> %s\n", run.infos[i].name, typeOf(t).c_str(),
             path.c_str());
      if (opts.print)
        printf("%s\n", formatValues(t).c_str());
    }
  }
}

/// --expect: every result against DIR/<name>.npy; false if one is off.
bool compareResults(const Options &opts, const std::vector<Run> &runs) {
  bool ok = true;
  for (const Run &run : runs) {
    std::string dir = run.subdir.empty() ? opts.expectDir
                                         : joinPath(opts.expectDir, run.subdir);
    for (int32_t i = 0; i < run.count; ++i) {
      const netrt_tensor &t = run.results[i].t;
      const char *name = run.infos[i].name;
      netrt::NpyArray want;
      std::string err;
      if (!netrt::readNpy(joinPath(dir, std::string(name) + ".npy"), want, err))
        fatal(err);
      int64_t n = 1;
      for (int32_t k = 0; k < t.rank; ++k)
        n *= t.shape[k];
      if (want.dtype != t.dtype || want.numel() != n)
        fatal(std::string("--expect: '") + name + "' is " + typeOf(t) +
              " but the expected one is " +
              netrt::formatType(want.dtype, want.shape));
      double diff = 0, scale = 0;
      for (int64_t j = 0; j < n; ++j) {
        double a = t.dtype == NETRT_I32 ? ((const int32_t *)t.data)[j]
                                        : ((const float *)t.data)[j];
        double b = want.dtype == NETRT_I32 ? want.i32()[j] : want.f32()[j];
        diff = std::max(diff, std::fabs(a - b));
        scale = std::max(scale, std::fabs(b));
        if (std::isnan(a) != std::isnan(b))
          diff = INFINITY;
      }
      double rel = scale > 0 ? diff / scale : diff;
      bool good = rel <= opts.tolerance;
      printf("%s: max rel err %.3e %s\n", name, rel,
             good ? "ok" : "ABOVE the tolerance");
      ok = ok && good;
    }
  }
  return ok;
}

} // namespace

int main(int argc, char **argv) {
  Options opts;
  std::string err;
  if (!parseOptions(argc, argv, opts, err))
    fatal(err);
  if (opts.help) {
    printUsage(stdout);
    return 0;
  }

  char msg[4096];
  auto openStart = std::chrono::steady_clock::now();
  Handle h(opts.syntheticWeights >= 0
               ? netrt_open_synthetic(opts.model.c_str(),
                                      uint64_t(opts.syntheticWeights), msg,
                                      sizeof msg)
           : opts.weights.empty()
               ? netrt_open(opts.model.c_str(), msg, sizeof msg)
               : netrt_open_with_weights(opts.model.c_str(), opts.weights.c_str(),
                                         msg, sizeof msg));
  if (!h)
    fatal(msg);
  double openMs = std::chrono::duration<double, std::milli>(
                      std::chrono::steady_clock::now() - openStart)
                      .count();
  const netrt_model_info *info = netrt_info(h.get());
  std::string model = info->name;

  std::vector<Run> runs{{"forward", ""}};
  if (opts.loss) {
    if (!netrt_has_entry(h.get(), "loss"))
      fatal("model '" + model +
            "' has no loss entry point (it was not compiled with --train)");
    runs.push_back({"loss", ""});
  }
  if (opts.grad) {
    if (!netrt_has_entry(h.get(), "backward"))
      fatal("model '" + model +
            "' was not compiled with --train (it has no "
            "backward entry point)");
    runs.push_back({"backward", "grad"});
  }

  std::vector<Buffer> inputs(size_t(info->num_inputs));
  std::vector<bool> given(size_t(info->num_inputs), false);
  readInputs(opts, info, inputs, given);
  if (opts.randomInputs)
    randomInputs(opts, h.get(), inputs, given);
  std::vector<netrt_tensor> args;
  for (Buffer &b : inputs)
    args.push_back(b.t);

  for (Run &run : runs) {
    checkInputs(h.get(), run.which, args, given);
    allocateResults(h.get(), args, run);
  }
  if (opts.threads)
    netrt_set_num_threads(h.get(), opts.threads);

  // runs[0] is forward, which --bench has already run.
  if (opts.benchIters)
    bench(h.get(), args, runs[0], opts.benchIters, openMs);
  for (size_t i = opts.benchIters ? 1 : 0; i < runs.size(); ++i)
    runOnce(h.get(), args, runs[i]);

  // Under --bench stdout holds the timing line only; results are written
  // when an output directory was asked for.
  // Under --expect results are compared, and written only to an output
  // directory asked for.
  if ((!opts.benchIters && opts.expectDir.empty()) || opts.outputDirGiven)
    writeResults(opts, runs, !opts.benchIters && opts.expectDir.empty());
  if (!opts.expectDir.empty() && !compareResults(opts, runs))
    return 1;
  return 0;
}
