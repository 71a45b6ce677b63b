//===- Generate.cpp - Lower, schedule, compile and link a model -----------===//
#include "codegen/AutoSchedule.h"
#include "codegen/Codegen.h"
#include "codegen/Lowered.h"
#include "codegen/Wrapper.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

#include <sstream>

using namespace netc;

bool netc::isKnownTarget(llvm::StringRef t) {
  return t == "host" || t == "x86-64-avx2" || t == "x86-64-avx512";
}

Halide::Target netc::halideTarget(const std::string &t) {
  // Halide 14 wants every x86 feature named (architecture.md).
  if (t == "x86-64-avx2")
    return Halide::Target("x86-64-linux-avx-avx2-f16c-fma-sse41");
  if (t == "x86-64-avx512")
    return Halide::Target(
        "x86-64-linux-avx-avx2-f16c-fma-sse41-avx512-avx512_skylake");
  return Halide::get_host_target();
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
    if (!path.empty())
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

/// `--emit=halide`: each Func's definition and the schedule applied.
std::string describePipeline(const LoweredModel &m, const Halide::Target &t,
                             const std::vector<std::string> &schedule) {
  std::ostringstream os;
  os << "// Halide pipeline of " << m.name << " for " << t.to_string()
     << "\n// Dims are reversed: x = innermost (W).\n";
  for (const LoweredEntry &e : m.entries) {
  os << "\n// entry point " << m.name << "_" << e.name << "\n";
  for (const Halide::ImageParam &p : e.inputs)
    os << "input " << p.name() << " (" << p.dimensions() << "-D)\n";
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
  }
  os << "\n// schedule\n";
  for (const std::string &line : schedule)
    os << line << "\n";
  return os.str();
}

mlir::LogicalResult fail(mlir::ModuleOp module, const std::string &msg) {
  mlir::emitError(module.getLoc()) << msg;
  return mlir::failure();
}

/// One Halide module holding a function `netc_<entry>` per entry point.
Halide::Module buildModule(LoweredModel &m, const Halide::Target &target) {
  std::vector<Halide::Module> modules;
  for (LoweredEntry &e : m.entries) {
    Halide::Pipeline p(e.outputs);
    std::vector<Halide::Argument> args(e.inputs.begin(), e.inputs.end());
    modules.push_back(p.compile_to_module(args, "netc_" + e.name, target));
  }
  if (modules.size() == 1)
    return modules.front();
  return Halide::link_modules(m.name, modules);
}

/// A nested timer when timing is on.
mlir::TimingScope phase(const CodegenOptions &opts, llvm::StringRef name) {
  return opts.timing ? opts.timing->nest(name) : mlir::TimingScope();
}

mlir::LogicalResult linkLibrary(mlir::ModuleOp module, LoweredModel &model,
                                const Halide::Module &pipelines,
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
  {
    mlir::TimingScope t = phase(opts, "halide: compile pipelines");
    pipelines.compile(
        {{Halide::OutputFileType::object, tmp.file("pipeline.o")}});
  }
  {
    mlir::TimingScope t = phase(opts, "halide: standalone runtime");
    Halide::compile_standalone_runtime(tmp.file("runtime.o"), target);
  }
  mlir::TimingScope linkTimer = phase(opts, "cc: wrapper + link");

  std::string headerName = model.name + ".h";
  if (!writeFile(tmp.file(headerName), modelHeader(model)) ||
      !writeFile(tmp.file("wrapper.c"), wrapperSource(model, "netc_")) ||
      !writeFile(tmp.file("exports.map"), versionScript(model)))
    return fail(module, "cannot write to '" + tmp.path.str().str() + "'");
  if (auto err = runCC({"-c", "-O2", "-fPIC", "-std=c99", "-I", tmp.path.str().str(),
                        "-I", NETC_HALIDE_INCLUDE_DIR, tmp.file("wrapper.c"),
                        "-o", tmp.file("wrapper.o")},
                       tmp))
    return fail(module, *err);
  std::string so = tmp.file("model.so");
  if (auto err = runCC({"-shared", "-o", so, tmp.file("wrapper.o"),
                        tmp.file("pipeline.o"), tmp.file("runtime.o"),
                        "-Wl,--version-script=" + tmp.file("exports.map"),
                        "-Wl,-z,noexecstack", "-lpthread", "-ldl", "-lm"},
                       tmp))
    return fail(module, *err);

  // Both files appear together or not at all.
  llvm::SmallString<256> header(outDir);
  llvm::StringRef stem = llvm::sys::path::stem(opts.soPath);
  stem.consume_front("lib");
  llvm::sys::path::append(header, stem + ".h");
  if (llvm::sys::fs::rename(tmp.file(headerName), header) ||
      llvm::sys::fs::rename(so, opts.soPath)) {
    llvm::sys::fs::remove(header);
    return fail(module, "cannot write '" + opts.soPath + "'");
  }
  return mlir::success();
}

} // namespace

mlir::LogicalResult netc::generate(mlir::ModuleOp module,
                                   const WeightMap &weights, EmitStage stage,
                                   const CodegenOptions &opts,
                                   llvm::raw_ostream &os) {
  try {
    std::string error;
    mlir::TimingScope lowerTimer = phase(opts, "net to halide");
    std::optional<LoweredModel> model = lowerToHalide(module, weights, error);
    if (!model)
      return fail(module, error);
    lowerTimer.stop();
    Halide::Target target = halideTarget(opts.target);
    if (opts.profile)
      target = target.with_feature(Halide::Target::Profile);
    std::vector<std::string> schedule;
    mlir::TimingScope scheduleTimer = phase(opts, "schedule");
    // Halide's autoschedulers want stages nothing has scheduled yet, so
    // they replace the project's schedule rather than refine it.
    std::optional<AutoScheduleWarnings> autoWarnings;
    if (opts.schedule == "netc") {
      scheduleX86(*model, target, opts.optLevel, schedule);
    } else {
      autoWarnings.emplace(opts.schedule, opts.verbose);
      autoSchedule(*model, target, opts.schedule, opts.batchEstimate,
                   schedule);
    }
    scheduleTimer.stop();

    if (stage == EmitStage::Halide) {
      os << describePipeline(*model, target, schedule);
      return mlir::success();
    }
    // Runtime-free objects: one standalone runtime joins them at link time.
    Halide::Target noRuntime = target.with_feature(Halide::Target::NoRuntime);
    Halide::Module pipelines = buildModule(*model, noRuntime);
    if (autoWarnings)
      autoWarnings->check();
    if (stage == EmitStage::So)
      return linkLibrary(module, *model, pipelines, target, opts);

    // Textual and object stages go through a scratch file.
    llvm::SmallString<128> tmpPath;
    llvm::sys::fs::createTemporaryFile("netc", "out", tmpPath);
    std::string path = tmpPath.str().str();
    Halide::OutputFileType type = Halide::OutputFileType::object;
    switch (stage) {
    case EmitStage::Stmt: type = Halide::OutputFileType::stmt; break;
    case EmitStage::StmtHtml: type = Halide::OutputFileType::stmt_html; break;
    case EmitStage::Llvm: type = Halide::OutputFileType::llvm_assembly; break;
    case EmitStage::Asm: type = Halide::OutputFileType::assembly; break;
    default: break;
    }
    pipelines.compile({{type, path}});
    os << readFile(path);
    llvm::sys::fs::remove(path);
    return mlir::success();
  } catch (const Halide::Error &e) {
    return fail(module, std::string("Halide: ") + e.what());
  }
}
