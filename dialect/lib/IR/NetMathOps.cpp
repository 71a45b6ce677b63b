//===- NetMathOps.cpp - Type inference of the math ops --------------------===//
//
// Elementwise math (relu6, abs, sqrt, exp, log, square, leaky_relu),
// log_softmax, reductions (mean, sum), l2norm and reshape.
//
// The elementwise ops get their result type from SameOperandsAndResultType;
// the others infer it here (and so verify parsed IR with the same rules).
//
//===----------------------------------------------------------------------===//
#include "ShapeUtils.h"
#include "net/IR/NetOps.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::net;
using namespace mlir::net::detail;

static std::string listStr(ArrayRef<int64_t> values) {
  std::string s = "[";
  for (auto [i, v] : llvm::enumerate(values)) {
    if (i)
      s += ", ";
    s += std::to_string(v);
  }
  return s + "]";
}

static LogicalResult checkAxisInRank(std::optional<Location> loc, StringRef op,
                                     int64_t axis, size_t rank) {
  if (axis < 0 || axis >= static_cast<int64_t>(rank))
    return emitOptionalError(loc, op, ": axis ", axis,
                             " is out of range for a rank-", rank, " tensor");
  return success();
}

//===----------------------------------------------------------------------===//
// LogSoftmaxOp, L2NormOp
//===----------------------------------------------------------------------===//

LogicalResult LogSoftmaxOp::inferReturnTypes(MLIRContext *,
                                             std::optional<Location> loc,
                                             Adaptor adaptor,
                                             SmallVectorImpl<Type> &types) {
  if (failed(checkAxisInRank(loc, "log_softmax", adaptor.getAxis(),
                             shapeOf(adaptor.getInput()).size())))
    return failure();
  types.push_back(adaptor.getInput().getType());
  return success();
}

LogicalResult L2NormOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  if (failed(checkAxisInRank(loc, "l2norm", adaptor.getAxis(),
                             shapeOf(adaptor.getInput()).size())))
    return failure();
  double eps = adaptor.getEps().convertToDouble();
  if (!(eps >= 0) || std::isinf(eps))
    return emitOptionalError(loc,
                             "l2norm: eps must be a finite number >= 0, "
                             "got ",
                             eps);
  types.push_back(adaptor.getInput().getType());
  return success();
}

//===----------------------------------------------------------------------===//
// MeanOp, SumOp
//===----------------------------------------------------------------------===//

template <typename Adaptor>
static LogicalResult inferReduce(MLIRContext *ctx, std::optional<Location> loc,
                                 StringRef op, Adaptor adaptor,
                                 SmallVectorImpl<Type> &types) {
  ArrayRef<int64_t> in = shapeOf(adaptor.getInput());
  ArrayRef<int64_t> axes = adaptor.getAxes();
  if (axes.empty())
    return emitOptionalError(loc, op, ": axes must name at least one dim");
  for (auto [i, a] : llvm::enumerate(axes)) {
    if (failed(checkAxisInRank(loc, op, a, in.size())))
      return failure();
    // One spelling per reduction: the front end sorts and dedups.
    if (i > 0 && a <= axes[i - 1])
      return emitOptionalError(loc, op,
                               ": axes must be strictly increasing, "
                               "got ",
                               listStr(axes));
  }
  SmallVector<int64_t> result;
  for (auto [d, n] : llvm::enumerate(in))
    if (!llvm::is_contained(axes, static_cast<int64_t>(d)))
      result.push_back(n);
  types.push_back(f32Tensor(ctx, result));
  return success();
}

LogicalResult MeanOp::inferReturnTypes(MLIRContext *ctx,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  return inferReduce(ctx, loc, "mean", adaptor, types);
}

LogicalResult SumOp::inferReturnTypes(MLIRContext *ctx,
                                      std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &types) {
  return inferReduce(ctx, loc, "sum", adaptor, types);
}

//===----------------------------------------------------------------------===//
// ReshapeOp
//===----------------------------------------------------------------------===//

/// a * b, saturating at INT64_MAX (shapes come from user input).
static int64_t satMul(int64_t a, int64_t b) {
  if (a != 0 && b > std::numeric_limits<int64_t>::max() / a)
    return std::numeric_limits<int64_t>::max();
  return a * b;
}

LogicalResult ReshapeOp::inferReturnTypes(MLIRContext *ctx,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  ArrayRef<int64_t> in = shapeOf(adaptor.getInput());
  ArrayRef<int64_t> shape = adaptor.getShape();
  int64_t inferred = -1; // the index of the -1 entry
  for (auto [i, d] : llvm::enumerate(shape)) {
    if (d == -1) {
      if (inferred >= 0)
        return emitOptionalError(loc,
                                 "reshape: -1 may appear only once in "
                                 "the shape ",
                                 listStr(shape));
      inferred = i;
    } else if (d < 1) {
      return emitOptionalError(loc, "reshape: dim ", i, " of the shape ",
                               listStr(shape), " is ", d,
                               "; each dim must be >= 1, or -1 once");
    }
  }
  for (auto [i, d] : llvm::enumerate(in))
    if (i > 0 && ShapedType::isDynamic(d))
      return emitOptionalError(loc,
                               "reshape: only the batch dim may be "
                               "symbolic, got ",
                               shapeStr(in));

  bool dynBatch = !in.empty() && ShapedType::isDynamic(in[0]);
  // With a symbolic batch, reshape maps one batch item to one batch item:
  // the elements to place are those of [in[1], in[2], ...].
  int64_t elements = 1;
  for (int64_t d : in.drop_front(dynBatch ? 1 : 0))
    elements = satMul(elements, d);
  ArrayRef<int64_t> placed = shape;
  if (dynBatch) {
    if (inferred != 0)
      return emitOptionalError(
          loc, "reshape: the input ", shapeStr(in),
          " has a symbolic batch, which must stay dim 0: write the shape as "
          "[-1, ...] with the other dims holding one batch item (",
          elements, " elements), got ", listStr(shape));
    placed = shape.drop_front();
    inferred = -1;
  }
  int64_t known = 1;
  for (auto [i, d] : llvm::enumerate(placed))
    if (static_cast<int64_t>(i) != inferred)
      known = satMul(known, d);

  SmallVector<int64_t> result(shape);
  if (inferred >= 0) {
    if (elements % known != 0)
      return emitOptionalError(loc, "reshape: cannot reshape ", shapeStr(in),
                               " (", elements, " elements) to ", listStr(shape),
                               ": ", elements, " is not a multiple of ", known);
    result[inferred] = elements / known;
  } else if (known != elements) {
    if (dynBatch)
      return emitOptionalError(
          loc, "reshape: cannot reshape ", shapeStr(in), " to ", listStr(shape),
          ": a batch item has ", elements,
          " elements but the dims after -1 "
          "hold ",
          known, " (with a symbolic batch, -1 stands for N)");
    return emitOptionalError(loc, "reshape: cannot reshape ", shapeStr(in),
                             " (", elements, " elements) to ", listStr(shape),
                             " (", known, " elements)");
  }
  if (dynBatch)
    result[0] = kDyn;
  types.push_back(f32Tensor(ctx, result));
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  return {};
}

QdqOp mlir::net::quantizedSource(Value v) {
  while (auto pool = v.getDefiningOp<MaxPoolOp>()) {
    if (!pool->hasAttr(kInt8Attr))
      return nullptr;
    v = pool.getInput();
  }
  return v.getDefiningOp<QdqOp>();
}

LogicalResult QdqOp::verify() {
  float scale = getScale().convertToFloat();
  if (!(scale > 0.0f) || !std::isfinite(scale))
    return emitOpError() << "needs a finite scale > 0, got " << scale;
  if (getZeroPoint() < 0 || getZeroPoint() > 255)
    return emitOpError() << "needs a zero_point in [0, 255], got "
                         << getZeroPoint();
  return success();
}
