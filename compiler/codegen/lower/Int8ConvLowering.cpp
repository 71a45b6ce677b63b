//===- Int8ConvLowering.cpp - int8 convolutions on u8 codes ---------------===//
//
// A net.int8 convolution whose input is a net.qdq value (u8 codes q_x with
// scale s_x and zero point z) and whose weights net-quantize made q_w[o] *
// s_w[o] (int8 codes, per output channel):
//   y[o] = s_x s_w[o] sum (q_x - z) q_w[o] + b[o]
//        = (s_x s_w[o]) acc[o] + (b[o] - z s_x s_w[o] sum q_w[o]),
//   acc[o] = sum q_x q_w[o]   (int32, exact),
// so the kernel sums u8 x i8 products in int32 and its epilogue is one
// multiply-add per output channel (both vectors prepared when the library
// is opened), then the residual and the activation in f32. Padding reads
// the zero point (q_x = z contributes 0).
//
// The sum runs over groups of G input channels (G = 4: vpdpbusd sums 4
// products per int32 lane; G = 2: vpmaddwd sums 2 i16 products): the
// reduction's innermost RVar has extent G and is vectorized atomically
// inside the vectorized output channels, which is the VectorReduce that
// Halide 14 maps to those instructions (architecture.md). The weights are
// packed so each group of a channel's G codes is one 32- (16-) bit lane:
// dims (k < G, o % V, c / G, kx, ky, o / V).
//
//===----------------------------------------------------------------------===//
#include "codegen/lower/ConvSpec.h"

using namespace netc;
using namespace Halide;
using namespace Halide::ConciseCasts;

mlir::LogicalResult netc::lowerInt8Conv(LowerContext &cx, const ConvSpec &c,
                                        mlir::net::TileAttr tile,
                                        std::string &error) {
  if (!paramsAreWeights(c, error))
    return mlir::failure();
  const HTensor &x = cx.get(c.input);
  std::vector<int64_t> ws = shapeOf(c.weight); // O, C, KH, KW
  int64_t O = ws[0], C = ws[1], KH = ws[2], KW = ws[3];
  int G = tile.int8Dot(), V = (int)tile.getVec();
  int64_t R = (C + G - 1) / G;
  // Blocks of V output channels when they divide O (a tile's weights for
  // one channel group are then one stream), else one block of them all.
  bool blocked = O % V == 0;
  int64_t block = blocked ? V : O;
  std::string w = paramName(c.weight), layer = layerName(c);

  PrepSpec codes;
  codes.kind = PrepKind::Int8Conv;
  codes.sources = {w};
  codes.extents = {G, block, R, KW, KH, O / block};
  codes.strides = stridesFor(codes.extents, {0, 1, 2, 3, 4, 5});
  Func wq = cx.prepared(codes, "int8_" + w);
  PrepSpec scale;
  scale.kind = PrepKind::Int8Scale;
  scale.sources = {w};
  scale.eps = x.scale;
  scale.extents = {O};
  scale.strides = {1};
  Func factor = cx.prepared(scale, "int8_scale_" + w);
  PrepSpec bias = scale;
  bias.kind = PrepKind::Int8Bias;
  bias.sources = {w, paramName(c.bias)};
  bias.param = x.zeroPoint;
  Func shift = cx.prepared(bias, "int8_bias_" + w);

  // The input with the zero point outside it and in the channels past C
  // (their weights are zero): the kernel's loads need no guard. For
  // vpmaddwd the copy is widened to i16 (always made, even unpadded): a
  // channel pair is then one 32-bit broadcast, where u8 codes took a
  // broadcast and a widening shuffle per column (1.3x on resnet50's 1x1
  // layers with AVX2).
  std::vector<Var> v = cx.makeVars(4); // x, y, o, n
  Var o = v[2], n = v[3];
  bool hasPad = llvm::any_of(c.pad, [](int64_t p) { return p != 0; });
  bool widen = G == 2;
  Func in = x.codes, padded;
  if (hasPad || C % G || widen) {
    padded = Func(cx.fresh(layer + "_pad"));
    std::vector<Var> pv = cx.makeVars(4);
    std::vector<Expr> at = cx.asExprs(pv);
    Expr inside = pv[2] < (int)C;
    at[2] = min(pv[2], (int)C - 1);
    for (int i = 0; i < 2; ++i) {
      int64_t extent = x.shape[3 - i];
      inside = inside && pv[i] >= 0 && pv[i] < (int)extent;
      at[i] = clamp(pv[i], 0, (int)extent - 1);
    }
    Expr code = select(inside, x.codes(at), u8(x.zeroPoint));
    padded(pv) = widen ? i16(code) : code;
    in = padded;
  }

  RDom r({{0, G}, {0, (int)KW}, {0, (int)KH}, {0, (int)R}},
         cx.fresh("r_int8"));
  // Halide dim i is NCHW spatial index 1 - i.
  Expr ix = v[0] * (int)c.stride[1] + r[1] * (int)c.dil[1] - (int)c.pad[1];
  Expr iy = v[1] * (int)c.stride[0] + r[2] * (int)c.dil[0] - (int)c.pad[0];
  Expr wAt = blocked ? wq(r[0], o % V, r[3], r[1], r[2], o / V)
                     : wq(r[0], o, r[3], r[1], r[2], 0);
  Func acc(cx.fresh(layer + "_sum"));
  acc(cx.asExprs(v)) = 0;
  acc(cx.asExprs(v)) += i32(in(ix, iy, r[3] * G + r[0], n)) * i32(wAt);

  Expr value = f32(acc(cx.asExprs(v))) * factor(o) + shift(o);
  if (c.residual)
    value = value + cx.get(c.residual).f(cx.asExprs(v));
  Func out(cx.fresh(layer));
  out(cx.asExprs(v)) = activation(c, value);
  cx.define(c.op->getResult(0), out, v, OpStage::Conv, false, {}, r);
  OpStage &s = cx.model.stages.back();
  s.acc = acc;
  s.paddedInput = padded;
  s.tile = {(int)tile.getVec(), (int)tile.getOc(), (int)tile.getOw(),
            tile.getOrder() == mlir::net::TileOrder::blocks_outer, G};
  return mlir::success();
}
