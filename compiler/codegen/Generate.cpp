//===- Generate.cpp - Lower, schedule, compile and link a model -----------===//
#include "codegen/AutoSchedule.h"
#include "codegen/Codegen.h"
#include "codegen/Lowered.h"
#include "codegen/Executor.h"
#include "codegen/KernelBuild.h"
#include "codegen/WeightCoding.h"
#include "codegen/WeightObject.h"
#include "codegen/schedule/TargetSchedule.h"
#include "net/IR/NetOps.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

#include <cpuid.h>
#include <sstream>
#include <thread>

using namespace netc;

bool netc::isKnownTarget(llvm::StringRef t) {
  return t == "host" || t == "x86-64-avx2" || t == "x86-64-avx512" ||
         t == "x86-64-avx512-vnni" || t == "cuda" || t == "cuda-sm75" ||
         t == "cuda-sm80" || t == "cuda-sm86" || t == "opencl";
}

Halide::Target netc::halideTarget(const std::string &t) {
  // GPU targets: the host code (the kernels' launches and the executor's
  // side) for any AVX2 x86-64, the kernels for the device. The CUDA
  // capability is named: a bare `cuda` on a machine without a GPU makes
  // Halide 14 emit sm_20.
  const char *gpuHost = "x86-64-linux-avx-avx2-f16c-fma-sse41";
  if (t == "opencl")
    return Halide::Target(std::string(gpuHost) + "-opencl");
  if (t == "cuda" || t == "cuda-sm80")
    return Halide::Target(std::string(gpuHost) + "-cuda-cuda_capability_80");
  if (t == "cuda-sm75")
    return Halide::Target(std::string(gpuHost) + "-cuda-cuda_capability_75");
  if (t == "cuda-sm86")
    return Halide::Target(std::string(gpuHost) + "-cuda-cuda_capability_86");
  // Halide 14 wants every x86 feature named (architecture.md).
  if (t == "x86-64-avx2")
    return Halide::Target("x86-64-linux-avx-avx2-f16c-fma-sse41");
  if (t == "x86-64-avx512")
    return Halide::Target(
        "x86-64-linux-avx-avx2-f16c-fma-sse41-avx512-avx512_skylake");
  // The int8 kernels add VNNI (int8KernelTarget).
  if (t == "x86-64-avx512-vnni")
    return Halide::Target("x86-64-linux-avx-avx2-f16c-fma-sse41-avx512-"
                          "avx512_skylake-avx512_cannonlake");
  return hostTarget();
}

/// Whether the CPU has AVX-VNNI (the VEX-encoded vpdpbusd/vpdpwssd):
/// CPUID.(EAX=7, ECX=1):EAX bit 4.
static bool cpuHasAvxVnni() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (!__get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx))
    return false;
  return (eax >> 4) & 1;
}

/// Whether the CPU has AVX512-VNNI: CPUID.(EAX=7, ECX=0):ECX bit 11.
static bool cpuHasAvx512Vnni() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx))
    return false;
  return (ecx >> 11) & 1;
}

/// Whether the CPU runs what LLVM may emit for its sapphirerapids CPU
/// (the int8 kernels' target: Halide 14 matches vpdpbusd only there), but
/// for AMX and AVX512-FP16 (never asked for; netc-int8-object.test checks)
/// and AVX-VNNI (its {vex} prefixes are stripped): AVX512-VNNI, IFMA,
/// VBMI, VBMI2, BITALG, VPOPCNTDQ, GFNI, VAES, VPCLMULQDQ (CPUID.7.0) and
/// BF16 (CPUID.7.1:EAX bit 5). AMD Zen 4 and 5 and Sapphire Rapids do;
/// Cascade Lake (VNNI without VBMI) and Ice Lake (without BF16) do not,
/// and take the vpmaddwd kernels.
static bool cpuRunsSapphireRapidsCode() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (!cpuHasAvx512Vnni() || !__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx))
    return false;
  bool ifma = (ebx >> 21) & 1;
  const unsigned ecxBits[] = {1, 6, 8, 9, 10, 11, 12, 14}; // vbmi .. vpopcntdq
  bool ecxAll = llvm::all_of(ecxBits, [&](unsigned b) { return (ecx >> b) & 1; });
  if (!ifma || !ecxAll || !__get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx))
    return false;
  return (eax >> 5) & 1;
}

bool netc::targetHasVnni(const std::string &t) {
  if (t == "x86-64-avx512-vnni")
    return true;
  return t == "host" && cpuRunsSapphireRapidsCode() &&
         hostTarget().has_feature(Halide::Target::AVX512);
}

Halide::Target netc::int8KernelTarget(const Halide::Target &t) {
  return t.has_feature(Halide::Target::AVX512)
             ? t.with_feature(Halide::Target::AVX512_SapphireRapids)
             : t;
}

Halide::Target netc::hostTarget() {
  Halide::Target t = Halide::get_host_target();
  // Halide 14 calls any CPU with AVX512-BF16 and VNNI a Sapphire Rapids,
  // and LLVM then may use AVX-VNNI's VEX forms ({vex} vpdpwssd, seen in
  // the address arithmetic of a deconvolution kernel). AMD Zen 4 has the
  // AVX-512 forms only: there those kernels died of SIGILL. Without
  // AVX-VNNI the host target stops at Cannon Lake's AVX-512 features.
  if (t.has_feature(Halide::Target::AVX512_SapphireRapids) && !cpuHasAvxVnni())
    t = t.without_feature(Halide::Target::AVX512_SapphireRapids);
  return t;
}

namespace {

/// A scratch directory removed when it goes out of scope.
struct TempDir {
  llvm::SmallString<256> path;
  explicit TempDir(llvm::StringRef parent) {
    llvm::SmallString<256> model(parent);
    llvm::sys::fs::make_absolute(model);
    llvm::sys::path::append(model, ".netc-%%%%%%%%");
    for (int attempt = 0; attempt < 16; ++attempt) {
      llvm::SmallString<256> candidate;
      llvm::sys::fs::createUniquePath(model, candidate, false);
      if (!llvm::sys::fs::create_directory(candidate, /*IgnoreExisting=*/false)) {
        path = candidate;
        return;
      }
    }
  }
  ~TempDir() {
    // NETC_KEEP_TEMPS=1 keeps the executor source and objects (debugging).
    if (!path.empty() && !std::getenv("NETC_KEEP_TEMPS"))
      llvm::sys::fs::remove_directories(path);
  }
  std::string file(llvm::StringRef name) const {
    llvm::SmallString<256> p(path);
    llvm::sys::path::append(p, name);
    return p.str().str();
  }
};

bool writeFile(const std::string &path, const std::string &text) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    return false;
  os << text;
  return !os.has_error();
}

std::string readFile(const std::string &path) {
  auto buf = llvm::MemoryBuffer::getFile(path);
  return buf ? (*buf)->getBuffer().str() : std::string();
}

/// Runs the system C compiler; on failure returns its diagnostics.
std::optional<std::string> runCC(const std::vector<std::string> &args,
                                 const TempDir &tmp) {
  const char *env = std::getenv("NETC_CC");
  auto cc = llvm::sys::findProgramByName(env ? env : "cc");
  if (!cc)
    return std::string("no C compiler found (set NETC_CC or install gcc)");
  std::vector<llvm::StringRef> argv = {*cc};
  for (const std::string &a : args)
    argv.push_back(a);
  std::string log = tmp.file("cc.log");
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, llvm::StringRef(log),
                                                llvm::StringRef(log)};
  std::string err;
  int rc = llvm::sys::ExecuteAndWait(*cc, argv, std::nullopt, redirects, 0, 0,
                                     &err);
  if (rc != 0)
    return "'" + *cc + "' failed: " + err + readFile(log);
  return std::nullopt;
}

/// `--emit=halide`: each kernel's Funcs and the schedule applied.
std::string describeKernel(const Kernel &k) {
  std::ostringstream os;
  const LoweredEntry &e = k.pipeline.entries[0];
  os << "\n// kernel " << k.name << "\n";
  for (size_t i = 0; i < e.inputs.size(); ++i)
    os << (i < k.numInputs ? "input " : "weight ") << e.inputs[i].name()
       << " (" << e.inputs[i].dimensions() << "-D)\n";
  for (const OpStage &s : e.stages) {
    std::vector<Halide::Func> funcs = s.helpers;
    funcs.push_back(s.func);
    for (Halide::Func f : funcs) {
      os << f.name() << "(";
      std::vector<Halide::Var> args = f.args();
      for (size_t i = 0; i < args.size(); ++i)
        os << (i ? ", " : "") << args[i].name();
      os << ") = " << f.value() << "\n";
      for (int u = 0; u < f.num_update_definitions(); ++u) {
        os << f.name() << "(";
        const std::vector<Halide::Expr> &ua = f.update_args(u);
        for (size_t i = 0; i < ua.size(); ++i)
          os << (i ? ", " : "") << ua[i];
        os << ") = " << f.update_value(u) << "\n";
      }
    }
  }
  os << "// schedule\n";
  for (const std::string &line : k.schedule)
    os << line << "\n";
  return os.str();
}

mlir::LogicalResult fail(mlir::ModuleOp module, const std::string &msg) {
  mlir::emitError(module.getLoc()) << msg;
  return mlir::failure();
}

/// A nested timer when timing is on.
mlir::TimingScope phase(const CodegenOptions &opts, llvm::StringRef name) {
  return opts.timing ? opts.timing->nest(name) : mlir::TimingScope();
}

int workerCount(const CodegenOptions &opts) {
  if (opts.jobs > 0)
    return opts.jobs;
  if (const char *env = std::getenv("NETC_JOBS"))
    if (int n = std::atoi(env); n > 0)
      return n;
  unsigned n = std::thread::hardware_concurrency();
  return n ? (int)n : 1;
}

std::string cacheDirOf(const CodegenOptions &opts) {
  if (!opts.cacheDir.empty())
    return opts.cacheDir;
  const char *env = std::getenv("NETC_CACHE_DIR");
  return env ? env : "";
}

/// A kernel with VNNI int8 convolutions, compiled for int8KernelTarget:
/// to assembly, without AVX-VNNI's {vex} prefix (which AMD Zen 4 cannot
/// run; the same mnemonic without it is the AVX-512 VNNI encoding), then
/// assembled by the C compiler into `path`.
void compileVnniKernel(const Kernel &k, const Halide::Target &target,
                       const std::string &path) {
  std::string s = path + ".s", evex = path + ".evex.s";
  Halide::Pipeline p(k.pipeline.entries[0].outputs);
  p.compile_to({{Halide::OutputFileType::assembly, s}}, k.arguments(), k.name,
               int8KernelTarget(target));
  std::string text = readFile(s), out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    if (text.compare(i, 5, "{vex}") == 0) {
      i += 5;
      while (i < text.size() && (text[i] == ' ' || text[i] == '\t'))
        ++i;
      continue;
    }
    out += text[i++];
  }
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(evex, ec);
    if (ec)
      throw Halide::CompileError("cannot write " + evex);
    os << out;
  }
  const char *env = std::getenv("NETC_CC");
  auto cc = llvm::sys::findProgramByName(env ? env : "cc");
  if (!cc)
    throw Halide::CompileError("no C compiler found (set NETC_CC or install gcc)");
  std::string log = path + ".as.log";
  std::optional<llvm::StringRef> redirects[] = {
      std::nullopt, llvm::StringRef(log), llvm::StringRef(log)};
  std::vector<llvm::StringRef> argv = {*cc, "-c", evex, "-o", path};
  if (llvm::sys::ExecuteAndWait(*cc, argv, std::nullopt, redirects) != 0)
    throw Halide::CompileError("assembling " + k.name + ": " + readFile(log));
}

/// The device code Halide embeds in a kernel's module (`--emit=llvm`):
/// the initialiser of the global `*_gpu_source_kernels`, a C string in
/// LLVM's `c"..."` syntax (`\\XX` hex escapes), without its final NUL.
std::optional<std::string> gpuSourceOf(const std::string &ll) {
  size_t at = ll.find("gpu_source_kernels");
  if (at == std::string::npos)
    return std::nullopt;
  size_t open = ll.find("c\"", at);
  size_t eol = ll.find('\n', at);
  if (open == std::string::npos || open > eol)
    return std::nullopt;
  std::string out;
  for (size_t i = open + 2; i < ll.size() && ll[i] != '"'; ++i) {
    if (ll[i] == '\\' && i + 2 < ll.size()) {
      out += (char)std::stoi(ll.substr(i + 1, 2), nullptr, 16);
      i += 2;
    } else {
      out += ll[i];
    }
  }
  while (!out.empty() && out.back() == '\0')
    out.pop_back();
  return out;
}

/// One object job per kernel (and the runtime with `runtime`), writing
/// into `tmp`.
std::vector<ObjectJob> kernelJobs(Program &prog, const Halide::Target &target,
                                  const TempDir &tmp, bool runtime) {
  Halide::Target noRuntime = target.with_feature(Halide::Target::NoRuntime);
  std::string salt = cacheSalt() + "|" + noRuntime.to_string() + "|";
  std::vector<ObjectJob> jobs;
  for (Kernel &k : prog.kernels) {
    ObjectJob j;
    j.path = tmp.file(k.name + ".o");
    j.key = digest(salt + k.name + "|" + k.signature);
    Kernel *kp = &k;
    j.run = [kp, noRuntime](const std::string &path) {
      if (kp->vnni && noRuntime.has_feature(Halide::Target::AVX512)) {
        compileVnniKernel(*kp, noRuntime, path);
        return;
      }
      Halide::Pipeline p(kp->pipeline.entries[0].outputs);
      p.compile_to_object(path, kp->arguments(), kp->name, noRuntime);
    };
    jobs.push_back(std::move(j));
  }
  if (runtime) {
    ObjectJob j;
    j.path = tmp.file("runtime.o");
    j.key = digest(cacheSalt() + "|runtime|" + target.to_string());
    j.run = [target](const std::string &path) {
      Halide::compile_standalone_runtime(path, target);
    };
    jobs.push_back(std::move(j));
  }
  return jobs;
}

/// The f32 values of an embedded parameter (in place when the op holds a
/// blob); false with `err` when they are missing.
bool valuesOf(const RawDesc &r, std::optional<std::vector<float>> &copy,
              llvm::ArrayRef<float> &values, std::string &err) {
  auto w = llvm::cast<mlir::net::WeightOp>(r.op);
  std::optional<llvm::ArrayRef<float>> data = w.getValueData();
  if (!data && (copy = w.getValues()))
    data = llvm::ArrayRef<float>(*copy);
  int64_t n = 1;
  for (int64_t d : r.shape)
    n *= d;
  if (!data || (int64_t)data->size() != n) {
    err = "the value of parameter '" + r.name + "' is missing (elided?)";
    return false;
  }
  values = *data;
  return true;
}

/// The raw parameters, each aligned (pages for large ones, so that the
/// executor can give back what it has prepared), in one object file; where
/// each is comes back in `stored`. With `compress`, weights marked by
/// net-share-weights are stored coded (WeightCoding.h).
bool writeWeights(const Program &prog, const std::string &path, bool compress,
                  std::vector<StoredRaw> &stored, std::string &error) {
  std::vector<BlobPiece> pieces;
  std::vector<const RawDesc *> embedded;
  std::vector<std::optional<std::string>> coded;
  stored.assign(prog.raw.size(), StoredRaw());
  for (size_t i = 0; i < prog.raw.size(); ++i) {
    const RawDesc &r = prog.raw[i];
    if (!r.embedded)
      continue;
    int64_t n = 1;
    for (int64_t d : r.shape)
      n *= d;
    BlobPiece p;
    p.bytes = n * 4;
    coded.emplace_back();
    auto scales =
        r.op->getAttrOfType<mlir::DenseF32ArrayAttr>(mlir::net::kWeightScalesAttr);
    if (compress && (scales || r.op->hasAttr(mlir::net::kCodebookAttr))) {
      std::optional<std::vector<float>> copy;
      llvm::ArrayRef<float> values;
      if (!valuesOf(r, copy, values, error))
        return false;
      coded.back() = scales ? encodeInt8Weight(values, scales.asArrayRef())
                            : encodeSharedWeight(values);
      if (coded.back())
        p.bytes = (int64_t)coded.back()->size();
    }
    p.align = p.bytes >= 16384 && !coded.back() ? 4096 : 64;
    stored[i].coded = coded.back().has_value();
    pieces.push_back(p);
    embedded.push_back(&r);
  }
  layoutBlob(pieces);
  for (size_t i = 0, next = 0; i < prog.raw.size(); ++i)
    if (prog.raw[i].embedded) {
      stored[i].offset = pieces[next].offset;
      stored[i].bytes = pieces[next++].bytes;
    }
  auto write = [&](size_t i, llvm::raw_ostream &os, std::string &err) {
    if (coded[i]) {
      os << *coded[i];
      return true;
    }
    std::optional<std::vector<float>> copy;
    llvm::ArrayRef<float> values;
    if (!valuesOf(*embedded[i], copy, values, err))
      return false;
    os.write(reinterpret_cast<const char *>(values.data()), pieces[i].bytes);
    return true;
  };
  return writeWeightObject(path, "netc_weights_blob", pieces, write, error);
}

mlir::LogicalResult linkLibrary(mlir::ModuleOp module, Program &prog,
                                Halide::Target target,
                                const CodegenOptions &opts) {
  llvm::SmallString<256> outDir(llvm::sys::path::parent_path(opts.soPath));
  if (outDir.empty())
    outDir = ".";
  if (std::error_code ec = llvm::sys::fs::create_directories(outDir))
    return fail(module, "cannot create '" + outDir.str().str() +
                            "': " + ec.message());
  TempDir tmp(outDir);
  if (tmp.path.empty())
    return fail(module, "cannot create a scratch directory in '" +
                            outDir.str().str() + "'");
  std::vector<ObjectJob> jobs = kernelJobs(prog, target, tmp, true);
  {
    mlir::TimingScope t = phase(opts, "halide: compile kernels");
    int hits = 0;
    std::string cache = cacheDirOf(opts);
    if (auto err = buildObjects(jobs, cache, workerCount(opts), hits))
      return fail(module, "Halide: " + *err);
    if (opts.verbose)
      llvm::errs() << "netc: " << prog.kernels.size() << " kernels for "
                   << [&] {
                        size_t n = 0;
                        for (const ExecEntry &e : prog.entries)
                          n += e.steps.size();
                        return n;
                      }()
                   << " calls"
                   << (cache.empty() ? std::string()
                                     : ", " + std::to_string(hits) +
                                           " objects from the cache")
                   << "\n";
  }
  mlir::TimingScope linkTimer = phase(opts, "cc: executor + weights + link");
  std::vector<StoredRaw> stored(prog.raw.size());
  std::string error;
  std::vector<std::string> objects;
  for (const ObjectJob &j : jobs)
    objects.push_back(j.path);
  bool anyEmbedded = llvm::any_of(prog.raw, [](const RawDesc &r) { return r.embedded; });
  if (anyEmbedded) {
    if (!writeWeights(prog, tmp.file("weights.o"), opts.compressWeights,
                      stored, error))
      return fail(module, error);
    objects.push_back(tmp.file("weights.o"));
  }
  bool anyCoded = llvm::any_of(stored, [](const StoredRaw &s) { return s.coded; });
  std::string headerName = prog.name + ".h";
  if (!writeFile(tmp.file(headerName), modelHeader(prog)) ||
      !writeFile(tmp.file("executor.c"),
                 executorSource(prog, opts.profile, stored,
                                target.has_feature(Halide::Target::CUDA)     ? 1
                                : target.has_feature(Halide::Target::OpenCL) ? 2
                                                                             : 0)) ||
      !writeFile(tmp.file("exports.map"), versionScript(prog)))
    return fail(module, "cannot write to '" + tmp.path.str().str() + "'");
  if (auto err = runCC({"-c", "-O2", "-fPIC", "-std=gnu99", "-I", tmp.path.str().str(),
                        "-I", NETC_HALIDE_INCLUDE_DIR, tmp.file("executor.c"),
                        "-o", tmp.file("executor.o")},
                       tmp))
    return fail(module, *err);
  objects.push_back(tmp.file("executor.o"));
  std::string so = tmp.file("model.so");
  std::vector<std::string> args = {"-shared", "-o", so};
  // lld copies vgg16's 553 MB of weights in about half of GNU ld's time.
  if (llvm::sys::findProgramByName("ld.lld"))
    args.push_back("-fuse-ld=lld");
  args.insert(args.end(), objects.begin(), objects.end());
  // The decoder of --compress's weights, linked in: the library needs
  // nothing beyond libc, libm, libpthread and libdl (tools.md).
  if (anyCoded)
    args.push_back(NETC_ZSTD_STATIC_LIBRARY);
  for (const char *a : {"-Wl,-z,noexecstack", "-lpthread", "-ldl", "-lm"})
    args.push_back(a);
  args.push_back("-Wl,--version-script=" + tmp.file("exports.map"));
  if (auto err = runCC(args, tmp))
    return fail(module, *err);

  // Both files appear together or not at all.
  llvm::SmallString<256> header(outDir);
  llvm::StringRef stem = llvm::sys::path::stem(opts.soPath);
  stem.consume_front("lib");
  if (stem.empty()) // "lib.so": the model's name, not a hidden ".h"
    stem = prog.name;
  llvm::sys::path::append(header, stem + ".h");
  if (llvm::sys::fs::rename(tmp.file(headerName), header) ||
      llvm::sys::fs::rename(so, opts.soPath)) {
    llvm::sys::fs::remove(header);
    return fail(module, "cannot write '" + opts.soPath + "'");
  }
  if (opts.verbose) {
    int64_t f32 = 0, bytes = 0;
    for (size_t i = 0; i < prog.raw.size(); ++i)
      if (prog.raw[i].embedded) {
        int64_t n = 1;
        for (int64_t d : prog.raw[i].shape)
          n *= d;
        f32 += 4 * n;
        bytes += stored[i].bytes;
      }
    llvm::errs() << "netc: weights " << f32 << " bytes as f32, " << bytes
                 << " stored";
    if (bytes > 0)
      llvm::errs() << llvm::format(" (%.1fx smaller)", (double)f32 / bytes);
    llvm::errs() << "\n";
  }
  if (opts.verbose)
    for (const ExecEntry &e : prog.entries)
      llvm::errs() << "netc: " << prog.name << "_" << e.name << ": arena "
                   << e.perImageBytes << " bytes per image + " << e.fixedBytes
                   << "\n";
  return mlir::success();
}

/// A textual or object stage of every kernel, one after the other.
mlir::LogicalResult emitKernels(mlir::ModuleOp module, Program &prog,
                                EmitStage stage, Halide::Target target,
                                const CodegenOptions &opts,
                                llvm::raw_ostream &os) {
  TempDir tmp(llvm::sys::path::get_separator() == "/" ? "/tmp" : ".");
  if (tmp.path.empty())
    return fail(module, "cannot create a scratch directory");
  Halide::Target noRuntime = target.with_feature(Halide::Target::NoRuntime);
  if (stage == EmitStage::Obj) {
    // Every kernel, compiled as for the library, in one relocatable object.
    std::vector<ObjectJob> jobs = kernelJobs(prog, target, tmp, false);
    int hits = 0;
    if (auto err = buildObjects(jobs, cacheDirOf(opts), workerCount(opts), hits))
      return fail(module, "Halide: " + *err);
    std::vector<std::string> args = {"-r", "-nostdlib", "-o", tmp.file("all.o")};
    for (const ObjectJob &j : jobs)
      args.push_back(j.path);
    if (auto err = runCC(args, tmp))
      return fail(module, *err);
    os << readFile(tmp.file("all.o"));
    return mlir::success();
  }
  if (stage == EmitStage::Ptx || stage == EmitStage::OpenCL) {
    for (Kernel &k : prog.kernels) {
      std::string path = tmp.file(k.name + ".ll");
      Halide::Pipeline p(k.pipeline.entries[0].outputs);
      p.compile_to({{Halide::OutputFileType::llvm_assembly, path}},
                   k.arguments(), k.name, noRuntime);
      std::optional<std::string> src = gpuSourceOf(readFile(path));
      if (!src)
        return fail(module, "no device code found in kernel " + k.name);
      os << "// kernel " << k.name << ": "
         << (stage == EmitStage::Ptx ? "PTX" : "OpenCL C") << "\n"
         << *src << "\n";
    }
    return mlir::success();
  }
  Halide::OutputFileType type = Halide::OutputFileType::stmt;
  switch (stage) {
  case EmitStage::StmtHtml: type = Halide::OutputFileType::stmt_html; break;
  case EmitStage::Llvm: type = Halide::OutputFileType::llvm_assembly; break;
  case EmitStage::Asm: type = Halide::OutputFileType::assembly; break;
  default: break;
  }
  for (Kernel &k : prog.kernels) {
    std::string path = tmp.file(k.name + ".out");
    Halide::Pipeline p(k.pipeline.entries[0].outputs);
    p.compile_to({{type, path}}, k.arguments(), k.name,
                 k.vnni ? int8KernelTarget(noRuntime) : noRuntime);
    os << readFile(path);
  }
  return mlir::success();
}

} // namespace

mlir::LogicalResult netc::generate(mlir::ModuleOp module, EmitStage stage,
                                   const CodegenOptions &opts,
                                   llvm::raw_ostream &os) {
  try {
    std::string error;
    Halide::Target target = halideTarget(opts.target);
    if (opts.profile)
      target = target.with_feature(Halide::Target::Profile);
    mlir::TimingScope lowerTimer = phase(opts, "net to halide");
    std::string salt = target.to_string() + " -O" +
                       std::to_string(opts.optLevel) + " schedule " +
                       opts.schedule + " batch " +
                       std::to_string(opts.batchEstimate);
    const TargetSchedule *templates = targetScheduleFor(target);
    if (!templates)
      return fail(module, "no schedule templates for target '" +
                              target.to_string() + "'");
    std::optional<Program> prog = lowerToKernels(module, salt, error);
    if (!prog)
      return fail(module, error);
    lowerTimer.stop();
    mlir::TimingScope scheduleTimer = phase(opts, "schedule");
    // Halide's autoschedulers want stages nothing has scheduled yet, so
    // they replace the project's schedule rather than refine it.
    std::optional<AutoScheduleWarnings> autoWarnings;
    if (opts.schedule != "netc")
      autoWarnings.emplace(opts.schedule, opts.verbose);
    for (Kernel &k : prog->kernels) {
      if (opts.schedule == "netc") {
        templates->schedule(k.pipeline, target, opts.optLevel, k.schedule);
      } else {
        k.batch.set_estimate((int)opts.batchEstimate);
        autoSchedule(k.pipeline, target, opts.schedule, opts.batchEstimate,
                     k.schedule);
      }
    }
    scheduleTimer.stop();
    if (autoWarnings) {
      // Lowered here, in this process, where the warnings are seen: a
      // schedule that cannot run writes nothing.
      Halide::Target noRuntime = target.with_feature(Halide::Target::NoRuntime);
      for (Kernel &k : prog->kernels)
        Halide::Pipeline(k.pipeline.entries[0].outputs)
            .compile_to_module(k.arguments(), k.name, noRuntime);
      autoWarnings->check();
    }

    if (stage == EmitStage::Halide) {
      os << "// Halide kernels of " << prog->name << " for " << target.to_string()
         << "\n// Dims are reversed: x = innermost (W).\n";
      for (const Kernel &k : prog->kernels)
        os << describeKernel(k);
      os << describeCalls(*prog);
      return mlir::success();
    }
    return stage == EmitStage::So
               ? linkLibrary(module, *prog, target, opts)
               : emitKernels(module, *prog, stage, target, opts, os);
  } catch (const Halide::Error &e) {
    return fail(module, std::string("Halide: ") + e.what());
  }
}
