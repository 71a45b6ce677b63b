//===- ShapeUtils.h - Shared pieces of the dialect's shape rules -*- C++ -*-===//
//
// Internal to dialect/lib/IR: the helpers every op family's type inference
// uses, so that messages spell shapes and sizes alike.
//
//===----------------------------------------------------------------------===//
#ifndef NET_IR_SHAPEUTILS_H
#define NET_IR_SHAPEUTILS_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/STLExtras.h"

#include <optional>
#include <string>

namespace mlir::net::detail {

constexpr int64_t kDyn = ShapedType::kDynamic;

/// "[?, 1, 32, 32]": how diagnostics spell a shape.
inline std::string shapeStr(ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (auto [i, d] : llvm::enumerate(shape)) {
    if (i)
      s += ", ";
    s += ShapedType::isDynamic(d) ? std::string("N") : std::to_string(d);
  }
  return s + "]";
}

inline ArrayRef<int64_t> shapeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getShape();
}

inline Type f32Tensor(MLIRContext *ctx, ArrayRef<int64_t> shape) {
  return RankedTensorType::get(shape, Float32Type::get(ctx));
}

/// Checks that each per-spatial-dim attribute has one entry per spatial dim
/// and respects its lower bound.
inline LogicalResult checkSpatialList(std::optional<Location> loc,
                                      StringRef op, StringRef what,
                                      ArrayRef<int64_t> values,
                                      size_t spatial, int64_t min) {
  if (values.size() != spatial)
    return emitOptionalError(loc, op, ": '", what, "' has ", values.size(),
                             " entries but the input has ", spatial,
                             " spatial dims");
  for (int64_t v : values)
    if (v < min)
      return emitOptionalError(loc, op, ": '", what, "' must be >= ", min,
                               ", got ", v);
  return success();
}

/// Output size of a sliding window: floor((n + 2p - d*(k-1) - 1) / s) + 1,
/// rounded up with `ceil` as PyTorch's pooling does.
inline FailureOr<int64_t> windowOutput(std::optional<Location> loc,
                                       StringRef op, size_t dim, int64_t n,
                                       int64_t k, int64_t s, int64_t p,
                                       int64_t d, bool ceil) {
  if (ShapedType::isDynamic(n))
    return kDyn;
  int64_t span = n + 2 * p - d * (k - 1) - 1;
  if (span < 0)
    return emitOptionalError(
        loc, op, ": spatial dim ", dim, " of size ", n, " with kernel ", k,
        ", dilation ", d, " and pad ", p, " gives an output size below 1");
  int64_t out = (ceil ? (span + s - 1) / s : span / s) + 1;
  // A last window that would start in the right padding is dropped.
  if (ceil && (out - 1) * s >= n + p)
    --out;
  return out;
}

inline LogicalResult checkParamShape(std::optional<Location> loc, StringRef op,
                                     StringRef what, Value v,
                                     ArrayRef<int64_t> expected) {
  if (shapeOf(v) != expected)
    return emitOptionalError(loc, op, ": ", what, " has shape ",
                             shapeStr(shapeOf(v)), " but ",
                             shapeStr(expected), " is expected");
  return success();
}

inline LogicalResult checkReduction(std::optional<Location> loc, StringRef op,
                                    StringRef reduction) {
  if (reduction != "mean" && reduction != "sum")
    return emitOptionalError(loc, op, ": reduction must be \"mean\" or "
                                      "\"sum\", got \"",
                             reduction, "\"");
  return success();
}

/// The result type of a convolution (net.conv and net.fused_conv share it);
/// appends it to `types` or reports a located error.
LogicalResult inferConvType(MLIRContext *ctx, std::optional<Location> loc,
                            Value input, Value weight, Value bias,
                            int64_t groups, ArrayRef<int64_t> stride,
                            ArrayRef<int64_t> pad, ArrayRef<int64_t> dilation,
                            SmallVectorImpl<Type> &types);
/// The same from an op adaptor (ConvOp's or FusedConvOp's).
template <typename AdaptorT>
LogicalResult inferConvType(MLIRContext *ctx, std::optional<Location> loc,
                            AdaptorT a, SmallVectorImpl<Type> &types) {
  return inferConvType(ctx, loc, a.getInput(), a.getWeight(), a.getBias(),
                       a.getGroups(), a.getStride(), a.getPad(),
                       a.getDilation(), types);
}

} // namespace mlir::net::detail

#endif // NET_IR_SHAPEUTILS_H
