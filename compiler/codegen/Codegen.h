//===- Codegen.h - From the net dialect to a shared library -----*- C++ -*-===//
//
// The public face of code generation; it does not expose Halide, so the
// driver and the MLIR-heavy files compile without Halide's headers.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_CODEGEN_CODEGEN_H
#define NETC_CODEGEN_CODEGEN_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/Timing.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace netc {

enum class EmitStage { Halide, Stmt, StmtHtml, Llvm, Asm, Obj, So, Ptx, OpenCL };

struct CodegenOptions {
  std::string target = "host"; // a --target= value (isKnownTarget)
  int optLevel = 2;
  /// Where `--emit=so` writes libNAME.so and NAME.h (the -o path).
  std::string soPath;
  /// Directory for `--dump-dir` (empty: none) and the next stage number.
  std::string dumpDir;
  int *dumpCounter = nullptr;
  bool verbose = false;
  /// `--profile`: Halide's per-stage profiler in the library.
  bool profile = false;
  /// `--schedule=`: "netc" (the project's schedule) or one of Halide's
  /// autoschedulers (see isKnownSchedule); batchEstimate is the batch the
  /// autoschedulers assume when it is a run-time N.
  std::string schedule = "netc";
  int64_t batchEstimate = 1;
  /// Where per-phase timings nest (`--time-passes`); may be null.
  mlir::TimingScope *timing = nullptr;
  /// `--cache-dir=` (or NETC_CACHE_DIR): compiled kernels by signature,
  /// target and netc's version; empty: no cache.
  std::string cacheDir;
  /// Kernels compiled at once (processes); 0: one per core.
  int jobs = 0;
  /// `--compress`: weights net-share-weights marked (#net.codebook) are
  /// stored as codebook + zstd-coded indices and zero positions.
  bool compressWeights = false;
};

/// Lowers `module` to kernels (one Halide pipeline per fusion group, shared
/// by groups with equal signatures), schedules them and produces `stage`: a
/// textual stage is written to `os` (every kernel, then the executor's call
/// order); `So` writes the library and its header next to opts.soPath (all
/// or nothing). Parameters with values (net.weight's value) are stored in
/// the library; the others are bound when it is opened. Errors are reported
/// through MLIR diagnostics at the module's location.
mlir::LogicalResult generate(mlir::ModuleOp module, EmitStage stage, const CodegenOptions &opts,
                             llvm::raw_ostream &os);

/// Parses a `--target=` value; false when it is not one netc knows.
bool isKnownTarget(llvm::StringRef target);

/// Whether `--schedule=` names a schedule netc has: "netc" or
/// "auto-mullapudi2016", "auto-adams2019", "auto-li2018" (any case).
bool isKnownSchedule(llvm::StringRef schedule);

/// The `--schedule=` values, comma separated, for diagnostics and --help.
std::string knownSchedules();

} // namespace netc

#endif // NETC_CODEGEN_CODEGEN_H
