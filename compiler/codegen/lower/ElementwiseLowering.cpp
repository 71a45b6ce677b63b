//===- ElementwiseLowering.cpp - unary, binary, affine ----------------------===//
//
// Elementwise ops: one pure Func each.
//
//===----------------------------------------------------------------------===//
#include "codegen/lower/LowerContext.h"

#include "net/IR/NetOps.h"

#include <cmath>

using namespace netc;
using namespace Halide;
using mlir::cast;
using mlir::dyn_cast;

namespace {

template <typename OpTy>
void addBinary(LowerTable &t, Expr (*fn)(Expr, Expr), const char *name) {
  t[OpTy::getOperationName()] = [fn, name](LowerContext &cx,
                                           mlir::Operation *op, std::string &) {
    const HTensor &a = cx.get(op->getOperand(0));
    const HTensor &b = cx.get(op->getOperand(1));
    std::vector<Var> v = cx.makeVars(a.rank());
    Func f(cx.fresh(name));
    f(cx.asExprs(v)) = fn(a.f(cx.asExprs(v)), b.f(cx.asExprs(v)));
    cx.define(op->getResult(0), f, v, OpStage::Elementwise, false);
    return mlir::success();
  };
}

void lowerAffine(LowerContext &cx, mlir::net::AffineOp op) {
  const HTensor &x = cx.get(op.getInput());
  float scale = op.getScale().convertToFloat();
  float shift = op.getShift().convertToFloat();
  std::vector<Var> v = cx.makeVars(x.rank());
  Func f(cx.fresh("affine"));
  f(cx.asExprs(v)) = x.f(cx.asExprs(v)) * scale + shift;
  cx.define(op.getResult(), f, v, OpStage::Elementwise, false);
}

} // namespace

void netc::registerElementwiseLowerings(LowerTable &t) {
  using namespace mlir::net;
  addUnary<ReluOp>(t, [](Expr e) { return max(e, 0.0f); }, "relu");
  addUnary<SigmoidOp>(t, [](Expr e) { return 1.0f / (1.0f + exp(-e)); },
                      "sigmoid");
  addUnary<TanhOp>(t, [](Expr e) { return tanh(e); }, "tanh");
  addBinary<AddOp>(t, [](Expr a, Expr b) { return a + b; }, "add");
  addBinary<SubOp>(t, [](Expr a, Expr b) { return a - b; }, "sub");
  addBinary<MulOp>(t, [](Expr a, Expr b) { return a * b; }, "mul");
  addBinary<DivOp>(t, [](Expr a, Expr b) { return a / b; }, "div");
  addLowering<AffineOp>(t, lowerAffine);
}
