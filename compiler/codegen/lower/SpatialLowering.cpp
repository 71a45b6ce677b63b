//===- SpatialLowering.cpp - deconv, lrn, upsample ------------------------===//
//
// The spatial ops with an op of their own (the rest of the family is built
// from core ops by the front end). Halide dims are the reverse of NCHW.
//
//===----------------------------------------------------------------------===//
#include "codegen/lower/LowerContext.h"

#include "net/IR/NetOps.h"

using namespace netc;
using namespace Halide;

/// Transposed convolution as a gather: output position i receives input
/// position j through tap k when i = j*s - p + k*d, so each output sums the
/// taps for which (i + p - k*d) is a multiple of s that lands in the input.
static void lowerDeconv(LowerContext &cx, mlir::net::DeconvOp op) {
  const HTensor &x = cx.get(op.getInput());
  const HTensor &w = cx.get(op.getWeight()); // [C, O, k...]
  size_t spatial = x.rank() - 2;
  llvm::ArrayRef<int64_t> stride = op.getStride(), pad = op.getPad(),
                          dil = op.getDilation();

  // Reduction over the kernel taps (innermost first) and input channels.
  Region dom;
  for (size_t i = 0; i < spatial; ++i)
    dom.push_back(Range(0, (int)w.shape[w.rank() - 1 - i]));
  dom.push_back(Range(0, (int)w.shape[0]));
  RDom r(dom, cx.fresh("r_deconv"));

  std::vector<Var> v = cx.makeVars(x.rank()); // v[spatial] = o
  Var o = v[spatial], n = v[spatial + 1];
  Expr valid = Internal::const_true();
  std::vector<Expr> inAt, wAt;
  for (size_t i = 0; i < spatial; ++i) {
    size_t d = spatial - 1 - i; // NCHW spatial index of Halide dim i
    int in = (int)x.shape[x.rank() - 1 - i];
    Expr t = v[i] + (int)pad[d] - r[i] * (int)dil[d];
    Expr j = t;
    if (stride[d] != 1) {
      // Halide's / and % round towards -inf: negative t stays invalid.
      j = t / (int)stride[d];
      valid = valid && t % (int)stride[d] == 0;
    }
    valid = valid && j >= 0 && j < in;
    inAt.push_back(clamp(j, 0, in - 1));
    wAt.push_back(r[i]);
  }
  inAt.push_back(r[spatial]);
  inAt.push_back(n);
  wAt.push_back(o);
  wAt.push_back(r[spatial]);

  Func f(cx.fresh("deconv"));
  std::vector<Expr> at = cx.asExprs(v);
  f(at) = op.getBias() ? cx.get(op.getBias()).f(o) : Expr(0.0f);
  f(at) += select(valid, w.f(wAt) * x.f(inAt), 0.0f);
  cx.define(op.getResult(), f, v, OpStage::Conv, true, {}, r);
}

/// x / (k + alpha/size * sum of x^2 over a zero-padded channel window)^beta,
/// the window [c - size/2, c + (size-1)/2] as PyTorch pads it.
static void lowerLrn(LowerContext &cx, mlir::net::LrnOp op) {
  const HTensor &x = cx.get(op.getInput());
  int size = (int)op.getSize();
  int channels = (int)x.shape[1];
  size_t cdim = x.rank() - 2; // Halide dim of the channels
  std::vector<Var> v = cx.makeVars(x.rank());
  std::vector<Expr> at = cx.asExprs(v);

  // Taps over the window, or over all channels when the window is wider
  // (then no more than C taps per element, whatever the size).
  Expr c, inside;
  RDom r;
  if (size <= channels) {
    r = RDom(0, size, cx.fresh("r_lrn"));
    c = v[cdim] - size / 2 + r;
    inside = c >= 0 && c < channels;
  } else {
    r = RDom(0, channels, cx.fresh("r_lrn"));
    c = r;
    inside = c >= v[cdim] - size / 2 && c <= v[cdim] + (size - 1) / 2;
  }
  std::vector<Expr> win = at;
  win[cdim] = clamp(c, 0, channels - 1);
  Expr xv = x.f(win);
  Func sum(cx.fresh("lrn_sum"));
  sum(at) = 0.0f;
  sum(at) += select(inside, xv * xv, 0.0f);

  float alpha = op.getAlpha().convertToFloat();
  float beta = op.getBeta().convertToFloat();
  float k = op.getK().convertToFloat();
  Func f(cx.fresh("lrn"));
  f(at) = x.f(at) / pow(k + sum(at) * (alpha / (float)size), beta);
  cx.define(op.getResult(), f, v, OpStage::Elementwise, false, {sum});
}

/// nn.Upsample with integer factors: "nearest" reads x[i / s]; the linear
/// modes (align_corners=False) interpolate between the two inputs around
/// src = max((i + 0.5) / s - 0.5, 0), per spatial dim.
static void lowerUpsample(LowerContext &cx, mlir::net::UpsampleOp op) {
  const HTensor &x = cx.get(op.getInput());
  size_t spatial = x.rank() - 2;
  llvm::ArrayRef<int64_t> scale = op.getScale();
  std::vector<Var> v = cx.makeVars(x.rank());
  Func f(cx.fresh("upsample"));
  if (op.getMode() == "nearest") {
    std::vector<Expr> at = cx.asExprs(v);
    for (size_t i = 0; i < spatial; ++i)
      if (scale[spatial - 1 - i] != 1)
        at[i] = v[i] / (int)scale[spatial - 1 - i];
    f(cx.asExprs(v)) = x.f(at);
    cx.define(op.getResult(), f, v, OpStage::Elementwise, false);
    return;
  }
  std::vector<Expr> lo(spatial), hi(spatial), wLo(spatial), wHi(spatial);
  for (size_t i = 0; i < spatial; ++i) {
    int s = (int)scale[spatial - 1 - i];
    int in = (int)x.shape[x.rank() - 1 - i];
    Expr src = max((cast<float>(v[i]) + 0.5f) / (float)s - 0.5f, 0.0f);
    lo[i] = min(cast<int>(src), in - 1); // src >= 0: truncation is floor
    hi[i] = min(lo[i] + 1, in - 1);
    wHi[i] = src - cast<float>(lo[i]);
    wLo[i] = 1.0f - wHi[i];
  }
  // Sum over the 2^spatial corners of the cell.
  Expr value = 0.0f;
  for (unsigned corner = 0; corner < (1u << spatial); ++corner) {
    std::vector<Expr> at = cx.asExprs(v);
    Expr weight = 1.0f;
    for (size_t i = 0; i < spatial; ++i) {
      bool high = corner & (1u << i);
      at[i] = high ? hi[i] : lo[i];
      weight = weight * (high ? wHi[i] : wLo[i]);
    }
    value = value + weight * x.f(at);
  }
  f(cx.asExprs(v)) = value;
  cx.define(op.getResult(), f, v, OpStage::Elementwise, false);
}

void netc::registerSpatialLowerings(LowerTable &t) {
  addLowering<mlir::net::DeconvOp>(t, lowerDeconv);
  addLowering<mlir::net::LrnOp>(t, lowerLrn);
  addLowering<mlir::net::UpsampleOp>(t, lowerUpsample);
}
