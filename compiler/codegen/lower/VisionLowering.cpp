//===- VisionLowering.cpp - Halide lowering of the vision ops -------------===//
//
// gram, correlation and the loss terms bce, triplet, contrastive,
// content_cost, style_cost, epe. The losses compute one value per batch
// item (a helper Func over n), then a scalar Func reduces it over the
// run-time batch.
//
//===----------------------------------------------------------------------===//
#include "codegen/lower/LowerContext.h"

#include "net/IR/NetOps.h"

#include <cmath>
#include <functional>

using namespace netc;
using namespace Halide;

namespace {

/// The non-batch dims of an NCHW shape as an RDom, innermost first.
RDom itemDom(LowerContext &cx, const std::vector<int64_t> &shape,
             const char *name) {
  Region dom;
  for (size_t i = shape.size(); i-- > 1;)
    dom.push_back(Range(0, (int)shape[i]));
  return RDom(dom, cx.fresh(name));
}

/// The sum over the non-batch dims of batch item `n` of term(coordinates);
/// a rank-1 tensor has one element per item, so nothing to sum.
Expr itemSum(LowerContext &cx, const std::vector<int64_t> &shape, Expr n,
             const std::function<Expr(const std::vector<Expr> &)> &term) {
  if (shape.size() == 1)
    return term({n});
  RDom r = itemDom(cx, shape, "r_item");
  std::vector<Expr> at;
  for (int i = 0; i < r.dimensions(); ++i)
    at.push_back(r[i]);
  at.push_back(n);
  return sum(term(at), cx.fresh("item_sum"));
}

/// Defines the loss `op` as the sum over the batch of item(n), divided by
/// `count` for "mean"; `helpers` are its intermediate Funcs.
void reduceBatch(LowerContext &cx, mlir::Operation *op, Func item,
                 llvm::StringRef name, bool mean, Expr count, Expr batch,
                 std::vector<Func> helpers = {}) {
  RDom rn(0, batch, cx.fresh("r_batch"));
  Func total(cx.fresh(name.str()));
  Expr s = sum(item(rn));
  total() = mean ? s / cast<float>(count) : s;
  helpers.push_back(item);
  cx.defineScalar(op->getResult(0), total, std::move(helpers));
}

bool isMean(mlir::Operation *op) {
  return op->getAttrOfType<mlir::StringAttr>("reduction").getValue() == "mean";
}

//===----------------------------------------------------------------------===//
// gram, correlation
//===----------------------------------------------------------------------===//

void lowerGram(LowerContext &cx, mlir::net::GramOp op) {
  HTensor x = cx.get(op.getInput());
  size_t spatial = x.rank() - 2;
  Region dom;
  for (size_t i = 0; i < spatial; ++i)
    dom.push_back(Range(0, (int)x.shape[x.rank() - 1 - i]));
  RDom r(dom, cx.fresh("r_gram"));
  Var c2("x"), c1("y"), n("z"); // G[n, c1, c2]
  std::vector<Expr> at1, at2;
  for (size_t i = 0; i < spatial; ++i)
    at1.push_back(r[(int)i]);
  at2 = at1;
  at1.insert(at1.end(), {c1, n});
  at2.insert(at2.end(), {c2, n});
  Func f(cx.fresh("gram"));
  f(c2, c1, n) = 0.0f;
  f(c2, c1, n) += x.f(at1) * x.f(at2);
  cx.define(op.getResult(), f, {c2, c1, n}, OpStage::Reduction, true, {}, r);
}

void lowerCorrelation(LowerContext &cx, mlir::net::CorrelationOp op) {
  HTensor a = cx.get(op.getLhs()), b = cx.get(op.getRhs());
  int c = (int)a.shape[1], h = (int)a.shape[2], w = (int)a.shape[3];
  int d = (int)op.getMaxDisp(), s = (int)op.getStride();
  int per = 2 * (d / s) + 1;
  Var x("x"), y("y"), k("z"), n("w");
  // Channel k is displacement (k / per, k % per) on the grid, dy outer.
  Expr bx = x + (k % per) * s - d, by = y + (k / per) * s - d;
  Expr inside = bx >= 0 && bx < w && by >= 0 && by < h;
  RDom r(0, c, cx.fresh("r_corr"));
  Expr bv = b.f(clamp(bx, 0, w - 1), clamp(by, 0, h - 1), r, n);
  Func f(cx.fresh("correlation"));
  f(x, y, k, n) = 0.0f;
  // The mean over channels: each product is scaled, so that one update
  // (the one the schedule vectorizes) computes it.
  f(x, y, k, n) += select(inside, a.f(x, y, r, n) * bv, 0.0f) * (1.0f / c);
  cx.define(op.getResult(), f, {x, y, k, n}, OpStage::Reduction, true, {}, r);
}

//===----------------------------------------------------------------------===//
// Loss terms
//===----------------------------------------------------------------------===//

void lowerBce(LowerContext &cx, mlir::net::BceOp op) {
  HTensor x = cx.get(op.getLhs()), t = cx.get(op.getRhs());
  Var n("x");
  Func item(cx.fresh("bce_item"));
  // PyTorch's stable form: max(x, 0) - x*t + log(1 + exp(-|x|)).
  item(n) = itemSum(cx, x.shape, n, [&](const std::vector<Expr> &at) {
    Expr v = x.f(at);
    return max(v, 0.0f) - v * t.f(at) + log(1.0f + exp(-abs(v)));
  });
  // nn.BCEWithLogitsLoss averages over every element.
  Expr count = cx.extent(x, 0);
  for (size_t i = 1; i < x.rank(); ++i)
    count = count * (int)x.shape[i];
  reduceBatch(cx, op, item, "bce", isMean(op), count, cx.extent(x, 0));
}

void lowerTriplet(LowerContext &cx, mlir::net::TripletOp op) {
  HTensor a = cx.get(op.getAnchor()), p = cx.get(op.getPositive()),
          ng = cx.get(op.getNegative());
  float margin = op.getMargin().convertToFloat();
  Var n("x");
  Func item(cx.fresh("triplet_item"));
  Expr diff = itemSum(cx, a.shape, n, [&](const std::vector<Expr> &at) {
    Expr dp = a.f(at) - p.f(at), dn = a.f(at) - ng.f(at);
    return dp * dp - dn * dn;
  });
  item(n) = max(diff + margin, 0.0f);
  Expr batch = cx.extent(a, 0);
  reduceBatch(cx, op, item, "triplet", isMean(op), batch, batch);
}

void lowerContrastive(LowerContext &cx, mlir::net::ContrastiveOp op) {
  HTensor a = cx.get(op.getLhs()), b = cx.get(op.getRhs()),
          same = cx.get(op.getSame());
  float margin = op.getMargin().convertToFloat();
  Var n("x");
  Func d2(cx.fresh("contrastive_d2")), item(cx.fresh("contrastive_item"));
  d2(n) = itemSum(cx, a.shape, n, [&](const std::vector<Expr> &at) {
    Expr d = a.f(at) - b.f(at);
    return d * d;
  });
  Expr sm = cast<float>(same.f(n)); // `same` may be i32
  Expr gap = max(margin - sqrt(d2(n)), 0.0f);
  item(n) = sm * d2(n) + (1.0f - sm) * gap * gap;
  Expr batch = cx.extent(a, 0);
  reduceBatch(cx, op, item, "contrastive", isMean(op), batch, batch, {d2});
}

void lowerContentCost(LowerContext &cx, mlir::net::ContentCostOp op) {
  HTensor c = cx.get(op.getLhs()), g = cx.get(op.getRhs());
  Var n("x");
  Func item(cx.fresh("content_item"));
  item(n) = 0.5f * itemSum(cx, c.shape, n, [&](const std::vector<Expr> &at) {
    Expr d = c.f(at) - g.f(at);
    return d * d;
  });
  Expr batch = cx.extent(c, 0);
  reduceBatch(cx, op, item, "content_cost", isMean(op), batch, batch);
}

void lowerStyleCost(LowerContext &cx, mlir::net::StyleCostOp op) {
  HTensor s = cx.get(op.getLhs()), g = cx.get(op.getRhs());
  size_t spatial = s.rank() - 2;
  int channels = (int)s.shape[1];
  double size = 1; // nH * nW
  Region dom;
  for (size_t i = 0; i < spatial; ++i) {
    dom.push_back(Range(0, (int)s.shape[s.rank() - 1 - i]));
    size *= (double)s.shape[s.rank() - 1 - i];
  }
  // gram(aS) - gram(aG) in one reduction over the spatial positions.
  RDom r(dom, cx.fresh("r_style"));
  Var c2("x"), c1("y"), n("z");
  std::vector<Expr> at1, at2;
  for (size_t i = 0; i < spatial; ++i)
    at1.push_back(r[(int)i]);
  at2 = at1;
  at1.insert(at1.end(), {c1, n});
  at2.insert(at2.end(), {c2, n});
  Func diff(cx.fresh("style_gram_diff"));
  diff(c2, c1, n) = 0.0f;
  diff(c2, c1, n) += s.f(at1) * s.f(at2) - g.f(at1) * g.f(at2);

  double denom = 2.0 * size * channels;
  RDom rc(0, channels, 0, channels, cx.fresh("r_style_cc"));
  Var m("x");
  Func item(cx.fresh("style_item"));
  Expr e = diff(rc.x, rc.y, m);
  item(m) = sum(e * e, cx.fresh("style_sum")) * (float)(1.0 / (denom * denom));
  Expr batch = cx.extent(s, 0);
  reduceBatch(cx, op, item, "style_cost", isMean(op), batch, batch, {diff});
}

void lowerEpe(LowerContext &cx, mlir::net::EpeOp op) {
  HTensor f = cx.get(op.getLhs()), g = cx.get(op.getRhs());
  int h = (int)f.shape[2], w = (int)f.shape[3];
  RDom r(0, w, 0, h, cx.fresh("r_epe"));
  Var n("x");
  Expr du = f.f(r.x, r.y, 0, n) - g.f(r.x, r.y, 0, n);
  Expr dv = f.f(r.x, r.y, 1, n) - g.f(r.x, r.y, 1, n);
  Func item(cx.fresh("epe_item"));
  item(n) = sum(sqrt(du * du + dv * dv), cx.fresh("epe_sum")) /
            (float)((double)h * w);
  Expr batch = cx.extent(f, 0);
  reduceBatch(cx, op, item, "epe", isMean(op), batch, batch);
}

} // namespace

void netc::registerVisionLowerings(LowerTable &t) {
  addLowering<mlir::net::GramOp>(t, lowerGram);
  addLowering<mlir::net::CorrelationOp>(t, lowerCorrelation);
  addLowering<mlir::net::BceOp>(t, lowerBce);
  addLowering<mlir::net::TripletOp>(t, lowerTriplet);
  addLowering<mlir::net::ContrastiveOp>(t, lowerContrastive);
  addLowering<mlir::net::ContentCostOp>(t, lowerContentCost);
  addLowering<mlir::net::StyleCostOp>(t, lowerStyleCost);
  addLowering<mlir::net::EpeOp>(t, lowerEpe);
}
