//===- Driver.h - The netc command line -------------------------*- C++ -*-===//
#ifndef NETC_DRIVER_DRIVER_H
#define NETC_DRIVER_DRIVER_H

#include "codegen/TargetDesc.h"

#include <string>
#include <vector>

namespace mlir {
class DialectRegistry;
class PassManager;
} // namespace mlir

namespace netc {

/// Registers the dialects netc's IR uses.
void registerNetDialects(mlir::DialectRegistry &registry);

/// What `netc --prune=...`, `--share-weights` and `--compress` ask for
/// (nothing by default).
struct CompressionRequest {
  enum class Kind { none, magnitude, channels } kind = Kind::none;
  double sparsity = 0.0;
  std::vector<std::string> skip; ///< --prune-skip's layer prefixes
  /// --sparse-kernels: how net-sparse chooses kernels for pruned layers
  /// (auto: the target's cost model; always; never).
  std::string kernels = "auto";
  /// --share-weights / --compress: k-means codebooks (net-share-weights)
  /// of these sizes (--codebook=conv:N,fc:M).
  bool share = false;
  int convEntries = 256, fcEntries = 32;
  /// --compress: the library stores the shared weights entropy-coded.
  bool compress = false;
  /// --quantize=int8: net-calibrate on these files (--calibration, FILE.npy
  /// or NAME=FILE.npy) by this estimator (--calibrate), then net-quantize.
  bool quantize = false;
  std::vector<std::string> calibration;
  std::string calibrate = "minmax";
  /// --train: net-differentiate builds @backward (after pruning, before
  /// every optimisation, which then applies to it too).
  bool train = false;
  /// --train=batch-stats: batchnorm in training mode in @backward/@train.
  bool batchStats = false;
  double momentum = 0.1;
};

/// Adds the pruning pass `prune` asks for (none: nothing).
void buildPrunePipeline(mlir::PassManager &pm, const CompressionRequest &prune);

/// Adds the net-level pipeline for `optLevel`: `prune` first when asked
/// (at every level: it changes the model), then the optimisations, then
/// weight sharing when asked (on the weights as the library stores them);
/// `target` sizes the register tiles (-O2).
void buildNetPipeline(mlir::PassManager &pm, int optLevel,
                      const TargetDesc &target = TargetDesc(),
                      const CompressionRequest &prune = CompressionRequest());

/// Registers the net passes with MLIR's pass registry (for net-opt).
void registerNetPasses();

/// `netc`: parses its own command line; returns the process exit status.
int netcMain(int argc, char **argv);

} // namespace netc

#endif // NETC_DRIVER_DRIVER_H
