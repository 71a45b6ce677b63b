//===- Driver.cpp - The netc command line ---------------------------------===//
//
// .net -> tokens -> AST -> net dialect -> net passes -> Halide -> .so, with
// `--emit=STAGE` stopping after any stage and `--dump-dir` writing them all.
// Every failure is a diagnostic and exit status 1; the output file is
// written only after everything succeeded.
//
//===----------------------------------------------------------------------===//
#include "driver/Driver.h"
#include "driver/Flops.h"
#include "driver/WeightBinding.h"

#include "codegen/Codegen.h"
#include "frontend/Frontend.h"
#include "net/IR/NetDialect.h"
#include "net/IR/NetOps.h"
#include "reference/Reference.h"

#include "netrt/Npy.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Pass.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"

#include <map>

using namespace netc;
namespace cl = llvm::cl;

namespace {

cl::OptionCategory netcCat("netc options");

cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.net>"),
                               cl::Required, cl::cat(netcCat));
cl::opt<std::string> outputFile("o", cl::desc("Output file (libNAME.so, or "
                                              "the stage text; default stdout)"),
                                cl::value_desc("file"), cl::cat(netcCat));
cl::opt<std::string> emit(
    "emit",
    cl::desc("Stop after a stage and print it: tokens, ast, net, net-opt, "
             "halide, stmt, stmt-html, llvm, asm, obj, so (default), ptx "
             "(CUDA targets) or opencl (the opencl target): the kernels' "
             "device code; or "
             "flops: the per-op FLOP count of the front end's net dialect"),
    cl::init("so"), cl::cat(netcCat));
cl::opt<std::string> target("target",
                            cl::desc("host (default), x86-64-avx2, "
                                     "x86-64-avx512, x86-64-avx512-vnni (int8 "
                                     "on vpdpbusd; for CPUs with the AVX-512 "
                                     "set of AMD Zen 4 or Sapphire Rapids), "
                                     "cuda (= cuda-sm80), cuda-sm75, "
                                     "cuda-sm86, opencl"),
                            cl::init("host"), cl::cat(netcCat));
cl::opt<std::string> scheduleFlag(
    "schedule",
    cl::desc("netc (default: the project's schedule), or one of Halide's "
             "autoschedulers for comparison: auto-mullapudi2016, "
             "auto-adams2019, auto-li2018"),
    cl::init("netc"), cl::cat(netcCat));
cl::opt<std::string> weightsFlag("weights",
                                 cl::desc(".safetensors weights (wins over "
                                          "the file's `weights` statement); "
                                          "`init`: the deterministic "
                                          "initialisation of --seed"),
                                 cl::value_desc("file"), cl::cat(netcCat));
cl::opt<uint64_t> seed("seed",
                       cl::desc("Seed of the initialisation without weights"),
                       cl::init(0), cl::cat(netcCat));
cl::opt<int64_t> fixedBatch("batch",
                            cl::desc("Compile for a fixed batch instead of a "
                                     "run-time N"),
                            cl::init(0), cl::cat(netcCat));
cl::opt<char> optLevel("O", cl::desc("Optimisation level: -O0, -O1, -O2"),
                       cl::Prefix, cl::init('2'), cl::cat(netcCat));
cl::opt<bool> printIrAfterAll("print-ir-after-all",
                              cl::desc("Print the IR after every net pass"),
                              cl::cat(netcCat));
cl::list<std::string> printIrAfter("print-ir-after",
                                   cl::desc("Print the IR after this pass"),
                                   cl::cat(netcCat));
cl::list<std::string> printIrBefore("print-ir-before",
                                    cl::desc("Print the IR before this pass"),
                                    cl::cat(netcCat));
cl::opt<std::string> dumpDir("dump-dir",
                             cl::desc("Write every stage to DIR/NN-stage.ext"),
                             cl::value_desc("dir"), cl::cat(netcCat));
cl::opt<bool> verbose("verbose", cl::desc("Progress on stderr"),
                      cl::cat(netcCat));
cl::opt<bool> profile(
    "profile",
    cl::desc("Build with Halide's profiler: the library prints the time "
             "spent in each kernel and its stages when the process exits"),
    cl::cat(netcCat));
cl::opt<bool> noEmbedWeights(
    "no-embed-weights",
    cl::desc("Leave the weights out of the library: they are read from a "
             ".safetensors file when it is opened (net-run --weights, "
             "netrt_open_with_weights, Python Model(path, weights=))"),
    cl::cat(netcCat));
cl::opt<std::string> cacheDir(
    "cache-dir",
    cl::desc("Kernel cache: reuse kernels compiled before, keyed by their "
             "signature, the target and netc's version (default: "
             "$NETC_CACHE_DIR; none when unset)"),
    cl::value_desc("dir"), cl::cat(netcCat));
cl::opt<int> jobs("j",
                  cl::desc("Kernels compiled at once (default: one per core, "
                           "or $NETC_JOBS)"),
                  cl::Prefix, cl::init(0), cl::cat(netcCat));
cl::opt<std::string> pruneFlag(
    "prune",
    cl::desc("magnitude:S: zero the fraction S in [0, 1) of smallest "
             "|weight| in every conv, dwconv, deconv and fc weight; "
             "channels:S: remove the fraction S of output channels of the "
             "convolutions, coupled channels together (tools.md, "
             "\"Compression\")"),
    cl::value_desc("magnitude:S|channels:S"), cl::cat(netcCat));
cl::list<std::string> pruneSkip(
    "prune-skip",
    cl::desc("Layers left dense: a prefix of layer names (conv1, "
             "layer4, classifier); comma separated"),
    cl::CommaSeparated, cl::value_desc("prefix,..."), cl::cat(netcCat));
cl::opt<std::string> sparseKernels(
    "sparse-kernels",
    cl::desc("Pruned conv and fc layers (-O2): auto (dense or sparse kernel "
             "per layer by the target's cost model, the default), always "
             "(sparse wherever there is a sparse kernel) or never"),
    cl::value_desc("auto|always|never"), cl::init("auto"), cl::cat(netcCat));
cl::opt<bool> shareWeights(
    "share-weights",
    cl::desc("Weight sharing: the nonzero values of every conv and fc weight "
             "clustered by k-means into a small codebook (--codebook), "
             "stored as f32"),
    cl::cat(netcCat));
cl::opt<bool> compressFlag(
    "compress",
    cl::desc("Weight sharing (as --share-weights) and the library stores "
             "those weights compressed: codebook, zstd-coded indices and "
             "zero positions, decoded once when the library is opened"),
    cl::cat(netcCat));
cl::opt<std::string> codebookFlag(
    "codebook",
    cl::desc("Codebook entries per layer for --share-weights and --compress, "
             "1 to 256 (default conv:256,fc:32)"),
    cl::value_desc("conv:N,fc:M"), cl::cat(netcCat));
cl::opt<std::string> quantizeFlag(
    "quantize",
    cl::desc("int8: post-training quantization calibrated on --calibration "
             "(per-output-channel symmetric int8 weights, per-tensor u8 "
             "activations; tools.md, \"Compression\")"),
    cl::value_desc("int8"), cl::cat(netcCat));
cl::list<std::string> calibrationFlag(
    "calibration",
    cl::desc("The calibration batch of --quantize: FILE.npy for the model's "
             "f32 input, NAME=FILE.npy when it has several; comma separated"),
    cl::CommaSeparated, cl::value_desc("FILE.npy"), cl::cat(netcCat));
cl::opt<std::string> calibrateFlag(
    "calibrate",
    cl::desc("The range estimator of --quantize: minmax (default), "
             "percentile:P (0 < P <= 100) or entropy (KL divergence)"),
    cl::value_desc("minmax|percentile:P|entropy"), cl::init("minmax"),
    cl::cat(netcCat));
cl::opt<std::string> saveWeightsFlag(
    "save-weights",
    cl::desc("Also write the weights as the library holds them (pruned, "
             "shared; at -O2 batchnorm folded into \"<weight>#bn\") to "
             "FILE.safetensors, by parameter name (at -O0 PyTorch's names)"),
    cl::value_desc("FILE.safetensors"), cl::cat(netcCat));
cl::opt<std::string> trainFlag(
    "train", cl::ValueOptional,
    cl::desc("Also emit the backward entry point: the gradient of the sum "
             "of the model's losses w.r.t. every parameter and every f32 "
             "input (net-run --grad, Model.backward). =batch-stats[:M]: "
             "batchnorm in training mode there (batch statistics; a train "
             "step updates the running ones with momentum M, 0.1)"),
    cl::value_desc("batch-stats[:M]"), cl::cat(netcCat));
cl::opt<bool> runReference(
    "run-reference",
    cl::desc("Run the naive reference evaluator instead of compiling: reads "
             "--input NAME=FILE.npy, writes DIR/<output>.npy"),
    cl::cat(netcCat));
cl::list<std::string> refInputs("input",
                                cl::desc("NAME=FILE.npy (with --run-reference)"),
                                cl::cat(netcCat));
cl::opt<std::string> refOutputDir("output-dir",
                                  cl::desc("Where --run-reference writes"),
                                  cl::init("."), cl::cat(netcCat));

/// A stage's text, kept until everything succeeded.
struct Emitted {
  std::string text;
  llvm::raw_string_ostream os{text};
};

const char *stageExt(llvm::StringRef stage) {
  return llvm::StringSwitch<const char *>(stage)
      .Cases("net", "net-opt", "mlir")
      .Case("stmt-html", "html")
      .Case("llvm", "ll")
      .Case("asm", "s")
      .Case("obj", "o")
      .Default("txt");
}

/// The pass arguments of a pipeline, nested pipelines included
/// ("canonicalize", ..., "net-tile"): what --print-ir-after/before accept.
static std::vector<std::string> passNames(mlir::OpPassManager &pm) {
  std::string text;
  llvm::raw_string_ostream os(text);
  pm.printAsTextualPipeline(os);
  // "any(canonicalize{...},cse,func.func(net-fold-batchnorm,...))": drop
  // the option blocks, split at the punctuation, skip op names (dotted).
  std::string flat;
  int depth = 0;
  for (char c : os.str()) {
    if (c == '{')
      ++depth;
    else if (c == '}')
      --depth;
    else if (depth == 0)
      flat += (c == '(' || c == ')' || c == ',') ? ' ' : c;
  }
  std::vector<std::string> names;
  llvm::SmallVector<llvm::StringRef> parts;
  llvm::StringRef(flat).split(parts, ' ', -1, false);
  for (llvm::StringRef p : parts)
    if (!p.contains('.') && p != "any" && !llvm::is_contained(names, p))
      names.push_back(p.str());
  return names;
}

/// --prune and --prune-skip, checked; nullopt after printing the error.
std::optional<CompressionRequest> parsePrune() {
  CompressionRequest req;
  req.skip.assign(pruneSkip.begin(), pruneSkip.end());
  req.kernels = sparseKernels;
  if (req.kernels != "auto" && req.kernels != "always" &&
      req.kernels != "never") {
    llvm::errs() << "netc: error: --sparse-kernels must be auto, always or "
                    "never, got '"
                 << req.kernels << "'\n";
    return std::nullopt;
  }
  if (pruneFlag.empty()) {
    if (!req.skip.empty()) {
      llvm::errs() << "netc: error: --prune-skip needs --prune\n";
      return std::nullopt;
    }
    return req;
  }
  auto [kind, value] = llvm::StringRef(pruneFlag).split(':');
  if (kind != "magnitude" && kind != "channels") {
    llvm::errs() << "netc: error: unknown --prune kind '" << kind
                 << "' (expected magnitude:S or channels:S)\n";
    return std::nullopt;
  }
  double s = 0;
  if (value.empty() || value.trim() != value || value.getAsDouble(s) ||
      !(s >= 0.0 && s < 1.0)) {
    llvm::errs() << "netc: error: --prune=" << kind
                 << ":S needs S in [0, 1), got '" << value << "'\n";
    return std::nullopt;
  }
  if (kind == "channels" && !req.skip.empty()) {
    llvm::errs() << "netc: error: --prune-skip applies to --prune=magnitude "
                    "only\n";
    return std::nullopt;
  }
  for (const std::string &p : req.skip)
    if (p.empty()) {
      llvm::errs() << "netc: error: --prune-skip has an empty prefix\n";
      return std::nullopt;
    }
  if (noEmbedWeights) {
    llvm::errs() << "netc: error: --prune needs the weights at compile time; "
                    "it cannot be combined with --no-embed-weights\n";
    return std::nullopt;
  }
  req.kind = kind == "channels" ? CompressionRequest::Kind::channels
                                : CompressionRequest::Kind::magnitude;
  req.sparsity = s;
  return req;
}

/// --train[=batch-stats[:M]] into `req`; false after printing the error.
bool parseTrain(CompressionRequest &req) {
  req.train = trainFlag.getNumOccurrences() > 0;
  llvm::StringRef v = trainFlag;
  if (!req.train || v.empty() || v == "eval")
    return true;
  auto [mode, m] = v.split(':');
  double momentum = 0.1;
  if (mode != "batch-stats" ||
      (!m.empty() && (m.getAsDouble(momentum) || !(momentum >= 0) ||
                      momentum > 1))) {
    llvm::errs() << "netc: error: --train takes nothing, eval or "
                    "batch-stats[:M] with a momentum M in [0, 1], got '"
                 << v << "'\n";
    return false;
  }
  req.batchStats = true;
  req.momentum = momentum;
  return true;
}

/// --share-weights, --compress and --codebook into `req`; false after
/// printing the error.
bool parseSharing(CompressionRequest &req) {
  req.compress = compressFlag;
  req.share = shareWeights || compressFlag;
  if (!codebookFlag.empty()) {
    if (!req.share) {
      llvm::errs() << "netc: error: --codebook needs --compress or "
                      "--share-weights\n";
      return false;
    }
    llvm::SmallVector<llvm::StringRef> parts;
    llvm::StringRef(codebookFlag).split(parts, ',');
    for (llvm::StringRef part : parts) {
      auto [kind, value] = part.split(':');
      int n = 0;
      if ((kind != "conv" && kind != "fc") || value.getAsInteger(10, n) ||
          n < 1 || n > 256) {
        llvm::errs() << "netc: error: --codebook takes conv:N and fc:M with "
                        "N, M in [1, 256], got '"
                     << part << "'\n";
        return false;
      }
      (kind == "conv" ? req.convEntries : req.fcEntries) = n;
    }
  }
  if (!quantizeFlag.empty() && quantizeFlag != "int8") {
    llvm::errs() << "netc: error: --quantize takes int8, got '" << quantizeFlag
                 << "'\n";
    return false;
  }
  req.quantize = quantizeFlag == "int8";
  if (req.quantize && isGpuTarget(target)) {
    llvm::errs() << "netc: error: --quantize=int8 has no GPU kernels yet; "
                    "use an x86 --target with it, not '"
                 << target << "'\n";
    return false;
  }
  req.calibration.assign(calibrationFlag.begin(), calibrationFlag.end());
  req.calibrate = calibrateFlag;
  if (req.quantize && req.calibration.empty()) {
    llvm::errs() << "netc: error: --quantize=int8 needs --calibration=FILE.npy "
                    "(a batch of sample inputs)\n";
    return false;
  }
  if (!req.quantize && (!req.calibration.empty() ||
                        calibrateFlag.getNumOccurrences())) {
    llvm::errs() << "netc: error: --calibration and --calibrate need "
                    "--quantize=int8\n";
    return false;
  }
  if (req.quantize) {
    auto [kind, arg] = llvm::StringRef(req.calibrate).split(':');
    double p = 0;
    if (!(kind == "minmax" && arg.empty()) && !(kind == "entropy" && arg.empty()) &&
        !(kind == "percentile" && !arg.getAsDouble(p) && p > 0 && p <= 100)) {
      llvm::errs() << "netc: error: --calibrate takes minmax, percentile:P "
                      "(0 < P <= 100) or entropy, got '"
                   << req.calibrate << "'\n";
      return false;
    }
    if (noEmbedWeights) {
      llvm::errs() << "netc: error: --quantize needs the weights at compile "
                      "time; it cannot be combined with --no-embed-weights\n";
      return false;
    }
  }
  if (req.share && noEmbedWeights) {
    llvm::errs() << "netc: error: --" << (compressFlag ? "compress" : "share-weights")
                 << " needs the weights at compile time; it cannot be combined "
                    "with --no-embed-weights\n";
    return false;
  }
  return true;
}

class Compilation {
public:
  Compilation(mlir::MLIRContext &ctx, llvm::SourceMgr &mgr, CompressionRequest prune)
      : ctx(ctx), src(mgr, &ctx), prune(std::move(prune)) {}

  int run();

private:
  mlir::MLIRContext &ctx;
  Source src;
  CompressionRequest prune;
  int dumpIndex = 0;

  /// Writes a stage to the dump directory.
  bool dump(llvm::StringRef stage, llvm::StringRef text) {
    if (dumpDir.empty())
      return true;
    llvm::sys::fs::create_directories(dumpDir);
    llvm::SmallString<256> path(dumpDir);
    ++dumpIndex;
    std::string file = (dumpIndex < 10 ? "0" : "") +
                       std::to_string(dumpIndex) + "-" + stage.str() + "." +
                       stageExt(stage);
    llvm::sys::path::append(path, file);
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec);
    if (ec) {
      llvm::errs() << "netc: error: cannot write '" << path
                   << "': " << ec.message() << "\n";
      return false;
    }
    os << text;
    return true;
  }

  /// Delivers the requested stage to -o or stdout.
  int deliver(llvm::StringRef text) {
    if (outputFile.empty() || outputFile == "-") {
      llvm::outs() << text;
      return 0;
    }
    std::string err;
    auto out = mlir::openOutputFile(outputFile, &err);
    if (!out) {
      llvm::errs() << "netc: error: " << err << "\n";
      return 1;
    }
    out->os() << text;
    out->keep();
    return 0;
  }

  int runReferenceMode(mlir::ModuleOp module);
};

int Compilation::run() {
  mlir::DefaultTimingManager tm;
  // `--time-passes` is LLVM's own flag (libLLVM registers it); reuse it.
  tm.setEnabled(llvm::TimePassesIsEnabled);
  mlir::TimingScope root = tm.getRootScope();
  bool all = !dumpDir.empty();
  llvm::StringRef stop = emit;
  auto status = [&](llvm::StringRef what) {
    if (verbose)
      llvm::errs() << "netc: " << what << "\n";
  };

  // Tokens (the main file only).
  if (stop == "tokens" || all) {
    llvm::SourceMgr tokMgr;
    Source tokSrc(tokMgr, &ctx);
    auto toks = lexFile(tokSrc, inputFile);
    if (!toks)
      return 1;
    std::string text;
    llvm::raw_string_ostream os(text);
    for (const Token &t : *toks) {
      auto [line, col] = tokMgr.getLineAndColumn(t.loc);
      os << line << ":" << col << " " << tokName(t.kind);
      if (t.kind != Tok::Newline && t.kind != Tok::Eof)
        os << " '" << t.text << "'";
      os << "\n";
    }
    if (!dump("tokens", text))
      return 1;
    if (stop == "tokens")
      return deliver(text);
  }

  status("parsing");
  mlir::TimingScope parseTimer = root.nest("parse");
  std::optional<ParsedProgram> parsed = parseProgram(src, inputFile);
  parseTimer.stop();
  if (!parsed)
    return 1;
  if (stop == "ast" || all) {
    std::string text;
    llvm::raw_string_ostream os(text);
    for (const auto &m : parsed->files)
      printAST(*m, src.mgr, os);
    if (!dump("ast", text))
      return 1;
    if (stop == "ast")
      return deliver(text);
  }

  status("checking and generating the net dialect");
  mlir::TimingScope genTimer = root.nest("sema+mlirgen");
  std::optional<NetProgram> prog = genProgram(src, *parsed, fixedBatch);
  genTimer.stop();
  if (!prog)
    return 1;
  mlir::ModuleOp module = prog->module.get();
  if (failed(mlir::verify(module)))
    return 1;
  // Weight blobs above 4 KB are elided in printed IR (net-opt prints them
  // whole).
  auto print = [&](mlir::ModuleOp m) {
    std::string text;
    llvm::raw_string_ostream os(text);
    m.print(os, mlir::OpPrintingFlags().elideLargeResourceString(4096));
    return text;
  };
  if (stop == "net" || all) {
    if (!dump("net", print(module)))
      return 1;
    if (stop == "net")
      return deliver(print(module));
  }
  std::optional<FlopsReport> flopsBefore;
  if (stop == "flops") {
    if (prune.kind == CompressionRequest::Kind::none) {
      std::string text;
      llvm::raw_string_ostream os(text);
      printFlops(countFlops(module), os);
      return deliver(text);
    }
    // With --prune: the table of the pruned model (its weights are needed)
    // and the totals before and after.
    flopsBefore = countFlops(module);
  }

  // Parameters are needed from here on (the reference evaluator too).
  // --weights=init: the deterministic initialisation (--seed) even where
  // the file names a weights file (training from scratch).
  std::string weightsPath =
      weightsFlag == "init" ? std::string()
      : !weightsFlag.empty() ? weightsFlag.getValue()
                             : prog->weightsFile;
  mlir::TimingScope bindTimer = root.nest("weights: read or initialise");
  std::optional<WeightMap> weights =
      bindWeights(src, *prog, weightsPath, seed,
                  /*initialise=*/!noEmbedWeights || runReference);
  if (!weights)
    return 1;
  // The values join the IR (net.weight's dense_resource blobs), where the
  // passes rewrite them and code generation stores them. Without embedded
  // weights the IR keeps only the names and shapes (frozen init= constants
  // keep their values: no weights file has them).
  // A parameter shared by several ops (`as`) has one blob.
  llvm::StringMap<mlir::ElementsAttr> attached;
  module.walk([&](mlir::net::WeightOp w) {
    if (auto done = attached.lookup(w.getName())) {
      w.setValueAttr(done);
      return;
    }
    auto it = weights->find(w.getName());
    if (it != weights->end() && (!noEmbedWeights || w.getFrozen() || runReference)) {
      w.setValues(std::move(it->second)); // one copy at a time
      attached[w.getName()] = w.getValueAttr();
    }
  });
  weights.reset();
  bindTimer.stop();
  if (flopsBefore) {
    mlir::PassManager prunePm(&ctx);
    buildPrunePipeline(prunePm, prune);
    if (mlir::failed(prunePm.run(module)))
      return 1;
    FlopsReport after = countFlops(module);
    std::string text;
    llvm::raw_string_ostream os(text);
    printFlops(after, os);
    int64_t before = flopsBefore->macFlops + flopsBefore->otherFlops;
    int64_t now = after.macFlops + after.otherFlops;
    os << "pruned: flops " << before << " -> " << now << " ("
       << llvm::format("%.2f", now ? double(before) / double(now) : 0.0)
       << "x fewer), macs " << flopsBefore->macs << " -> " << after.macs
       << "\n";
    return deliver(text);
  }

  status("running net passes");
  mlir::PassManager pm(&ctx);
  mlir::TimingScope passTimer = root.nest("net passes");
  pm.enableTiming(passTimer);
  // The passes ask the module's target (TargetAttrInterface) what to do.
  TargetDesc desc = targetDesc(target);
  if (desc.gpu)
    module->setAttr(
        mlir::net::kTargetAttr,
        mlir::net::GpuTargetAttr::get(
            &ctx,
            desc.gpu->opencl ? mlir::net::GpuApi::opencl : mlir::net::GpuApi::cuda,
            desc.gpu->capability, desc.gpu->sms, desc.gpu->warp,
            desc.gpu->registers, desc.gpu->shared, desc.gpu->threads));
  else
    module->setAttr(mlir::net::kTargetAttr,
                    mlir::net::X86TargetAttr::get(&ctx, desc.vectorWidth,
                                                  desc.registers, desc.l2Bytes,
                                                  desc.vnni));
  buildNetPipeline(pm, optLevel - '0', desc, prune);
  // Pass names given to --print-ir-* must name a pass netc has (the -O2
  // pipeline with either pruning), as mlir-opt insists.
  mlir::PassManager every(&ctx);
  CompressionRequest anyCompression;
  anyCompression.kind = CompressionRequest::Kind::channels;
  buildPrunePipeline(every, anyCompression);
  anyCompression.kind = CompressionRequest::Kind::magnitude;
  anyCompression.share = true;
  anyCompression.quantize = true;
  buildNetPipeline(every, 2, targetDesc(target), anyCompression);
  std::vector<std::string> known = passNames(every);
  for (const auto *names : {&printIrAfter, &printIrBefore})
    for (const std::string &n : *names)
      if (!llvm::is_contained(known, n)) {
        llvm::errs() << "netc: error: unknown pass '" << n
                     << "' (netc's passes: " << llvm::join(known, ", ")
                     << ")\n";
        return 1;
      }
  if (printIrAfterAll || !printIrAfter.empty() || !printIrBefore.empty()) {
    ctx.disableMultithreading();
    auto matches = [](const cl::list<std::string> &names, mlir::Pass *p) {
      for (const std::string &n : names)
        if (p->getArgument() == n || p->getName() == n)
          return true;
      return false;
    };
    pm.enableIRPrinting(
        [&](mlir::Pass *p, mlir::Operation *) {
          return matches(printIrBefore, p);
        },
        [&](mlir::Pass *p, mlir::Operation *) {
          return printIrAfterAll || matches(printIrAfter, p);
        },
        /*printModuleScope=*/true, /*printAfterOnlyOnChange=*/false,
        /*printAfterOnlyOnFailure=*/false, llvm::errs(),
        mlir::OpPrintingFlags().elideLargeResourceString(4096));
  }
  if (failed(pm.run(module)))
    return 1;
  passTimer.stop();
  if (!saveWeightsFlag.empty()) {
    std::string error;
    if (!saveWeights(module, saveWeightsFlag, error)) {
      llvm::errs() << "netc: error: " << error << "\n";
      return 1;
    }
  }
  if (stop == "net-opt" || all) {
    if (!dump("net-opt", print(module)))
      return 1;
    if (stop == "net-opt")
      return deliver(print(module));
  }

  if (runReference)
    return runReferenceMode(module);

  CodegenOptions opts;
  opts.target = target;
  opts.optLevel = optLevel - '0';
  opts.verbose = verbose;
  opts.profile = profile;
  opts.schedule = llvm::StringRef(scheduleFlag).lower();
  opts.batchEstimate = fixedBatch > 0 ? fixedBatch : 1;
  opts.cacheDir = cacheDir;
  opts.jobs = jobs;
  opts.compressWeights = prune.compress;
  if (all) {
    static const std::pair<const char *, EmitStage> stages[] = {
        {"halide", EmitStage::Halide}, {"stmt", EmitStage::Stmt},
        {"stmt-html", EmitStage::StmtHtml}, {"llvm", EmitStage::Llvm},
        {"asm", EmitStage::Asm}, {"obj", EmitStage::Obj},
        {"ptx", EmitStage::Ptx}, {"opencl", EmitStage::OpenCL}};
    for (auto [name, stage] : stages) {
      if ((stage == EmitStage::Ptx && !llvm::StringRef(target).starts_with("cuda")) ||
          (stage == EmitStage::OpenCL && target != "opencl"))
        continue;
      status(std::string("writing stage ") + name);
      Emitted e;
      if (failed(generate(module, stage, opts, e.os)) ||
          !dump(name, e.text))
        return 1;
    }
  }
  std::optional<EmitStage> stage =
      llvm::StringSwitch<std::optional<EmitStage>>(stop)
          .Case("halide", EmitStage::Halide)
          .Case("stmt", EmitStage::Stmt)
          .Case("stmt-html", EmitStage::StmtHtml)
          .Case("llvm", EmitStage::Llvm)
          .Case("asm", EmitStage::Asm)
          .Case("obj", EmitStage::Obj)
          .Case("so", EmitStage::So)
          .Case("ptx", EmitStage::Ptx)
          .Case("opencl", EmitStage::OpenCL)
          .Default(std::nullopt);
  if (stage == EmitStage::So) {
    if (outputFile.empty()) {
      llvm::SmallString<256> out("lib");
      out += prog->name;
      out += ".so";
      opts.soPath = out.str().str();
    } else {
      opts.soPath = outputFile;
    }
    status("compiling " + opts.soPath);
    mlir::TimingScope cgTimer = root.nest("codegen");
    opts.timing = &cgTimer;
    Emitted unused;
    return failed(generate(module, *stage, opts, unused.os)) ? 1 : 0;
  }
  mlir::TimingScope cgTimer = root.nest("codegen");
  opts.timing = &cgTimer;
  Emitted e;
  if (failed(generate(module, *stage, opts, e.os)))
    return 1;
  return deliver(e.text);
}

int Compilation::runReferenceMode(mlir::ModuleOp module) {
  std::map<std::string, RefTensor> inputs;
  for (const std::string &spec : refInputs) {
    auto [name, path] = llvm::StringRef(spec).split('=');
    if (path.empty()) {
      llvm::errs() << "netc: error: --input expects NAME=FILE.npy, got '"
                   << spec << "'\n";
      return 1;
    }
    netrt::NpyArray a;
    std::string err;
    if (!netrt::readNpy(path.str(), a, err)) {
      llvm::errs() << "netc: error: " << err << "\n";
      return 1;
    }
    RefTensor t{a.shape, std::vector<float>(a.numel())};
    for (int64_t i = 0; i < a.numel(); ++i)
      t.data[i] = a.dtype == NETRT_F32 ? a.f32()[i] : (float)a.i32()[i];
    inputs[name.str()] = std::move(t);
  }
  // Outputs, then losses when the model has them and their inputs are given.
  std::vector<std::pair<std::string, RefTensor>> outputs;
  std::string err;
  if (!evaluateReference(module, "forward", inputs, outputs, err)) {
    llvm::errs() << "netc: error: " << err << "\n";
    return 1;
  }
  auto loss = module.lookupSymbol<mlir::func::FuncOp>("loss");
  bool lossInputsGiven = loss && llvm::all_of(loss.getArguments(), [&](auto a) {
    auto name = loss.getArgAttrOfType<mlir::StringAttr>(a.getArgNumber(),
                                                         "net.name");
    return a.use_empty() || (name && inputs.count(name.str()));
  });
  if (lossInputsGiven &&
      !evaluateReference(module, "loss", inputs, outputs, err)) {
    llvm::errs() << "netc: error: " << err << "\n";
    return 1;
  }
  llvm::sys::fs::create_directories(refOutputDir);
  for (auto &[name, t] : outputs) {
    llvm::SmallString<256> path(refOutputDir);
    llvm::sys::path::append(path, name + ".npy");
    if (!netrt::writeNpy(path.str().str(), NETRT_F32, t.shape.data(),
                         t.shape.size(), t.data.data(), err)) {
      llvm::errs() << "netc: error: " << err << "\n";
      return 1;
    }
    llvm::outs() << name << ": " << netrt::formatType(NETRT_F32, t.shape)
                 << " -> " << path << "\n";
  }
  return 0;
}

} // namespace

int netc::netcMain(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  cl::HideUnrelatedOptions(netcCat);
  cl::ParseCommandLineOptions(
      argc, argv,
      "netc: compiles a .net network to a shared library\n\n"
      "  netc MODEL.net -o OUT/libNAME.so [options]\n\n"
      "  --time-passes prints per-phase compile timing on stderr.\n");

  static const char *stages[] = {"tokens", "ast",  "net",       "net-opt",
                                 "halide", "stmt", "stmt-html", "llvm",
                                 "asm",    "obj",  "so",        "flops",
                                 "ptx",    "opencl"};
  if (!llvm::is_contained(stages, llvm::StringRef(emit))) {
    llvm::errs() << "netc: error: unknown --emit stage '" << emit << "'\n";
    return 1;
  }
  if (!isKnownTarget(target)) {
    llvm::errs() << "netc: error: unknown or unsupported --target '" << target
                 << "' (this build knows host, x86-64-avx2, x86-64-avx512, "
                    "x86-64-avx512-vnni, cuda, cuda-sm75, cuda-sm80, cuda-sm86, "
                    "opencl)\n";
    return 1;
  }
  if ((emit == "ptx" && !llvm::StringRef(target).starts_with("cuda")) ||
      (emit == "opencl" && target != "opencl")) {
    llvm::errs() << "netc: error: --emit=" << emit << " needs "
                 << (emit == "ptx" ? "a CUDA target (--target=cuda)"
                                   : "--target=opencl")
                 << ", not '" << target << "'\n";
    return 1;
  }
  if (!isKnownSchedule(scheduleFlag)) {
    llvm::errs() << "netc: error: unknown --schedule '" << scheduleFlag
                 << "' (valid: " << knownSchedules() << ")\n";
    return 1;
  }
  if (optLevel < '0' || optLevel > '2') {
    llvm::errs() << "netc: error: unknown optimisation level -O" << optLevel
                 << "\n";
    return 1;
  }
  if (fixedBatch < 0) {
    llvm::errs() << "netc: error: --batch must be >= 1\n";
    return 1;
  }

  std::optional<CompressionRequest> prune = parsePrune();
  if (!prune || !parseSharing(*prune))
    return 1;
  if (!parseTrain(*prune))
    return 1;
  bool training = prune->train;
  if (training && prune->quantize) {
    llvm::errs() << "netc: error: --train cannot be combined with --quantize "
                    "yet: the gradients are of the f32 model\n";
    return 1;
  }
  if (training && isGpuTarget(target)) {
    llvm::errs() << "netc: error: --train has no GPU kernels yet; use an x86 "
                    "--target with it, not '"
                 << target << "'\n";
    return 1;
  }

  mlir::DialectRegistry registry;
  registerNetDialects(registry);
  mlir::MLIRContext ctx(registry);
  ctx.loadAllAvailableDialects();
  // A pass's error on the module points at the .net line already; the
  // module printed under it (MLIR's default) buries the message.
  auto &options = llvm::cl::getRegisteredOptions();
  auto printOp = options.find("mlir-print-op-on-diagnostic");
  if (printOp == options.end() || !printOp->second->getNumOccurrences())
    ctx.printOpOnDiagnostic(false);
  llvm::SourceMgr mgr;
  mlir::SourceMgrDiagnosticHandler handler(mgr, &ctx);
  return Compilation(ctx, mgr, std::move(*prune)).run();
}

