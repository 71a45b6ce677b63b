//===- TensorGradLowering.cpp - Gradients of activations and axis ops -----===//
//
// net.zeros, net.mask_grad, net.softmax_grad, net.log_softmax_grad,
// net.slice and net.broadcast: elementwise Funcs, with one sum along an
// axis (a helper stage) for the softmaxes.
//
//===----------------------------------------------------------------------===//
#include "codegen/lower/LowerContext.h"

#include "net/IR/NetOps.h"

#include <cmath>

using namespace netc;
using namespace Halide;

namespace {

void lowerZeros(LowerContext &cx, mlir::net::ZerosOp op) {
  std::vector<Var> v = cx.makeVars(shapeOf(op.getResult()).size());
  Func f(cx.fresh("zeros"));
  f(v) = 0.0f;
  cx.define(op.getResult(), f, v, OpStage::Elementwise, false);
}

void lowerMaskGrad(LowerContext &cx, mlir::net::MaskGradOp op) {
  const HTensor &x = cx.get(op.getValue());
  const HTensor &dy = cx.get(op.getGrad());
  std::vector<Var> v = cx.makeVars(x.rank());
  float lo = op.getLo().convertToFloat(), hi = op.getHi().convertToFloat();
  float otherwise = op.getOtherwise().convertToFloat();
  Expr value = x.f(v);
  Expr pass = value > lo;
  if (std::isfinite(hi))
    pass = pass && value < hi;
  Expr g = dy.f(v);
  Func f(cx.fresh("mask_grad"));
  f(v) = select(pass, g, otherwise == 0.0f ? Expr(0.0f) : g * otherwise);
  cx.define(op.getResult(), f, v, OpStage::Elementwise, false);
}

/// sum over `axis` (NCHW) of term(at), as a Func over the other dims.
Func sumAlong(LowerContext &cx, const HTensor &t, int64_t axis,
              const std::function<Expr(const std::vector<Expr> &)> &term,
              const std::vector<Var> &v, const std::string &name) {
  size_t rank = t.rank(), h = rank - 1 - (size_t)axis; // the Halide dim
  RDom r(0, cx.extent(t, (size_t)axis), cx.fresh("r_" + name));
  std::vector<Var> rest;
  std::vector<Expr> at;
  for (size_t i = 0; i < rank; ++i) {
    if (i != h)
      rest.push_back(v[i]);
    at.push_back(i == h ? Expr(r) : Expr(v[i]));
  }
  Func s(cx.fresh(name));
  s(rest) = 0.0f;
  s(rest) += term(at);
  return s;
}

/// The arguments of a Func over every dim but `axis` at `v`.
std::vector<Expr> without(const std::vector<Var> &v, size_t rank, int64_t axis) {
  std::vector<Expr> at;
  for (size_t i = 0; i < rank; ++i)
    if (i != rank - 1 - (size_t)axis)
      at.push_back(v[i]);
  return at;
}

template <typename OpTy>
void lowerSoftmaxGrad(LowerContext &cx, OpTy op) {
  constexpr bool logSoftmax = std::is_same_v<OpTy, mlir::net::LogSoftmaxGradOp>;
  const HTensor &y = cx.get(op.getValue());
  const HTensor &dy = cx.get(op.getGrad());
  size_t rank = y.rank();
  int64_t axis = op.getAxis();
  std::vector<Var> v = cx.makeVars(rank);
  // softmax: y (dy - sum(dy y)); log_softmax: dy - exp(y) sum(dy).
  Func s = sumAlong(
      cx, y, axis,
      [&](const std::vector<Expr> &at) {
        return logSoftmax ? dy.f(at) : dy.f(at) * y.f(at);
      },
      v, logSoftmax ? "log_softmax_grad_sum" : "softmax_grad_dot");
  Expr total = s(without(v, rank, axis));
  Func f(cx.fresh(logSoftmax ? "log_softmax_grad" : "softmax_grad"));
  f(v) = logSoftmax ? dy.f(v) - exp(y.f(v)) * total
                    : y.f(v) * (dy.f(v) - total);
  cx.define(op.getResult(), f, v, OpStage::Elementwise, false, {s});
}

void lowerSlice(LowerContext &cx, mlir::net::SliceOp op) {
  const HTensor &x = cx.get(op.getInput());
  size_t rank = x.rank(), h = rank - 1 - (size_t)op.getAxis();
  std::vector<Var> v = cx.makeVars(rank);
  std::vector<Expr> at(v.begin(), v.end());
  at[h] = at[h] + (int)op.getOffset();
  Func f(cx.fresh("slice"));
  f(v) = x.f(at);
  cx.define(op.getResult(), f, v, OpStage::Elementwise, false);
}

void lowerBroadcast(LowerContext &cx, mlir::net::BroadcastOp op) {
  const HTensor &x = cx.get(op.getInput());
  std::vector<int64_t> shape = shapeOf(op.getResult());
  size_t rank = shape.size();
  llvm::ArrayRef<int64_t> axes = op.getAxes();
  std::vector<Var> v = cx.makeVars(rank);
  HTensor like{Func(), shape, Func()};
  std::vector<Expr> kept; // NCHW order
  Expr count = 1;
  for (size_t d = 0; d < rank; ++d) {
    if (llvm::is_contained(axes, (int64_t)d))
      count = count * cx.extent(like, d);
    else
      kept.push_back(v[rank - 1 - d]);
  }
  std::vector<Expr> at(kept.rbegin(), kept.rend());
  Expr value = at.empty() ? x.f() : x.f(at);
  Func f(cx.fresh("broadcast"));
  f(v) = op.getMean() ? value / cast<float>(count) : value;
  cx.define(op.getResult(), f, v, OpStage::Elementwise, false);
}

} // namespace

void netc::registerTensorGradLowerings(LowerTable &t) {
  addLowering<mlir::net::ZerosOp>(t, lowerZeros);
  addLowering<mlir::net::MaskGradOp>(t, lowerMaskGrad);
  addLowering<mlir::net::SoftmaxGradOp>(t, lowerSoftmaxGrad<mlir::net::SoftmaxGradOp>);
  addLowering<mlir::net::LogSoftmaxGradOp>(
      t, lowerSoftmaxGrad<mlir::net::LogSoftmaxGradOp>);
  addLowering<mlir::net::SliceOp>(t, lowerSlice);
  addLowering<mlir::net::BroadcastOp>(t, lowerBroadcast);
}
