//===- Loader.cpp - Opening and running netc model libraries --------------===//
//
// netrt_open dlopens a libNAME.so, checks the ABI version and the sanity of
// its descriptor; netrt_run validates a call and forwards it to the model's
// entry point. Shape checks live in Shapes.cpp.
//
//===----------------------------------------------------------------------===//

#include "Handle.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <dlfcn.h>
#include <memory>
#include <sys/stat.h>
#include <vector>

using namespace netrt;

void netrt::setError(char *err, size_t errSize, const std::string &msg) {
  if (err && errSize)
    snprintf(err, errSize, "%s", msg.c_str());
}

Entry netrt::parseEntry(const char *which) {
  if (!which)
    return Entry::Unknown;
  if (!strcmp(which, "forward"))
    return Entry::Forward;
  if (!strcmp(which, "loss"))
    return Entry::Loss;
  if (!strcmp(which, "backward"))
    return Entry::Backward;
  return Entry::Unknown;
}

//===----------------------------------------------------------------------===//
// Opening
//===----------------------------------------------------------------------===//

static bool checkTensorInfos(const netrt_tensor_info *infos, int32_t count,
                             const char *what, std::string &err) {
  if (count < 0 || (count > 0 && !infos)) {
    err = std::string("bad ") + what + " list";
    return false;
  }
  for (int32_t i = 0; i < count; ++i) {
    const netrt_tensor_info &t = infos[i];
    std::string where = std::string(what) + " #" + std::to_string(i);
    if (!t.name || !*t.name) {
      err = where + " has no name";
      return false;
    }
    where += " ('" + std::string(t.name) + "')";
    if (t.dtype != NETRT_F32 && t.dtype != NETRT_I32) {
      err = where + " has unknown dtype " + std::to_string(t.dtype);
      return false;
    }
    if (t.rank < 0 || t.rank > NETRT_MAX_RANK) {
      err = where + " has rank " + std::to_string(t.rank);
      return false;
    }
    for (int32_t d = 0; d < t.rank; ++d)
      if (t.shape[d] < -1) {
        err = where + " has dim " + std::to_string(t.shape[d]);
        return false;
      }
  }
  return true;
}

static bool checkDescriptor(const netrt_model_info *info, std::string &err) {
  if (!info->name || !*info->name) {
    err = "the model has no name";
    return false;
  }
  if (!info->forward) {
    err = "no forward entry point";
    return false;
  }
  return checkTensorInfos(info->inputs, info->num_inputs, "input", err) &&
         checkTensorInfos(info->outputs, info->num_outputs, "output", err) &&
         checkTensorInfos(info->losses, info->num_losses, "loss", err);
}

static netrt_handle *openImpl(const char *path, std::string &err) {
  if (!path || !*path) {
    err = "no model path given";
    return nullptr;
  }
  struct stat st;
  if (stat(path, &st) != 0) {
    err = std::string("cannot open model '") + path + "': " + strerror(errno);
    return nullptr;
  }
  // dlopen searches the library path for names without a slash.
  std::string file = path;
  if (file.find('/') == std::string::npos)
    file = "./" + file;
  // RTLD_NODELETE: the model's runtime may leave worker threads behind that
  // must not outlive the code they run.
  void *dl = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  if (!dl) {
    const char *msg = dlerror();
    err = std::string("cannot load model '") + path +
          "': " + (msg ? msg : "unknown dlopen error");
    return nullptr;
  }
  auto fail = [&](const std::string &msg) -> netrt_handle * {
    err = msg;
    dlclose(dl);
    return nullptr;
  };
  auto model = reinterpret_cast<netrt_model_fn>(dlsym(dl, NETRT_MODEL_SYMBOL));
  if (!model)
    return fail(std::string("'") + path +
                "' is not a netc model (it does not export " +
                NETRT_MODEL_SYMBOL + ")");
  const netrt_model_info *info = model();
  if (!info)
    return fail(std::string("'") + path + "' returned no model descriptor");
  // Nothing else in the descriptor may be read before the version matches.
  if (info->abi_version != NETRT_ABI_VERSION)
    return fail(std::string("'") + path + "' was built for netrt ABI version " +
                std::to_string(info->abi_version) +
                ", this runtime supports version " +
                std::to_string(NETRT_ABI_VERSION) +
                " (recompile the model with a matching netc)");
  std::string why;
  if (!checkDescriptor(info, why))
    return fail(std::string("'") + path +
                "' has a malformed descriptor: " + why);

  auto h = std::make_unique<netrt_handle>();
  h->dl = dl;
  h->path = path;
  h->info = info;
  if (auto grads =
          reinterpret_cast<netrt_grads_fn>(dlsym(dl, NETRT_GRADS_SYMBOL))) {
    h->grads = grads(&h->numGrads);
    if (!checkTensorInfos(h->grads, h->numGrads, "gradient", why))
      return fail(std::string("'") + path +
                  "' has a malformed gradient descriptor: " + why);
  }
  if (auto mask = reinterpret_cast<netrt_forward_inputs_fn>(
          dlsym(dl, NETRT_FORWARD_INPUTS_SYMBOL))) {
    h->hasForwardMask = true;
    h->forwardMask = mask();
  }
  return h.release();
}

extern "C" netrt_handle *netrt_open(const char *path, char *err,
                                    size_t err_size) {
  std::string msg;
  netrt_handle *h = openImpl(path, msg);
  // The library's own weights are prepared (decoded) now, not on the
  // first run: opening pays for it, and a malformed library fails here.
  auto prepare = h ? reinterpret_cast<netrt_prepare_fn>(
                         dlsym(h->dl, NETRT_PREPARE_SYMBOL))
                   : nullptr;
  if (prepare && prepare() != 0) {
    msg = std::string("cannot prepare the weights of '") + path +
          "': " + h->info->last_error();
    netrt_close(h);
    h = nullptr;
  }
  if (!h)
    setError(err, err_size, msg);
  return h;
}

extern "C" netrt_handle *netrt_open_with_weights(const char *path,
                                                 const char *weights, char *err,
                                                 size_t err_size) {
  std::string msg;
  netrt_handle *h = openImpl(path, msg);
  if (h && !bindWeightsFile(h, weights, msg)) {
    netrt_close(h);
    h = nullptr;
  }
  if (!h)
    setError(err, err_size, msg);
  return h;
}

extern "C" netrt_handle *netrt_open_synthetic(const char *path, uint64_t seed,
                                              char *err, size_t err_size) {
  std::string msg;
  netrt_handle *h = openImpl(path, msg);
  if (h && !bindSyntheticWeights(h, seed, msg)) {
    netrt_close(h);
    h = nullptr;
  }
  if (!h)
    setError(err, err_size, msg);
  return h;
}

extern "C" int64_t netrt_arena_bytes(const netrt_handle *h, const char *which,
                                     int64_t batch) {
  auto fn = h ? reinterpret_cast<netrt_arena_bytes_fn>(
                    dlsym(h->dl, NETRT_ARENA_BYTES_SYMBOL))
              : nullptr;
  return fn ? fn(which, batch) : -1;
}

extern "C" int netrt_weight_bytes(const netrt_handle *h, int64_t *stored,
                                  int64_t *f32) {
  auto fn = h ? reinterpret_cast<netrt_weight_bytes_fn>(
                    dlsym(h->dl, NETRT_WEIGHT_BYTES_SYMBOL))
              : nullptr;
  int64_t s = 0, f = 0;
  if (fn)
    fn(&s, &f);
  if (stored)
    *stored = s;
  if (f32)
    *f32 = f;
  return fn ? 0 : -1;
}

extern "C" void netrt_close(netrt_handle *h) {
  if (!h)
    return;
  h->bindWeights(nullptr); // released before the library goes
  dlclose(h->dl);
  delete h;
}

extern "C" const netrt_model_info *netrt_info(const netrt_handle *h) {
  return h ? h->info : nullptr;
}

//===----------------------------------------------------------------------===//
// Queries
//===----------------------------------------------------------------------===//

static netrt_entry_fn entryFn(const netrt_handle *h, Entry entry) {
  switch (entry) {
  case Entry::Forward:
    return h->info->forward;
  case Entry::Loss:
    return h->info->loss;
  case Entry::Backward:
    return h->info->backward;
  case Entry::Unknown:
    break;
  }
  return nullptr;
}

extern "C" int netrt_has_entry(const netrt_handle *h, const char *which) {
  return h && entryFn(h, parseEntry(which)) ? 1 : 0;
}

extern "C" const netrt_tensor_info *
netrt_results(const netrt_handle *h, const char *which, int32_t *count) {
  int32_t dummy;
  if (!count)
    count = &dummy;
  *count = 0;
  if (!h)
    return nullptr;
  // A model without any outputs still gets a non-NULL pointer.
  static const netrt_tensor_info none = {"", 0, 0, {0}};
  switch (parseEntry(which)) {
  case Entry::Forward:
    *count = h->info->num_outputs;
    return h->info->outputs ? h->info->outputs : &none;
  case Entry::Loss:
    if (!h->info->loss)
      return nullptr;
    *count = h->info->num_losses;
    return h->info->losses ? h->info->losses : &none;
  case Entry::Backward:
    if (!h->info->backward || !h->grads)
      return nullptr;
    *count = h->numGrads;
    return h->grads;
  case Entry::Unknown:
    break;
  }
  return nullptr;
}

extern "C" int netrt_input_used(const netrt_handle *h, const char *which,
                                int32_t index) {
  if (!h || index < 0 || index >= h->info->num_inputs)
    return 0;
  if (parseEntry(which) != Entry::Forward || !h->hasForwardMask || index >= 64)
    return 1;
  return (h->forwardMask >> index) & 1 ? 1 : 0;
}

extern "C" void netrt_set_num_threads(const netrt_handle *h, int threads) {
  if (h && h->info->set_num_threads)
    h->info->set_num_threads(threads);
}

//===----------------------------------------------------------------------===//
// Running
//===----------------------------------------------------------------------===//

static bool checkOutputs(const netrt_tensor_info *results, int32_t count,
                         int64_t batch, const netrt_tensor *outputs,
                         std::string &err) {
  if (count > 0 && !outputs) {
    err = "no output buffers given";
    return false;
  }
  for (int32_t i = 0; i < count; ++i) {
    const netrt_tensor_info &want = results[i];
    const netrt_tensor &got = outputs[i];
    bool ok = got.dtype == want.dtype && got.rank == want.rank;
    for (int32_t d = 0; ok && d < want.rank; ++d)
      ok = got.shape[d] == (want.shape[d] < 0 ? batch : want.shape[d]);
    if (!ok) {
      err = "output '" + std::string(want.name) + "': expected " +
            formatInfo(want, batch) + ", got " + formatTensor(got);
      return false;
    }
    if (!got.data && netrt_numel(&got) > 0) {
      err = "output '" + std::string(want.name) + "' has no buffer";
      return false;
    }
  }
  return true;
}

static bool runImpl(const netrt_handle *h, const char *which,
                    const netrt_tensor *inputs, int32_t numInputs,
                    netrt_tensor *outputs, std::string &err) {
  if (!h) {
    err = "no model (null handle)";
    return false;
  }
  Entry entry = parseEntry(which);
  if (entry == Entry::Unknown) {
    err = "unknown entry point '" + std::string(which ? which : "") +
          "' (expected forward, loss or backward)";
    return false;
  }
  const netrt_model_info *info = h->info;
  netrt_entry_fn fn = entryFn(h, entry);
  if (!fn) {
    err = "model '" + std::string(info->name) + "' has no " + which +
          " entry point (it was not compiled with --train)";
    return false;
  }
  int32_t count = 0;
  const netrt_tensor_info *results = netrt_results(h, which, &count);
  if (!results) {
    err = "model '" + std::string(info->name) +
          "' does not describe its gradients (no " NETRT_GRADS_SYMBOL
          " export)";
    return false;
  }
  int64_t batch;
  if (!checkInputs(h, entry, inputs, numInputs, batch, err) ||
      !checkOutputs(results, count, batch, outputs, err))
    return false;

  // Inputs the entry point does not read may come without a buffer; hand the
  // model zeros anyway so that it never sees NULL.
  std::vector<netrt_tensor> args(inputs, inputs + numInputs);
  std::vector<std::vector<char>> zeros;
  for (int32_t i = 0; i < numInputs; ++i) {
    if (args[i].data)
      continue;
    const netrt_tensor_info &want = info->inputs[i];
    args[i].dtype = want.dtype;
    args[i].rank = want.rank;
    concreteShape(want, batch < 0 ? 1 : batch, args[i].shape);
    zeros.emplace_back(size_t(netrt_numel(&args[i])) * 4 + 4, 0);
    args[i].data = zeros.back().data();
  }

  std::shared_ptr<void> weights = h->weights();
  int rc = weights ? h->runWithWeights(which, weights.get(), args.data(), outputs)
                   : fn(args.data(), outputs);
  if (rc != 0) {
    const char *msg = info->last_error ? info->last_error() : nullptr;
    err = "model '" + std::string(info->name) + "' failed in " + which + ": " +
          (msg && *msg ? std::string(msg) : "error code " + std::to_string(rc));
    return false;
  }
  return true;
}

extern "C" int netrt_run(const netrt_handle *h, const char *which,
                         const netrt_tensor *inputs, int32_t num_inputs,
                         netrt_tensor *outputs, char *err, size_t err_size) {
  std::string msg;
  if (runImpl(h, which, inputs, num_inputs, outputs, msg))
    return 0;
  setError(err, err_size, msg);
  return 1;
}
