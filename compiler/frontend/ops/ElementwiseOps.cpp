//===- ElementwiseOps.cpp - relu, sigmoid, tanh, dropout ------------------===//
//
// Elementwise built-ins: the result has the input's type.
//
//===----------------------------------------------------------------------===//
#include "frontend/OpEmitter.h"

#include "net/IR/NetOps.h"

using namespace netc;
using namespace mlir;

namespace {

template <typename OpTy> Val genUnary(OpEmitter &e, OpCall &c) {
  mlir::Value x = c.args.tensor("x");
  if (!e.checkTensor(x, c.at(), c.op(), 1, 8))
    return Val::poison();
  return e.createUnary<OpTy>(c.at(), x);
}

Val genDropout(OpEmitter &e, OpCall &c) {
  mlir::Value x = c.args.tensor("x");
  if (!e.checkTensor(x, c.at(), c.op(), 1, 8))
    return Val::poison();
  std::optional<double> p = e.getFloat(c.args, c.op(), "p", 0.5);
  if (!p)
    return Val::poison();
  if (*p < 0 || *p >= 1) {
    e.src.error(c.args.where("p", c.at()))
        << "dropout: p must be in [0, 1), got " << *p;
    return Val::poison();
  }
  return Val::ofTensor(x); // identity at inference
}

} // namespace

void netc::registerElementwiseOps(OpTable &t) {
  std::vector<ArgSpec> x = {{"x", AK::Tensor, true}};
  t["relu"] = {x, false, genUnary<mlir::net::ReluOp>};
  t["sigmoid"] = {x, false, genUnary<mlir::net::SigmoidOp>};
  t["tanh"] = {x, false, genUnary<mlir::net::TanhOp>};
  t["dropout"] = {{{"x", AK::Tensor, true}, {"p", AK::Float, false}},
                  false,
                  genDropout};
}
