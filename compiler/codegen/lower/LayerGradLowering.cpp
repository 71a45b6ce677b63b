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
  return select(inside, x.f(at), 0.0f);
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
  std::vector<Expr> taps;
  for (size_t i = 0; i < spatial; ++i)
    taps.push_back(r[(int)i]);
  Reach to = reach(v, taps, op.getStride(), op.getPad(), op.getDilation(), shapeOf(op.getGrad()));
  Expr o = groups == 1 ? Expr(r[(int)spatial])
                       : (c / perGroupIn) * perGroupOut + r[(int)spatial];
  Expr wc = groups == 1 ? Expr(c) : c % perGroupIn;
  std::vector<Expr> dyAt = to.at, wAt = taps;
  dyAt.insert(dyAt.end(), {o, n});
  wAt.insert(wAt.end(), {wc, o});
  Func f(cx.fresh("conv_grad_input"));
  f(v) = 0.0f;
  f(v) += select(to.valid, dy.f(dyAt) * w.f(wAt), 0.0f);
  cx.define(op.getResult(), f, v, OpStage::Reduction, true, {}, r);
}

void lowerConvGradWeight(LowerContext &cx, mlir::net::ConvGradWeightOp op) {
  const HTensor &x = cx.get(op.getInput());
  const HTensor &dy = cx.get(op.getGrad());
  std::vector<int64_t> shape = shapeOf(op.getResult());
  size_t rank = shape.size(), spatial = rank - 2;
  int groups = (int)op.getGroups();
  int perGroupIn = (int)shape[1], perGroupOut = (int)shape[0] / groups;
  std::vector<Var> v = cx.makeVars(rank); // k..., c, o
  Var c = v[rank - 2], o = v[rank - 1];
  Region dom;
  for (size_t i = 0; i < spatial; ++i)
    dom.push_back(Range(0, (int)dy.shape[rank - 1 - i]));
  dom.push_back(Range(0, cx.extent(dy, 0)));
  RDom r(dom, cx.fresh("r_wgrad"));
  std::vector<Expr> dyAt, xAt;
  for (size_t i = 0; i < spatial; ++i) {
    size_t d = spatial - 1 - i;
    dyAt.push_back(r[(int)i]);
    xAt.push_back(r[(int)i] * (int)op.getStride()[d] - (int)op.getPad()[d] +
                  v[i] * (int)op.getDilation()[d]);
  }
  Expr item = r[(int)spatial];
  dyAt.insert(dyAt.end(), {o, item});
  Expr cin = groups == 1 ? Expr(c) : (o / perGroupOut) * perGroupIn + c;
  xAt.insert(xAt.end(), {cin, item});
  Func f(cx.fresh("conv_grad_weight"));
  f(v) = 0.0f;
  f(v) += dy.f(dyAt) * zeroOutside(x, xAt, spatial);
  cx.define(op.getResult(), f, v, OpStage::Reduction, true, {}, r);
}

void lowerFcGradInput(LowerContext &cx, mlir::net::FcGradInputOp op) {
  const HTensor &dy = cx.get(op.getGrad());
  const HTensor &w = cx.get(op.getWeight());
  std::vector<int64_t> shape = shapeOf(op.getResult());
  size_t rank = shape.size();
  std::vector<Var> v = cx.makeVars(rank);
  Expr feature = 0;
  int stride = 1;
  for (size_t i = 0; i + 1 < rank; ++i) {
    feature = feature + v[i] * stride;
    stride *= (int)shape[rank - 1 - i];
  }
  RDom r(0, (int)w.shape[0], cx.fresh("r_fc_dgrad"));
  Func f(cx.fresh("fc_grad_input"));
  f(v) = 0.0f;
  f(v) += dy.f(r, v[rank - 1]) * w.f(feature, r);
  cx.define(op.getResult(), f, v, OpStage::Reduction, true, {}, r);
}

void lowerFcGradWeight(LowerContext &cx, mlir::net::FcGradWeightOp op) {
  const HTensor &x = cx.get(op.getInput());
  const HTensor &dy = cx.get(op.getGrad());
  Func flat = cx.flattened(x, cx.fresh("flatten"));
  RDom r(0, cx.extent(dy, 0), cx.fresh("r_fc_wgrad"));
  Var i("x"), o("y");
  Func f(cx.fresh("fc_grad_weight"));
  f(i, o) = 0.0f;
  f(i, o) += dy.f(o, r) * flat(i, r);
  cx.define(op.getResult(), f, {i, o}, OpStage::Reduction, true, {}, r);
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

void lowerMaxPoolGrad(LowerContext &cx, mlir::net::MaxPoolGradOp op) {
  const HTensor &x = cx.get(op.getInput());
  const HTensor &dy = cx.get(op.getGrad());
  llvm::ArrayRef<int64_t> kernel = op.getKernel(), stride = op.getStride(),
                          pad = op.getPad();
  size_t rank = x.rank(), spatial = rank - 2;
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
  Expr tap = select(inside, x.f(at), -std::numeric_limits<float>::infinity());
  Func best(cx.fresh("pool_argmax"));
  best(jv) = argmax(tap, cx.fresh("argmax"));
  std::vector<Expr> bestTaps;
  for (size_t i = 0; i < spatial; ++i)
    bestTaps.push_back(best(jv)[(int)i]);
  Func chosen(cx.fresh("pool_choice"));
  chosen(jv) = linearTap(bestTaps, kernel);

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
  cx.define(op.getResult(), f, v, OpStage::Reduction, true, {best}, r);
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

  std::vector<Var> v = cx.makeVars(rank);
  Func dx(cx.fresh("batchnorm_grad_input"));
  dx(v) = dy.f(v) * g.f(v[rank - 2]) * inv(v[rank - 2]);
  cx.define(op.getInputGrad(), dx, v, OpStage::Elementwise, false);

  // Sums over every dim but the channels.
  Region dom;
  for (size_t i = 0; i + 2 < rank; ++i)
    dom.push_back(Range(0, (int)x.shape[rank - 1 - i]));
  dom.push_back(Range(0, cx.extent(x, 0)));
  RDom r(dom, cx.fresh("r_bn"));
  std::vector<Expr> at;
  for (size_t i = 0; i + 2 < rank; ++i)
    at.push_back(r[(int)i]);
  at.insert(at.end(), {c, r[(int)rank - 2]});
  Func dg(cx.fresh("batchnorm_grad_weight")), db(cx.fresh("batchnorm_grad_bias"));
  dg(c) = 0.0f;
  dg(c) += dy.f(at) * (x.f(at) - mean.f(c)) * inv(c);
  db(c) = 0.0f;
  db(c) += dy.f(at);
  cx.define(op.getWeightGrad(), dg, {c}, OpStage::Reduction, true, {}, r);
  cx.define(op.getBiasGrad(), db, {c}, OpStage::Reduction, true, {}, r);
}

} // namespace

void netc::registerLayerGradLowerings(LowerTable &t) {
  addLowering<mlir::net::ConvGradInputOp>(t, lowerConvGradInput);
  addLowering<mlir::net::ConvGradWeightOp>(t, lowerConvGradWeight);
  addLowering<mlir::net::FcGradInputOp>(t, lowerFcGradInput);
  addLowering<mlir::net::FcGradWeightOp>(t, lowerFcGradWeight);
  addLowering<mlir::net::MaxPoolGradOp>(t, lowerMaxPoolGrad);
  addLowering<mlir::net::AvgPoolGradOp>(t, lowerAvgPoolGrad);
  addLowering<mlir::net::BatchNormGradOp>(t, lowerBatchNormGrad);
}
