//===- LayerGradLowering.cpp - Gradients of conv, fc, pools, batchnorm ----===//
//
// Every gradient is a gather: each element of the result sums, over a
// reduction domain, what reaches it. The input gradient of a strided
// convolution or pool visits each tap of the kernel and keeps those whose
// output position is whole (t % stride == 0) and inside the output.
//
//===----------------------------------------------------------------------===//
#include "codegen/lower/LowerContext.h"

#include "net/IR/NetOps.h"

#include <algorithm>
#include <limits>

using namespace netc;
using namespace Halide;

namespace {

/// The output position a tap reaches: for Halide spatial dim i of an
/// input position v[i], tap `k` (scaled by dilation) of a window with
/// stride s and padding p covers output j = (v + p - k) / s, which exists
/// when the division is exact and 0 <= j < out.
struct Reach {
  std::vector<Expr> at; // the output coordinates (clamped)
  Expr valid = Internal::const_true();
};

Reach reach(const std::vector<Var> &v, const std::vector<Expr> &taps,
            llvm::ArrayRef<int64_t> stride, llvm::ArrayRef<int64_t> pad,
            llvm::ArrayRef<int64_t> dilation,
            const std::vector<int64_t> &outShape) {
  Reach r;
  size_t spatial = taps.size(), rank = outShape.size();
  for (size_t i = 0; i < spatial; ++i) {
    size_t d = spatial - 1 - i; // NCHW spatial index
    int s = (int)stride[d], out = (int)outShape[rank - 1 - i];
    Expr t = v[i] + (int)pad[d] - (int)(dilation.empty() ? 1 : dilation[d]) * taps[i];
    Expr j = s == 1 ? t : t / s;
    Expr ok = t >= 0 && j < out;
    if (s != 1)
      ok = ok && t % s == 0;
    r.valid = r.valid && ok;
    r.at.push_back(clamp(j, 0, out - 1));
  }
  return r;
}

/// x(at) with zeros where a spatial coordinate leaves the input.
Expr zeroOutside(const HTensor &x, std::vector<Expr> at, size_t spatial) {
  Expr inside = Internal::const_true();
  for (size_t i = 0; i < spatial; ++i) {
    int n = (int)x.shape[x.rank() - 1 - i];
    inside = inside && at[i] >= 0 && at[i] < n;
    at[i] = clamp(at[i], 0, n - 1);
  }
  // likely: Halide splits the loops into the interior, where the clamps
  // and the select go away (dense vector loads), and the borders.
  return select(likely(inside), x.f(at), 0.0f);
}

/// `t` zero outside its spatial extent, as a Func a schedule materializes
/// over the region its readers need (so they read it without guards).
Func zeroPadded(LowerContext &cx, const HTensor &t, const std::string &name) {
  std::vector<Var> v = cx.makeVars(t.rank());
  std::vector<Expr> at(v.begin(), v.end());
  size_t spatial = t.rank() - 2;
  Func p(cx.fresh(name));
  p(v) = zeroOutside(t, at, spatial);
  return p;
}

/// The tile of a gradient kernel: the channel dim unrolled by up to 4.
void tileStage(LowerContext &cx, mlir::Value result, Func f, Func acc,
               std::vector<Var> v, int tileVar, RDom r,
               std::vector<Func> helpers) {
  cx.define(result, f, v, OpStage::Reduction, false, std::move(helpers), r);
  OpStage &s = cx.model.stages.back();
  s.acc = acc;
  s.regTileVar = tileVar;
  s.regTile = (int)std::min<int64_t>(4, s.shape[s.shape.size() - 1 - tileVar] > 0
                                             ? s.shape[s.shape.size() - 1 - tileVar]
                                             : 4);
}

void lowerConvGradInput(LowerContext &cx, mlir::net::ConvGradInputOp op) {
  const HTensor &dy = cx.get(op.getGrad());
  const HTensor &w = cx.get(op.getWeight());
  std::vector<int64_t> shape = shapeOf(op.getResult());
  size_t rank = shape.size(), spatial = rank - 2;
  int groups = (int)op.getGroups();
  int outCh = (int)w.shape[0], perGroupIn = (int)w.shape[1];
  int perGroupOut = outCh / groups;
  std::vector<Var> v = cx.makeVars(rank);
  Var c = v[rank - 2], n = v[rank - 1];
  Region dom;
  for (size_t i = 0; i < spatial; ++i)
    dom.push_back(Range(0, (int)w.shape[rank - 1 - i]));
  dom.push_back(Range(0, perGroupOut));
  RDom r(dom, cx.fresh("r_dgrad"));
  // dy zero-padded: each tap reads it without a bounds test; a strided
  // convolution's taps that fall between outputs are skipped.
  Func dyp = zeroPadded(cx, dy, "grad_padded");
  std::vector<Expr> dyAt;
  Expr whole = Internal::const_true();
  for (size_t i = 0; i < spatial; ++i) {
    size_t d = spatial - 1 - i;
    int st = (int)op.getStride()[d];
    Expr t = v[i] + (int)op.getPad()[d] - (int)op.getDilation()[d] * r[(int)i];
    dyAt.push_back(st == 1 ? t : t / st);
    if (st != 1)
      whole = whole && t % st == 0;
  }
  Expr o = groups == 1 ? Expr(r[(int)spatial])
                       : (c / perGroupIn) * perGroupOut + r[(int)spatial];
  Expr wc = groups == 1 ? Expr(c) : c % perGroupIn;
  std::vector<Expr> wAt;
  for (size_t i = 0; i < spatial; ++i)
    wAt.push_back(r[(int)i]);
  dyAt.insert(dyAt.end(), {o, n});
  wAt.insert(wAt.end(), {wc, o});
  Func acc(cx.fresh("conv_grad_input_sums")), f(cx.fresh("conv_grad_input"));
  Expr term = dyp(dyAt) * w.f(wAt);
  acc(v) = 0.0f;
  acc(v) += Internal::is_const_one(whole) ? term : select(whole, term, 0.0f);
  f(v) = acc(v);
  tileStage(cx, op.getResult(), f, acc, v, (int)rank - 2, r, {dyp});
}

/// dw[o, c, k] = sum over n and output pixels p of dy[n, o, p] *
/// x[n, c, s*p - pad + d*k]: per vector lane of the innermost pixel dim a
/// partial sum (`acc`, over the batch, the rows and the lane's columns),
/// then the lanes summed. Reads zero-padded copies of x and dy (dy padded
/// to whole vectors of columns).
void lowerConvGradWeight(LowerContext &cx, mlir::net::ConvGradWeightOp op,
                         int lanes) {
  const HTensor &x = cx.get(op.getInput());
  const HTensor &dy = cx.get(op.getGrad());
  std::vector<int64_t> shape = shapeOf(op.getResult());
  size_t rank = shape.size(), spatial = rank - 2;
  int groups = (int)op.getGroups();
  int perGroupIn = (int)shape[1], perGroupOut = (int)shape[0] / groups;
  int cols = (int)dy.shape[rank - 1];
  int chunks = (cols + lanes - 1) / lanes;
  std::vector<Var> v = cx.makeVars(rank); // k..., c, o
  Var c = v[rank - 2], o = v[rank - 1], lane("lane");
  std::vector<Var> av = {lane};
  av.insert(av.end(), v.begin(), v.end());
  Region dom = {Range(0, chunks)};
  for (size_t i = 1; i < spatial; ++i)
    dom.push_back(Range(0, (int)dy.shape[rank - 1 - i]));
  dom.push_back(Range(0, cx.extent(dy, 0)));
  RDom r(dom, cx.fresh("r_wgrad"));
  Func xp = zeroPadded(cx, x, "input_padded"), dyp = zeroPadded(cx, dy, "grad_padded");
  std::vector<Expr> dyAt, xAt;
  for (size_t i = 0; i < spatial; ++i) {
    size_t d = spatial - 1 - i;
    Expr p = i == 0 ? r[0] * lanes + lane : Expr(r[(int)i]);
    dyAt.push_back(p);
    xAt.push_back(p * (int)op.getStride()[d] - (int)op.getPad()[d] +
                  v[i] * (int)op.getDilation()[d]);
  }
  Expr item = r[(int)spatial];
  dyAt.insert(dyAt.end(), {o, item});
  Expr cin = groups == 1 ? Expr(c) : (o / perGroupOut) * perGroupIn + c;
  xAt.insert(xAt.end(), {cin, item});
  Func acc(cx.fresh("conv_grad_weight_lanes")), f(cx.fresh("conv_grad_weight"));
  acc(av) = 0.0f;
  acc(av) += dyp(dyAt) * xp(xAt);
  RDom rl(0, lanes, cx.fresh("r_lanes"));
  std::vector<Expr> at = {rl};
  at.insert(at.end(), v.begin(), v.end());
  f(v) = 0.0f;
  f(v) += acc(at);
  cx.define(op.getResult(), f, v, OpStage::Reduction, true, {xp, dyp}, r);
  OpStage &s = cx.model.stages.back();
  s.acc = acc;
  s.regLanes = true;
  s.regTileVar = 0; // the kernel's columns, unrolled across a tile
  s.regTile = (int)shape[rank - 1];
}

void lowerFcGradInput(LowerContext &cx, mlir::net::FcGradInputOp op) {
  const HTensor &dy = cx.get(op.getGrad());
  const HTensor &w = cx.get(op.getWeight());
  std::vector<int64_t> shape = shapeOf(op.getResult());
  size_t rank = shape.size();
  // dy W on the flattened input [N, features], viewed in its shape after.
  RDom r(0, (int)w.shape[0], cx.fresh("r_fc_dgrad"));
  Var i("x"), n("y");
  Func acc(cx.fresh("fc_grad_input_sums")), flat(cx.fresh("fc_grad_input_flat"));
  acc(i, n) = 0.0f;
  acc(i, n) += dy.f(r, n) * w.f(i, r);
  flat(i, n) = acc(i, n);
  if (rank == 2) {
    tileStage(cx, op.getResult(), flat, acc, {i, n}, 1, r, {});
    return;
  }
  int64_t features = 1;
  for (size_t d = 1; d < rank; ++d)
    features *= shape[d];
  cx.model.stages.push_back({OpStage::Reduction, flat, {i, n},
                             {shape[0], features}, false, {}, r});
  OpStage &s = cx.model.stages.back();
  s.acc = acc;
  s.regTileVar = 1;
  s.regTile = 4;
  std::vector<Var> v = cx.makeVars(rank);
  Expr feature = 0;
  int stride = 1;
  for (size_t d = 0; d + 1 < rank; ++d) {
    feature = feature + v[d] * stride;
    stride *= (int)shape[rank - 1 - d];
  }
  Func f(cx.fresh("fc_grad_input"));
  f(v) = flat(feature, v[rank - 1]);
  cx.define(op.getResult(), f, v, OpStage::Elementwise, false);
}

void lowerFcGradWeight(LowerContext &cx, mlir::net::FcGradWeightOp op) {
  const HTensor &x = cx.get(op.getInput());
  const HTensor &dy = cx.get(op.getGrad());
  Func flat = cx.flattened(x, cx.fresh("flatten"));
  RDom r(0, cx.extent(dy, 0), cx.fresh("r_fc_wgrad"));
  Var i("x"), o("y");
  Func acc(cx.fresh("fc_grad_weight_sums")), f(cx.fresh("fc_grad_weight"));
  acc(i, o) = 0.0f;
  acc(i, o) += dy.f(o, r) * flat(i, r);
  f(i, o) = acc(i, o);
  tileStage(cx, op.getResult(), f, acc, {i, o}, 1, r, {});
}

/// The kernel taps of a pool as a reduction domain (Halide dim order).
RDom tapDomain(LowerContext &cx, llvm::ArrayRef<int64_t> kernel,
               const std::string &name, std::vector<Expr> &taps) {
  Region dom;
  for (size_t i = 0; i < kernel.size(); ++i)
    dom.push_back(Range(0, (int)kernel[kernel.size() - 1 - i]));
  RDom r(dom, cx.fresh(name));
  for (int i = 0; i < r.dimensions(); ++i)
    taps.push_back(r[i]);
  return r;
}

/// A tap's index in its window, row-major (the first spatial dim
/// outermost), so that windows compare taps as PyTorch scans them.
Expr linearTap(const std::vector<Expr> &taps, llvm::ArrayRef<int64_t> kernel) {
  Expr index = 0;
  int stride = 1;
  for (size_t i = 0; i < taps.size(); ++i) {
    index = index + taps[i] * stride;
    stride *= (int)kernel[kernel.size() - 1 - i];
  }
  return index;
}

/// Windows that tile the input (stride = kernel, no padding): each input
/// element is in at most one window, so its gradient is that window's
/// adjoint where it is the window's first maximum, no sum.
bool disjointWindows(llvm::ArrayRef<int64_t> kernel, llvm::ArrayRef<int64_t> stride,
                     llvm::ArrayRef<int64_t> pad) {
  for (size_t d = 0; d < kernel.size(); ++d)
    if (kernel[d] != stride[d] || pad[d] != 0)
      return false;
  return true;
}

/// The row-major index of the first tap of a window where `value` (over
/// the window's RDom `taps`) is largest: the tap PyTorch's scan keeps (a
/// later tap wins only if larger). One int per window, no Tuple.
Expr firstMaxTap(LowerContext &cx, Expr value, const std::vector<Var> &jv,
                 const std::vector<Expr> &taps, llvm::ArrayRef<int64_t> kernel,
                 Func &largest) {
  largest = Func(cx.fresh("pool_window_max"));
  largest(jv) = maximum(value, cx.fresh("window_max"));
  int count = 1;
  for (int64_t k : kernel)
    count *= (int)k;
  return minimum(select(value >= largest(jv), linearTap(taps, kernel), count),
                 cx.fresh("first_max"));
}

void lowerMaxPoolGrad(LowerContext &cx, mlir::net::MaxPoolGradOp op) {
  const HTensor &x = cx.get(op.getInput());
  const HTensor &dy = cx.get(op.getGrad());
  llvm::ArrayRef<int64_t> kernel = op.getKernel(), stride = op.getStride(),
                          pad = op.getPad();
  size_t rank = x.rank(), spatial = rank - 2;
  if (disjointWindows(kernel, stride, pad)) {
    // The window of each element and its first maximum, found by a scan
    // of the window in PyTorch's order (a later tap wins only if larger).
    std::vector<Var> v = cx.makeVars(rank);
    std::vector<Expr> tapOf, dyAt;
    Expr inside = Internal::const_true();
    for (size_t i = 0; i < spatial; ++i) {
      size_t d = spatial - 1 - i;
      int k = (int)kernel[d], out = (int)dy.shape[rank - 1 - i];
      tapOf.push_back(v[i] % k);
      inside = inside && v[i] / k < out;
      dyAt.push_back(min(v[i] / k, out - 1));
    }
    dyAt.insert(dyAt.end(), {v[rank - 2], v[rank - 1]});
    std::vector<Expr> taps;
    tapDomain(cx, kernel, "r_pool_window", taps);
    // The tap of each window's first maximum (clamped taps of a ceil
    // window repeat its last element: equal, they never win).
    std::vector<Var> jv = cx.makeVars(rank);
    std::vector<Expr> jat(jv.begin(), jv.end());
    for (size_t i = 0; i < spatial; ++i)
      jat[i] = min(jv[i] * (int)kernel[spatial - 1 - i] + taps[i],
                   (int)x.shape[rank - 1 - i] - 1);
    Func largest, best(cx.fresh("pool_choice"));
    best(jv) = firstMaxTap(cx, x.f(jat), jv, taps, kernel, largest);
    Func f(cx.fresh("maxpool_grad"));
    f(v) = select(inside && best(dyAt) == linearTap(tapOf, kernel), dy.f(dyAt),
                  0.0f);
    cx.define(op.getResult(), f, v, OpStage::Elementwise, false, {largest, best});
    return;
  }
  // Which tap of each window is its (first) maximum.
  std::vector<Var> jv = cx.makeVars(rank);
  std::vector<Expr> wtaps;
  tapDomain(cx, kernel, "r_pool_argmax", wtaps);
  std::vector<Expr> at(jv.begin(), jv.end());
  Expr inside = Internal::const_true();
  for (size_t i = 0; i < spatial; ++i) {
    size_t d = spatial - 1 - i;
    int n = (int)x.shape[rank - 1 - i];
    Expr p = jv[i] * (int)stride[d] - (int)pad[d] + wtaps[i];
    inside = inside && p >= 0 && p < n;
    at[i] = clamp(p, 0, n - 1);
  }
  Func largest, chosen(cx.fresh("pool_choice"));
  chosen(jv) = firstMaxTap(
      cx, select(inside, x.f(at), -std::numeric_limits<float>::infinity()), jv,
      wtaps, kernel, largest);

  std::vector<Var> v = cx.makeVars(rank);
  std::vector<Expr> taps;
  RDom r = tapDomain(cx, kernel, "r_pool_grad", taps);
  Reach to = reach(v, taps, stride, pad, {}, dy.shape);
  std::vector<Expr> dyAt = to.at;
  dyAt.insert(dyAt.end(), {v[rank - 2], v[rank - 1]});
  Func f(cx.fresh("maxpool_grad"));
  f(v) = 0.0f;
  f(v) += select(to.valid && chosen(dyAt) == linearTap(taps, kernel),
                 dy.f(dyAt), 0.0f);
  cx.define(op.getResult(), f, v, OpStage::Reduction, true, {largest, chosen}, r);
}

void lowerAvgPoolGrad(LowerContext &cx, mlir::net::AvgPoolGradOp op) {
  const HTensor &dy = cx.get(op.getGrad());
  std::vector<int64_t> shape = shapeOf(op.getResult());
  llvm::ArrayRef<int64_t> kernel = op.getKernel(), stride = op.getStride(),
                          pad = op.getPad();
  size_t rank = shape.size(), spatial = rank - 2;
  std::vector<Var> v = cx.makeVars(rank);
  std::vector<Expr> taps;
  RDom r = tapDomain(cx, kernel, "r_pool_grad", taps);
  Reach to = reach(v, taps, stride, pad, {}, dy.shape);
  // The window's divisor, as the forward pass counts it (padding
  // included, clipped to the padded input).
  Expr count = 1;
  for (size_t i = 0; i < spatial; ++i) {
    size_t d = spatial - 1 - i;
    int n = (int)shape[rank - 1 - i];
    Expr start = to.at[i] * (int)stride[d] - (int)pad[d];
    count = count * (min(start + (int)kernel[d], n + (int)pad[d]) - start);
  }
  std::vector<Expr> dyAt = to.at;
  dyAt.insert(dyAt.end(), {v[rank - 2], v[rank - 1]});
  Func f(cx.fresh("avgpool_grad"));
  f(v) = 0.0f;
  f(v) += select(to.valid, dy.f(dyAt) / cast<float>(count), 0.0f);
  cx.define(op.getResult(), f, v, OpStage::Reduction, true, {}, r);
}

/// A reduction over every dim of `x` but the channels (dim 1), with the
/// element it reaches for channel `c`, and the number of elements n.
struct ChannelSum {
  RDom r;
  std::vector<Expr> at;
  Expr count;
};
ChannelSum channelSum(LowerContext &cx, const HTensor &x, Var c) {
  size_t rank = x.rank();
  Region dom;
  Expr count = cx.extent(x, 0);
  for (size_t i = 0; i + 2 < rank; ++i) {
    dom.push_back(Range(0, (int)x.shape[rank - 1 - i]));
    count = count * (int)x.shape[rank - 1 - i];
  }
  dom.push_back(Range(0, cx.extent(x, 0)));
  ChannelSum s{RDom(dom, cx.fresh("r_bn")), {}, cast<float>(count)};
  for (size_t i = 0; i + 2 < rank; ++i)
    s.at.push_back(s.r[(int)i]);
  s.at.insert(s.at.end(), {c, s.r[(int)rank - 2]});
  return s;
}

void lowerBatchNormTrain(LowerContext &cx, mlir::net::BatchNormTrainOp op) {
  const HTensor &x = cx.get(op.getInput());
  const HTensor &g = cx.get(op.getWeight());
  const HTensor &b = cx.get(op.getBias());
  const HTensor &rm = cx.get(op.getRunningMean());
  const HTensor &rv = cx.get(op.getRunningVar());
  size_t rank = x.rank();
  float eps = op.getEps().convertToFloat();
  float m = op.getMomentum().convertToFloat();
  Var c("x");
  // Two passes (the mean, then the squares about it), as PyTorch's CPU
  // kernel: no cancellation when the mean is large against the spread.
  ChannelSum s = channelSum(cx, x, c);
  Func mean(cx.fresh("bn_batch_mean")), var(cx.fresh("bn_batch_var"));
  mean(c) = 0.0f;
  mean(c) += x.f(s.at) / s.count;
  cx.define(op.getBatchMean(), mean, {c}, OpStage::Reduction, true, {}, s.r);
  ChannelSum s2 = channelSum(cx, x, c);
  Expr d = x.f(s2.at) - mean(c);
  var(c) = 0.0f;
  var(c) += d * d / s.count;
  cx.define(op.getBatchVar(), var, {c}, OpStage::Reduction, true, {}, s2.r);

  std::vector<Var> v = cx.makeVars(rank);
  Var ch = v[rank - 2];
  Func scale(cx.fresh("bn_batch_scale"));
  scale(c) = g.f(c) / sqrt(var(c) + eps);
  Func y(cx.fresh("batchnorm_train"));
  y(v) = (x.f(v) - mean(ch)) * scale(ch) + b.f(ch);
  cx.define(op.getResult(), y, v, OpStage::Elementwise, false, {scale});

  // The running averages, the variance unbiased (n / (n - 1)).
  Func nm(cx.fresh("bn_running_mean")), nv(cx.fresh("bn_running_var"));
  nm(c) = (1 - m) * rm.f(c) + m * mean(c);
  nv(c) = (1 - m) * rv.f(c) + m * var(c) * (s.count / max(s.count - 1, 1.0f));
  cx.define(op.getNewRunningMean(), nm, {c}, OpStage::Elementwise, false);
  cx.define(op.getNewRunningVar(), nv, {c}, OpStage::Elementwise, false);
}

void lowerBatchNormGrad(LowerContext &cx, mlir::net::BatchNormGradOp op) {
  const HTensor &x = cx.get(op.getInput());
  const HTensor &dy = cx.get(op.getGrad());
  const HTensor &g = cx.get(op.getWeight());
  const HTensor &mean = cx.get(op.getMean());
  const HTensor &var = cx.get(op.getVar());
  size_t rank = x.rank();
  float eps = op.getEps().convertToFloat();
  Var c("x");
  Func inv(cx.fresh("bn_inv_std"));
  inv(c) = 1.0f / sqrt(var.f(c) + eps);

  ChannelSum s = channelSum(cx, x, c);
  Func dg(cx.fresh("batchnorm_grad_weight")), db(cx.fresh("batchnorm_grad_bias"));
  dg(c) = 0.0f;
  dg(c) += dy.f(s.at) * (x.f(s.at) - mean.f(c)) * inv(c);
  db(c) = 0.0f;
  db(c) += dy.f(s.at);
  cx.define(op.getWeightGrad(), dg, {c}, OpStage::Reduction, true, {}, s.r);
  cx.define(op.getBiasGrad(), db, {c}, OpStage::Reduction, true, {}, s.r);

  std::vector<Var> v = cx.makeVars(rank);
  Var ch = v[rank - 2];
  Func dx(cx.fresh("batchnorm_grad_input"));
  if (op.getBatch()) {
    // The batch statistics' share: -(db + xhat * dg) / n.
    Expr xhat = (x.f(v) - mean.f(ch)) * inv(ch);
    dx(v) = g.f(ch) * inv(ch) * (dy.f(v) - (db(ch) + xhat * dg(ch)) / s.count);
  } else {
    dx(v) = dy.f(v) * g.f(ch) * inv(ch);
  }
  cx.define(op.getInputGrad(), dx, v, OpStage::Elementwise, false);
}

} // namespace

void netc::registerLayerGradLowerings(LowerTable &t) {
  addLowering<mlir::net::ConvGradInputOp>(t, lowerConvGradInput);
  // The lanes of conv_grad_weight's partial sums: 16 (one AVX-512 vector,
  // two AVX2 ones), padding the columns to a multiple.
  addLowering<mlir::net::ConvGradWeightOp>(
      t, +[](LowerContext &cx, mlir::net::ConvGradWeightOp op) {
        lowerConvGradWeight(cx, op, 16);
      });
  addLowering<mlir::net::FcGradInputOp>(t, lowerFcGradInput);
  addLowering<mlir::net::FcGradWeightOp>(t, lowerFcGradWeight);
  addLowering<mlir::net::MaxPoolGradOp>(t, lowerMaxPoolGrad);
  addLowering<mlir::net::AvgPoolGradOp>(t, lowerAvgPoolGrad);
  addLowering<mlir::net::BatchNormGradOp>(t, lowerBatchNormGrad);
  addLowering<mlir::net::BatchNormTrainOp>(t, lowerBatchNormTrain);
}
