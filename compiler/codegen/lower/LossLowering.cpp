//===- LossLowering.cpp - loss terms ----------------------------------------===//
//
// Scalar (0-d) Funcs reduced over the run-time batch.
//
//===----------------------------------------------------------------------===//
#include "codegen/lower/LowerContext.h"

#include "net/IR/NetOps.h"

#include <cmath>

using namespace netc;
using namespace Halide;
using mlir::cast;
using mlir::dyn_cast;

static void lowerCrossEntropy(LowerContext &cx, mlir::net::CrossEntropyOp op) {
  const HTensor &logits = cx.get(op.getLogits());
  const HTensor &label = cx.get(op.getLabel());
  int classes = (int)logits.shape[1];
  Var n("x");
  RDom rc(0, classes, cx.fresh("r_classes"));
  Func mx(cx.fresh("ce_max")), lse(cx.fresh("ce_lse")), item(cx.fresh("ce_item"));
  mx(n) = maximum(logits.f(rc, n));
  lse(n) = log(sum(exp(logits.f(rc, n) - mx(n)))) + mx(n);
  // Labels outside [0, C) are clamped (PyTorch raises instead).
  item(n) = lse(n) - logits.f(clamp(label.f(n), 0, classes - 1), n);
  Expr count = cx.extent(logits, 0);
  RDom rn(0, count, cx.fresh("r_batch"));
  Func total(cx.fresh("cross_entropy"));
  Expr s = sum(item(rn));
  total() = op.getReduction() == "mean" ? s / cast<float>(count) : s;
  cx.defineScalar(op.getResult(), total, {mx, lse, item});
}

static void lowerPairLoss(LowerContext &cx, mlir::Operation *op, bool squared, bool mean) {
  const HTensor &a = cx.get(op->getOperand(0));
  const HTensor &b = cx.get(op->getOperand(1));
  Region dom;
  Expr count = 1;
  for (size_t i = 0; i < a.rank(); ++i) {
    Expr e = cx.extent(a, a.rank() - 1 - i);
    dom.push_back(Range(0, e));
    count = count * e;
  }
  RDom r(dom, cx.fresh("r_loss"));
  std::vector<Expr> at;
  for (int i = 0; i < r.dimensions(); ++i)
    at.push_back(r[i]);
  Expr d = a.f(at) - b.f(at);
  Func total(cx.fresh(squared ? "mse" : "l1"));
  Expr s = sum(squared ? d * d : abs(d));
  total() = mean ? s / cast<float>(count) : s;
  cx.defineScalar(op->getResult(0), total, {});
}

void netc::registerLossLowerings(LowerTable &t) {
  addLowering<mlir::net::CrossEntropyOp>(t, lowerCrossEntropy);
  addLowering<mlir::net::MseOp>(
      t, +[](LowerContext &cx, mlir::net::MseOp op) {
        lowerPairLoss(cx, op, true, op.getReduction() == "mean");
      });
  addLowering<mlir::net::L1Op>(
      t, +[](LowerContext &cx, mlir::net::L1Op op) {
        lowerPairLoss(cx, op, false, op.getReduction() == "mean");
      });
}
