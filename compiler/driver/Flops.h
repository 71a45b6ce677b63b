//===- Flops.h - Floating-point operation count of a model ------*- C++ -*-===//
//
// `netc --emit=flops`: a per-op table of the floating-point operations of
// @forward for one batch item, computed from the op shapes of the net
// dialect as the front end writes it (before the optimisation passes).
//
//===----------------------------------------------------------------------===//
#ifndef NETC_DRIVER_FLOPS_H
#define NETC_DRIVER_FLOPS_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <string>
#include <vector>

namespace netc {

/// The cost of one op of @forward.
struct OpFlops {
  std::string op;             // e.g. "net.conv"
  std::string layer;          // the parameter prefix ("c1"), or "-"
  std::string where;          // "line:col" in the source, or "-"
  std::vector<int64_t> shape; // of the result, batch = 1 when dynamic
  int64_t macs = 0;           // multiply-accumulates (conv-like ops only)
  int64_t flops = 0;          // 2 * macs, or the elementwise count
  // Bytes read and written once, at 4 per element: the activations (every
  // operand but the parameters, and the result) and the parameters.
  int64_t activationBytes = 0, weightBytes = 0;
};

struct FlopsReport {
  std::string model;
  int64_t batch = 1;
  std::vector<OpFlops> ops; // program order; ops that compute nothing left out
  int64_t macs = 0;         // sum over the conv-like ops
  int64_t macFlops = 0;     // 2 * macs
  int64_t otherFlops = 0;   // sum over every other op
};

/// Counts the operations of `module`'s @forward; a dynamic batch counts as 1.
///   conv (dwconv and grouped too), deconv, fc, gram, correlation:
///     FLOPs = 2 x MACs (one multiply and one add per MAC);
///   other ops that compute (elementwise, pooling, batchnorm, softmax,
///   reductions, losses...): 1 FLOP per element of the larger of their
///   first operand and their result;
///   weight, reshape, flatten, concat, upsample: 0 (no row).
FlopsReport countFlops(mlir::ModuleOp module);

/// Prints the table (with each op's activation and weight bytes, the
/// memory traffic of a roofline) and the total line
///   `total: macs=M mac_flops=2M other_flops=E flops=2M+E`.
void printFlops(const FlopsReport &report, llvm::raw_ostream &os);

} // namespace netc

#endif // NETC_DRIVER_FLOPS_H
