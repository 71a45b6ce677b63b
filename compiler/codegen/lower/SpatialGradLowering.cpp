//===- SpatialGradLowering.cpp - Gradients of the spatial and vision ops --===//
//
// net.l2norm_grad, net.gram_grad, net.upsample_grad, net.lrn_grad,
// net.correlation_grad and net.contrastive_grad, as gathers: each input
// element sums what the outputs that read it send back.
//
//===----------------------------------------------------------------------===//
#include "codegen/lower/LowerContext.h"

#include "net/IR/NetOps.h"

using namespace netc;
using namespace Halide;

namespace {

/// The Halide dim of NCHW `axis` in a tensor of `rank`.
size_t halideDim(size_t rank, int64_t axis) { return rank - 1 - (size_t)axis; }

/// v with its `dim` replaced by `e`.
std::vector<Expr> with(const std::vector<Var> &v, size_t dim, Expr e) {
  std::vector<Expr> at(v.begin(), v.end());
  at[dim] = e;
  return at;
}

/// A Func over every dim of `v` but `dim`.
std::vector<Var> without(const std::vector<Var> &v, size_t dim) {
  std::vector<Var> rest;
  for (size_t i = 0; i < v.size(); ++i)
    if (i != dim)
      rest.push_back(v[i]);
  return rest;
}

void lowerL2NormGrad(LowerContext &cx, mlir::net::L2NormGradOp op) {
  const HTensor &x = cx.get(op.getInput());
  const HTensor &dy = cx.get(op.getGrad());
  size_t rank = x.rank(), h = halideDim(rank, op.getAxis());
  std::vector<Var> v = cx.makeVars(rank);
  std::vector<Var> rest = without(v, h);
  RDom r(0, cx.extent(x, (size_t)op.getAxis()), cx.fresh("r_l2norm_grad"));
  Func sq(cx.fresh("l2norm_sq")), dot(cx.fresh("l2norm_dot"));
  sq(rest) = 0.0f;
  sq(rest) += x.f(with(v, h, r)) * x.f(with(v, h, r));
  dot(rest) = 0.0f;
  dot(rest) += dy.f(with(v, h, r)) * x.f(with(v, h, r));
  float eps = op.getEps().convertToFloat();
  Expr n = sqrt(sq(rest));
  Func f(cx.fresh("l2norm_grad"));
  f(v) = select(n > eps, dy.f(v) / n - x.f(v) * dot(rest) / (n * n * n),
                dy.f(v) / eps);
  cx.define(op.getResult(), f, v, OpStage::Elementwise, false, {sq, dot});
}

void lowerGramGrad(LowerContext &cx, mlir::net::GramGradOp op) {
  const HTensor &x = cx.get(op.getInput());
  const HTensor &g = cx.get(op.getGrad()); // [N, C, C]: g.f(c', c, n)
  size_t rank = x.rank();
  std::vector<Var> v = cx.makeVars(rank);
  Var c = v[rank - 2], n = v[rank - 1];
  RDom r(0, (int)x.shape[1], cx.fresh("r_gram_grad"));
  Func f(cx.fresh("gram_grad"));
  f(v) = 0.0f;
  f(v) += (g.f(r, c, n) + g.f(c, r, n)) * x.f(with(v, rank - 2, r));
  cx.define(op.getResult(), f, v, OpStage::Reduction, true, {}, r);
}

void lowerUpsampleGrad(LowerContext &cx, mlir::net::UpsampleGradOp op) {
  const HTensor &dy = cx.get(op.getGrad());
  std::vector<int64_t> shape = shapeOf(op.getResult());
  size_t rank = shape.size(), spatial = rank - 2;
  llvm::ArrayRef<int64_t> scale = op.getScale();
  bool nearest = op.getMode() == "nearest";
  std::vector<Var> v = cx.makeVars(rank);
  // Per spatial dim, the outputs that may read input v: its block of s
  // ("nearest"), or the 3s outputs from (v - 1) s on (linear: each output
  // reads the two inputs around src = max((X + 0.5) / s - 0.5, 0)).
  Region dom;
  for (size_t i = 0; i < spatial; ++i) {
    int s = (int)scale[spatial - 1 - i];
    dom.push_back(Range(0, nearest ? s : 3 * s));
  }
  RDom r(dom, cx.fresh("r_upsample_grad"));
  std::vector<Expr> at(v.begin(), v.end());
  Expr weight = 1.0f, inside = Internal::const_true();
  for (size_t i = 0; i < spatial; ++i) {
    int s = (int)scale[spatial - 1 - i];
    int in = (int)shape[rank - 1 - i], out = in * s;
    if (nearest) {
      at[i] = v[i] * s + r[(int)i];
      continue;
    }
    Expr X = (v[i] - 1) * s + r[(int)i];
    inside = inside && X >= 0 && X < out;
    Expr Xc = clamp(X, 0, out - 1);
    Expr src = max((cast<float>(Xc) + 0.5f) / (float)s - 0.5f, 0.0f);
    Expr lo = min(cast<int>(src), in - 1);
    Expr hi = min(lo + 1, in - 1);
    Expr lam = src - cast<float>(lo);
    weight = weight * (select(lo == v[i], 1.0f - lam, 0.0f) +
                       select(hi == v[i], lam, 0.0f));
    at[i] = Xc;
  }
  Func f(cx.fresh("upsample_grad"));
  f(v) = 0.0f;
  Expr term = dy.f(at) * weight;
  f(v) += Internal::is_const_one(inside) ? term : select(inside, term, 0.0f);
  cx.define(op.getResult(), f, v, OpStage::Reduction, true, {}, r);
}

void lowerLrnGrad(LowerContext &cx, mlir::net::LrnGradOp op) {
  const HTensor &x = cx.get(op.getInput());
  const HTensor &dy = cx.get(op.getGrad());
  size_t rank = x.rank(), h = rank - 2;
  int size = (int)op.getSize(), channels = (int)x.shape[1];
  float alpha = op.getAlpha().convertToFloat(), beta = op.getBeta().convertToFloat(),
        k = op.getK().convertToFloat();
  std::vector<Var> v = cx.makeVars(rank);
  Var c = v[h];
  auto zeroOut = [&](Func f, Expr ch) {
    return select(ch >= 0 && ch < channels, f(with(v, h, clamp(ch, 0, channels - 1))),
                  0.0f);
  };
  Func sq(cx.fresh("lrn_sq"));
  sq(v) = x.f(v) * x.f(v);
  // D_c over c's window [c - size/2, c + (size - 1)/2].
  RDom rw(0, size, cx.fresh("r_lrn_window"));
  Func denom(cx.fresh("lrn_denom"));
  denom(v) = k + alpha / (float)size * sum(zeroOut(sq, c - size / 2 + rw));
  Func t(cx.fresh("lrn_back"));
  t(v) = dy.f(v) * x.f(v) * pow(denom(v), -beta - 1.0f);
  // The channels c' whose window holds c: [c - (size - 1)/2, c + size/2].
  RDom rb(0, size, cx.fresh("r_lrn_back"));
  Func f(cx.fresh("lrn_grad"));
  f(v) = dy.f(v) * pow(denom(v), -beta) -
         2.0f * alpha * beta / (float)size * x.f(v) *
             sum(zeroOut(t, c - (size - 1) / 2 + rb));
  cx.define(op.getResult(), f, v, OpStage::Elementwise, false, {denom, t});
}

void lowerCorrelationGrad(LowerContext &cx, mlir::net::CorrelationGradOp op) {
  const HTensor &a = cx.get(op.getLhs());
  const HTensor &b = cx.get(op.getRhs());
  const HTensor &g = cx.get(op.getGrad());
  int md = (int)op.getMaxDisp(), st = (int)op.getStride();
  int d = 2 * md / st + 1;
  int hgt = (int)a.shape[2], wid = (int)a.shape[3];
  float inv = 1.0f / (float)a.shape[1];
  Var x("x"), y("y"), c("z"), n("w");
  RDom r(0, d, 0, d, cx.fresh("r_corr_grad")); // r.x: dx index, r.y: dy
  Expr ox = r.x * st - md, oy = r.y * st - md;
  Expr ch = r.y * d + r.x;
  // da: b at the displaced position (zero outside).
  Expr bx = x + ox, by = y + oy;
  Expr bin = bx >= 0 && bx < wid && by >= 0 && by < hgt;
  Func da(cx.fresh("correlation_grad_lhs")), db(cx.fresh("correlation_grad_rhs"));
  da(x, y, c, n) = 0.0f;
  da(x, y, c, n) += select(bin, g.f(x, y, ch, n) *
                                    b.f(clamp(bx, 0, wid - 1), clamp(by, 0, hgt - 1), c, n),
                           0.0f) * inv;
  // db at (x, y): the outputs at (x - ox, y - oy) that read it.
  Expr ax = x - ox, ay = y - oy;
  Expr ain = ax >= 0 && ax < wid && ay >= 0 && ay < hgt;
  Expr axc = clamp(ax, 0, wid - 1), ayc = clamp(ay, 0, hgt - 1);
  db(x, y, c, n) = 0.0f;
  db(x, y, c, n) += select(ain, g.f(axc, ayc, ch, n) * a.f(axc, ayc, c, n), 0.0f) * inv;
  cx.define(op.getLhsGrad(), da, {x, y, c, n}, OpStage::Reduction, true, {}, r);
  cx.define(op.getRhsGrad(), db, {x, y, c, n}, OpStage::Reduction, true, {}, r);
}

void lowerContrastiveGrad(LowerContext &cx, mlir::net::ContrastiveGradOp op) {
  const HTensor &a = cx.get(op.getLhs());
  const HTensor &b = cx.get(op.getRhs());
  const HTensor &same = cx.get(op.getSame());
  size_t rank = a.rank();
  Var n("n");
  Region dom;
  for (size_t i = 0; i + 1 < rank; ++i)
    dom.push_back(Range(0, (int)a.shape[rank - 1 - i]));
  RDom r(dom, cx.fresh("r_contrastive_grad"));
  std::vector<Expr> at;
  for (int i = 0; i < r.dimensions(); ++i)
    at.push_back(r[i]);
  at.push_back(n);
  Expr diff = a.f(at) - b.f(at);
  Func d2(cx.fresh("contrastive_d2"));
  d2(n) = sum(diff * diff);
  float margin = op.getMargin().convertToFloat();
  Expr k = op.getReduction() == "mean"
               ? op.getScale().convertToFloat() / cast<float>(cx.extent(a, 0))
               : Expr(op.getScale().convertToFloat());
  Expr dist = sqrt(d2(n));
  Expr gap = max(margin - dist, 0.0f);
  Expr sm = cast<float>(same.f(n));
  Func coef(cx.fresh("contrastive_coef"));
  coef(n) = 2.0f * k * (sm - (1.0f - sm) * select(dist > 0, gap / max(dist, 1e-30f), 0.0f));
  std::vector<Var> v = cx.makeVars(rank);
  Func fa(cx.fresh("contrastive_grad_lhs")), fb(cx.fresh("contrastive_grad_rhs")),
      fs(cx.fresh("contrastive_grad_same"));
  fa(v) = coef(v[rank - 1]) * (a.f(v) - b.f(v));
  fb(v) = -fa(v);
  std::vector<Var> sv = cx.makeVars(same.rank()); // [N] (or [N, 1])
  Expr sdist = sqrt(d2(sv.back()));
  Expr sgap = max(margin - sdist, 0.0f);
  fs(sv) = k * (d2(sv.back()) - sgap * sgap);
  cx.define(op.getLhsGrad(), fa, v, OpStage::Elementwise, false, {d2, coef});
  cx.define(op.getRhsGrad(), fb, v, OpStage::Elementwise, false);
  cx.define(op.getSameGrad(), fs, sv, OpStage::Elementwise, false);
}

} // namespace

void netc::registerSpatialGradLowerings(LowerTable &t) {
  addLowering<mlir::net::L2NormGradOp>(t, lowerL2NormGrad);
  addLowering<mlir::net::GramGradOp>(t, lowerGramGrad);
  addLowering<mlir::net::UpsampleGradOp>(t, lowerUpsampleGrad);
  addLowering<mlir::net::LrnGradOp>(t, lowerLrnGrad);
  addLowering<mlir::net::CorrelationGradOp>(t, lowerCorrelationGrad);
  addLowering<mlir::net::ContrastiveGradOp>(t, lowerContrastiveGrad);
}
