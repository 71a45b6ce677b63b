//===- NetVisionOps.cpp - Type inference of the vision ops ----------------===//
//
// gram, correlation and the loss terms bce, triplet, contrastive,
// content_cost, style_cost, epe.
//
//===----------------------------------------------------------------------===//
#include "net/IR/NetOps.h"
#include "ShapeUtils.h"

using namespace mlir;
using namespace mlir::net;
using namespace mlir::net::detail;

/// Requires [N, C, spatial...] with 1 to 3 spatial dims, all static but N.
static LogicalResult checkFeatureMap(std::optional<Location> loc, StringRef op,
                                     StringRef what, ArrayRef<int64_t> s) {
  if (s.size() < 3 || s.size() > 5)
    return emitOptionalError(loc, op, ": ", what,
                             " must be [N, C, spatial...] with 1 to 3 "
                             "spatial dims, got ",
                             shapeStr(s));
  for (int64_t d : s.drop_front())
    if (ShapedType::isDynamic(d))
      return emitOptionalError(loc, op, ": only the batch dim of the ", what,
                               " may be symbolic, got ", shapeStr(s));
  return success();
}

/// Requires operands of one shape [N, ...] with static non-batch dims.
static LogicalResult checkSameShapes(std::optional<Location> loc, StringRef op,
                                     ValueRange values) {
  ArrayRef<int64_t> first = shapeOf(values[0]);
  for (Value v : values.drop_front())
    if (shapeOf(v) != first)
      return emitOptionalError(loc, op, ": shapes ", shapeStr(first), " and ",
                               shapeStr(shapeOf(v)), " differ");
  if (first.empty())
    return emitOptionalError(loc, op, ": operands must be [N, ...], got a "
                                      "scalar");
  for (int64_t d : first.drop_front())
    if (ShapedType::isDynamic(d))
      return emitOptionalError(loc, op, ": only the batch dim may be "
                                        "symbolic, got ",
                               shapeStr(first));
  return success();
}

static LogicalResult scalarLoss(MLIRContext *ctx, std::optional<Location> loc,
                                StringRef op, StringRef reduction,
                                SmallVectorImpl<Type> &types) {
  if (failed(checkReduction(loc, op, reduction)))
    return failure();
  types.push_back(f32Tensor(ctx, {}));
  return success();
}

//===----------------------------------------------------------------------===//
// gram, correlation
//===----------------------------------------------------------------------===//

LogicalResult GramOp::inferReturnTypes(MLIRContext *ctx,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  ArrayRef<int64_t> in = shapeOf(adaptor.getInput());
  if (failed(checkFeatureMap(loc, "gram", "input", in)))
    return failure();
  types.push_back(f32Tensor(ctx, {in[0], in[1], in[1]}));
  return success();
}

LogicalResult CorrelationOp::inferReturnTypes(MLIRContext *ctx,
                                              std::optional<Location> loc,
                                              Adaptor adaptor,
                                              SmallVectorImpl<Type> &types) {
  ArrayRef<int64_t> a = shapeOf(adaptor.getLhs());
  ArrayRef<int64_t> b = shapeOf(adaptor.getRhs());
  if (a.size() != 4)
    return emitOptionalError(loc, "correlation: inputs must be [N, C, H, W], "
                                  "got ",
                             shapeStr(a));
  if (failed(checkFeatureMap(loc, "correlation", "first input", a)))
    return failure();
  if (a != b)
    return emitOptionalError(loc, "correlation: shapes ", shapeStr(a), " and ",
                             shapeStr(b), " differ");
  int64_t d = adaptor.getMaxDisp(), s = adaptor.getStride();
  if (d < 0)
    return emitOptionalError(loc, "correlation: max_disp must be >= 0, got ",
                             d);
  if (s < 1)
    return emitOptionalError(loc, "correlation: stride must be >= 1, got ", s);
  if (d % s != 0)
    return emitOptionalError(loc, "correlation: max_disp ", d,
                             " is not a multiple of stride ", s);
  int64_t per = 2 * (d / s) + 1;
  // Bounded so that the channel count stays a 32-bit extent.
  if (per > 46340)
    return emitOptionalError(loc, "correlation: max_disp ", d, " / stride ", s,
                             " gives too many displacements");
  types.push_back(f32Tensor(ctx, {a[0], per * per, a[2], a[3]}));
  return success();
}

//===----------------------------------------------------------------------===//
// Loss terms
//===----------------------------------------------------------------------===//

LogicalResult BceOp::inferReturnTypes(MLIRContext *ctx,
                                      std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &types) {
  if (failed(checkSameShapes(loc, "bce", {adaptor.getLhs(), adaptor.getRhs()})))
    return failure();
  return scalarLoss(ctx, loc, "bce", adaptor.getReduction(), types);
}

LogicalResult TripletOp::inferReturnTypes(MLIRContext *ctx,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  if (failed(checkSameShapes(loc, "triplet",
                             {adaptor.getAnchor(), adaptor.getPositive(),
                              adaptor.getNegative()})))
    return failure();
  return scalarLoss(ctx, loc, "triplet", adaptor.getReduction(), types);
}

LogicalResult ContrastiveOp::inferReturnTypes(MLIRContext *ctx,
                                              std::optional<Location> loc,
                                              Adaptor adaptor,
                                              SmallVectorImpl<Type> &types) {
  if (failed(checkSameShapes(loc, "contrastive",
                             {adaptor.getLhs(), adaptor.getRhs()})))
    return failure();
  ArrayRef<int64_t> a = shapeOf(adaptor.getLhs());
  ArrayRef<int64_t> same = shapeOf(adaptor.getSame());
  if (same.size() != 1 || same[0] != a[0])
    return emitOptionalError(loc, "contrastive: 'same' must be [N] with the "
                                  "inputs' batch, got ",
                             shapeStr(same), " for inputs ", shapeStr(a));
  return scalarLoss(ctx, loc, "contrastive", adaptor.getReduction(), types);
}

LogicalResult ContentCostOp::inferReturnTypes(MLIRContext *ctx,
                                              std::optional<Location> loc,
                                              Adaptor adaptor,
                                              SmallVectorImpl<Type> &types) {
  if (failed(checkSameShapes(loc, "content_cost",
                             {adaptor.getLhs(), adaptor.getRhs()})))
    return failure();
  return scalarLoss(ctx, loc, "content_cost", adaptor.getReduction(), types);
}

LogicalResult StyleCostOp::inferReturnTypes(MLIRContext *ctx,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  ArrayRef<int64_t> a = shapeOf(adaptor.getLhs());
  if (failed(checkFeatureMap(loc, "style_cost", "first input", a)) ||
      failed(checkSameShapes(loc, "style_cost",
                             {adaptor.getLhs(), adaptor.getRhs()})))
    return failure();
  return scalarLoss(ctx, loc, "style_cost", adaptor.getReduction(), types);
}

LogicalResult EpeOp::inferReturnTypes(MLIRContext *ctx,
                                      std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &types) {
  ArrayRef<int64_t> a = shapeOf(adaptor.getLhs());
  if (a.size() != 4 || a[1] != 2)
    return emitOptionalError(loc, "epe: flow must be [N, 2, H, W], got ",
                             shapeStr(a));
  if (failed(checkSameShapes(loc, "epe", {adaptor.getLhs(), adaptor.getRhs()})))
    return failure();
  return scalarLoss(ctx, loc, "epe", adaptor.getReduction(), types);
}
