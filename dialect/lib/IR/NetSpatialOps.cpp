//===- NetSpatialOps.cpp - Type inference of the spatial ops --------------===//
//
// deconv, lrn and upsample. (dwconv, minpool, the global pools and residual
// are built by the front end out of conv, maxpool/avgpool, affine, batchnorm
// and add.)
//
//===----------------------------------------------------------------------===//
#include "net/IR/NetOps.h"
#include "ShapeUtils.h"

using namespace mlir;
using namespace mlir::net;
using namespace mlir::net::detail;

/// Extents are 32-bit in the generated code.
static constexpr int64_t kMaxExtent = (int64_t(1) << 31) - 1;

static LogicalResult checkSpatialInput(std::optional<Location> loc,
                                       StringRef op, ArrayRef<int64_t> in) {
  if (in.size() < 3 || in.size() > 5)
    return emitOptionalError(loc, op, ": input must be [N, C, spatial...] "
                                      "with 1 to 3 spatial dims, got ",
                             shapeStr(in));
  return success();
}

//===----------------------------------------------------------------------===//
// DeconvOp
//===----------------------------------------------------------------------===//

LogicalResult DeconvOp::inferReturnTypes(MLIRContext *ctx,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  ArrayRef<int64_t> in = shapeOf(adaptor.getInput());
  ArrayRef<int64_t> w = shapeOf(adaptor.getWeight());
  if (failed(checkSpatialInput(loc, "deconv", in)))
    return failure();
  size_t spatial = in.size() - 2;
  if (w.size() != in.size())
    return emitOptionalError(loc, "deconv: weight ", shapeStr(w),
                             " must have rank ", in.size(), " like the input");
  if (!ShapedType::isDynamic(in[1]) && w[0] != in[1])
    return emitOptionalError(loc, "deconv: input has ", in[1],
                             " channels but the weight ", shapeStr(w),
                             " expects ", w[0]);
  int64_t out = w[1];
  if (Value bias = adaptor.getBias())
    if (failed(checkParamShape(loc, "deconv", "bias", bias, {out})))
      return failure();
  ArrayRef<int64_t> s = adaptor.getStride(), p = adaptor.getPad(),
                    op = adaptor.getOutputPad(), d = adaptor.getDilation();
  if (failed(checkSpatialList(loc, "deconv", "stride", s, spatial, 1)) ||
      failed(checkSpatialList(loc, "deconv", "pad", p, spatial, 0)) ||
      failed(checkSpatialList(loc, "deconv", "output_pad", op, spatial, 0)) ||
      failed(checkSpatialList(loc, "deconv", "dilation", d, spatial, 1)))
    return failure();

  SmallVector<int64_t> result = {in[0], out};
  for (size_t i = 0; i < spatial; ++i) {
    // As PyTorch: the extra size must not reach the next window.
    if (op[i] >= s[i] && op[i] >= d[i])
      return emitOptionalError(loc, "deconv: output_pad ", op[i],
                               " of spatial dim ", i,
                               " must be smaller than its stride ", s[i],
                               " or its dilation ", d[i]);
    int64_t n = in[2 + i];
    if (ShapedType::isDynamic(n)) {
      result.push_back(kDyn);
      continue;
    }
    // In double first: attributes of parsed IR may be huge.
    double big = double(n - 1) * s[i] - 2.0 * p[i] +
                 double(d[i]) * (w[2 + i] - 1) + op[i] + 1;
    if (big > kMaxExtent)
      return emitOptionalError(loc, "deconv: spatial dim ", i,
                               " would have an output size above ",
                               kMaxExtent);
    int64_t o = (n - 1) * s[i] - 2 * p[i] + d[i] * (w[2 + i] - 1) + op[i] + 1;
    if (o < 1)
      return emitOptionalError(loc, "deconv: spatial dim ", i, " of size ", n,
                               " with kernel ", w[2 + i], ", stride ", s[i],
                               ", dilation ", d[i], " and pad ", p[i],
                               " gives an output size below 1");
    result.push_back(o);
  }
  types.push_back(f32Tensor(ctx, result));
  return success();
}

//===----------------------------------------------------------------------===//
// LrnOp
//===----------------------------------------------------------------------===//

LogicalResult LrnOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &types) {
  if (failed(checkSpatialInput(loc, "lrn", shapeOf(adaptor.getInput()))))
    return failure();
  if (adaptor.getSize() < 1)
    return emitOptionalError(loc, "lrn: size must be >= 1, got ",
                             adaptor.getSize());
  types.push_back(adaptor.getInput().getType());
  return success();
}

//===----------------------------------------------------------------------===//
// UpsampleOp
//===----------------------------------------------------------------------===//

LogicalResult UpsampleOp::inferReturnTypes(MLIRContext *ctx,
                                           std::optional<Location> loc,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &types) {
  ArrayRef<int64_t> in = shapeOf(adaptor.getInput());
  if (failed(checkSpatialInput(loc, "upsample", in)))
    return failure();
  size_t spatial = in.size() - 2;
  ArrayRef<int64_t> scale = adaptor.getScale();
  if (failed(checkSpatialList(loc, "upsample", "scale", scale, spatial, 1)))
    return failure();
  StringRef mode = adaptor.getMode();
  static const char *linear[] = {"linear", "bilinear", "trilinear"};
  if (mode != "nearest" && mode != linear[spatial - 1]) {
    if (llvm::is_contained(linear, mode))
      return emitOptionalError(loc, "upsample: mode \"", mode,
                               "\" does not fit an input with ", spatial,
                               " spatial dims ", shapeStr(in),
                               "; use \"nearest\" or \"",
                               linear[spatial - 1], "\"");
    return emitOptionalError(loc, "upsample: mode must be \"nearest\" or \"",
                             linear[spatial - 1], "\", got \"", mode, "\"");
  }
  SmallVector<int64_t> result = {in[0], in[1]};
  for (size_t i = 0; i < spatial; ++i) {
    int64_t n = in[2 + i];
    if (ShapedType::isDynamic(n)) {
      result.push_back(kDyn);
      continue;
    }
    if (scale[i] > kMaxExtent / std::max<int64_t>(n, 1))
      return emitOptionalError(loc, "upsample: spatial dim ", i, " of size ",
                               n, " times ", scale[i], " is too large");
    result.push_back(n * scale[i]);
  }
  types.push_back(f32Tensor(ctx, result));
  return success();
}
