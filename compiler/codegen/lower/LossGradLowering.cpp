//===- LossGradLowering.cpp - Gradients of the loss terms -----------------===//
//
// Each loss term's gradient w.r.t. its operands, times the op's `scale`
// (the term's weight in the sum of the losses) and divided as the forward
// reduction divides ("mean": by the elements for mse, l1 and bce, by the
// batch for the per-item terms).
//
//===----------------------------------------------------------------------===//
#include "codegen/lower/LowerContext.h"

#include "net/IR/NetOps.h"

using namespace netc;
using namespace Halide;
using mlir::net::PairLoss;

namespace {

Expr elements(LowerContext &cx, const HTensor &t) {
  Expr count = 1;
  for (size_t d = 0; d < t.rank(); ++d)
    count = count * cx.extent(t, d);
  return count;
}

/// scale, divided by `count` for reduction "mean".
Expr factor(float scale, llvm::StringRef reduction, Expr count) {
  return reduction == "mean" ? scale / cast<float>(count) : Expr(scale);
}

/// The non-batch dims of `t` as an RDom, with `at` its coordinates for
/// item n (innermost first).
RDom itemDomain(LowerContext &cx, const HTensor &t, Expr n,
                std::vector<Expr> &at, const std::string &name) {
  Region dom;
  for (size_t i = 0; i + 1 < t.rank(); ++i)
    dom.push_back(Range(0, (int)t.shape[t.rank() - 1 - i]));
  RDom r(dom, cx.fresh(name));
  for (int i = 0; i < r.dimensions(); ++i)
    at.push_back(r[i]);
  at.push_back(n);
  return r;
}

void lowerCrossEntropyGrad(LowerContext &cx, mlir::net::CrossEntropyGradOp op) {
  const HTensor &logits = cx.get(op.getLogits());
  const HTensor &label = cx.get(op.getLabel());
  int classes = (int)logits.shape[1];
  Var c("x"), n("y");
  RDom rc(0, classes, cx.fresh("r_classes"));
  Func mx(cx.fresh("ce_max")), total(cx.fresh("ce_sum"));
  mx(n) = maximum(logits.f(rc, n));
  total(n) = sum(exp(logits.f(rc, n) - mx(n)));
  Expr k = factor(op.getScale().convertToFloat(), op.getReduction(),
                  cx.extent(logits, 0));
  // Labels outside [0, C) are clamped, as the forward pass reads them.
  Expr target = clamp(label.f(n), 0, classes - 1);
  Func f(cx.fresh("cross_entropy_grad"));
  f(c, n) = (exp(logits.f(c, n) - mx(n)) / total(n) -
             select(c == target, 1.0f, 0.0f)) * k;
  cx.define(op.getResult(), f, {c, n}, OpStage::Elementwise, false, {mx, total});
}

void lowerPairLossGrad(LowerContext &cx, mlir::net::PairLossGradOp op) {
  const HTensor &a = cx.get(op.getLhs());
  const HTensor &b = cx.get(op.getRhs());
  size_t rank = a.rank();
  std::vector<Var> v = cx.makeVars(rank);
  float scale = op.getScale().convertToFloat();
  llvm::StringRef red = op.getReduction();
  Expr batch = cx.extent(a, 0);
  Expr d = a.f(v) - b.f(v);
  Expr da, db;
  std::vector<Func> helpers;
  switch (op.getLoss()) {
  case PairLoss::mse:
    da = 2.0f * d * factor(scale, red, elements(cx, a));
    db = -da;
    break;
  case PairLoss::l1:
    da = select(d > 0, 1.0f, d < 0, -1.0f, 0.0f) * factor(scale, red, elements(cx, a));
    db = -da;
    break;
  case PairLoss::bce: { // d/dx = sigmoid(x) - t, d/dt = -x
    Expr k = factor(scale, red, elements(cx, a));
    da = (1.0f / (1.0f + exp(-a.f(v))) - b.f(v)) * k;
    db = -a.f(v) * k;
    break;
  }
  case PairLoss::content_cost:
    da = d * factor(scale, red, batch);
    db = -da;
    break;
  case PairLoss::epe: { // (f - g) / ||f - g|| per pixel, over the pixels
    Var x = v[0], y = v[1], n = v[3];
    Expr du = a.f(x, y, 0, n) - b.f(x, y, 0, n);
    Expr dv = a.f(x, y, 1, n) - b.f(x, y, 1, n);
    Func norm(cx.fresh("epe_norm"));
    norm(x, y, n) = sqrt(du * du + dv * dv);
    helpers.push_back(norm);
    float pixels = (float)((double)a.shape[2] * a.shape[3]);
    Expr nv = norm(x, y, n);
    da = select(nv > 0, d / max(nv, 1e-30f), 0.0f) *
         factor(scale, red, batch) / pixels;
    db = -da;
    break;
  }
  case PairLoss::style_cost: {
    // J = ||G(s) - G(g)||^2 / D: dJ/ds[c, p] = 4/D sum_c' E[c, c'] s[c', p],
    // dJ/dg[c, p] = -4/D sum_c' E[c, c'] g[c', p], E = G(s) - G(g).
    size_t spatial = rank - 2;
    int channels = (int)a.shape[1];
    double size = 1;
    Region dom;
    for (size_t i = 0; i < spatial; ++i) {
      dom.push_back(Range(0, (int)a.shape[rank - 1 - i]));
      size *= (double)a.shape[rank - 1 - i];
    }
    RDom rp(dom, cx.fresh("r_style_grad"));
    Var c2("c2"), c1("c1"), n("n");
    std::vector<Expr> at1, at2;
    for (size_t i = 0; i < spatial; ++i)
      at1.push_back(rp[(int)i]);
    at2 = at1;
    at1.insert(at1.end(), {c1, n});
    at2.insert(at2.end(), {c2, n});
    Func diff(cx.fresh("style_gram_diff"));
    diff(c2, c1, n) = 0.0f;
    diff(c2, c1, n) += a.f(at1) * a.f(at2) - b.f(at1) * b.f(at2);
    helpers.push_back(diff);
    double denom = 2.0 * size * channels;
    Expr k = factor(scale, red, batch) * (float)(4.0 / (denom * denom));
    RDom rc(0, channels, cx.fresh("r_style_c"));
    std::vector<Expr> sAt(v.begin(), v.end()), gAt(v.begin(), v.end());
    sAt[rank - 2] = rc;
    gAt[rank - 2] = rc;
    Var c = v[rank - 2], nn = v[rank - 1];
    Func ds(cx.fresh("style_grad_s")), dg(cx.fresh("style_grad_g"));
    ds(v) = 0.0f;
    ds(v) += diff(rc, c, nn) * a.f(sAt) * k;
    dg(v) = 0.0f;
    dg(v) -= diff(rc, c, nn) * b.f(gAt) * k;
    cx.define(op.getLhsGrad(), ds, v, OpStage::Reduction, true, {diff}, rc);
    cx.define(op.getRhsGrad(), dg, v, OpStage::Reduction, true, {}, rc);
    return;
  }
  }
  Func fa(cx.fresh("loss_grad_lhs")), fb(cx.fresh("loss_grad_rhs"));
  fa(v) = da;
  fb(v) = db;
  cx.define(op.getLhsGrad(), fa, v, OpStage::Elementwise, false, helpers);
  cx.define(op.getRhsGrad(), fb, v, OpStage::Elementwise, false);
}

void lowerTripletGrad(LowerContext &cx, mlir::net::TripletGradOp op) {
  const HTensor &a = cx.get(op.getAnchor());
  const HTensor &p = cx.get(op.getPositive());
  const HTensor &ng = cx.get(op.getNegative());
  size_t rank = a.rank();
  Var n("n");
  std::vector<Expr> at;
  itemDomain(cx, a, n, at, "r_triplet_grad");
  Expr dp = a.f(at) - p.f(at), dn = a.f(at) - ng.f(at);
  Func active(cx.fresh("triplet_active"));
  active(n) = sum(dp * dp - dn * dn) + op.getMargin().convertToFloat() > 0.0f;
  std::vector<Var> v = cx.makeVars(rank);
  Expr kv = select(active(v[rank - 1]), 2.0f, 0.0f) *
            factor(op.getScale().convertToFloat(), op.getReduction(),
                   cx.extent(a, 0));
  Func da(cx.fresh("triplet_grad_anchor")), dpos(cx.fresh("triplet_grad_positive")),
      dneg(cx.fresh("triplet_grad_negative"));
  da(v) = kv * (ng.f(v) - p.f(v));
  dpos(v) = kv * (p.f(v) - a.f(v));
  dneg(v) = kv * (a.f(v) - ng.f(v));
  cx.define(op.getAnchorGrad(), da, v, OpStage::Elementwise, false, {active});
  cx.define(op.getPositiveGrad(), dpos, v, OpStage::Elementwise, false);
  cx.define(op.getNegativeGrad(), dneg, v, OpStage::Elementwise, false);
}

} // namespace

void netc::registerLossGradLowerings(LowerTable &t) {
  addLowering<mlir::net::CrossEntropyGradOp>(t, lowerCrossEntropyGrad);
  addLowering<mlir::net::PairLossGradOp>(t, lowerPairLossGrad);
  addLowering<mlir::net::TripletGradOp>(t, lowerTripletGrad);
}
