//===- TensorLowering.cpp - softmax, concat, flatten ------------------------===//
//
// Ops along an axis, and reshapes.
//
//===----------------------------------------------------------------------===//
#include "codegen/lower/LowerContext.h"

#include "net/IR/NetOps.h"

#include <cmath>

using namespace netc;
using namespace Halide;
using mlir::cast;
using mlir::dyn_cast;

/// The [N, features] view of a tensor: flat index i = ((c*H)+h)*W + w.
Func LowerContext::flattened(const HTensor &x, const std::string &name) {
  if (x.rank() == 2)
    return x.f;
  Var i("i"), n("n");
  std::vector<Expr> at;
  Expr rest = i;
  for (size_t d = 0; d + 1 < x.rank(); ++d) {
    int extent = (int)x.shape[x.rank() - 1 - d];
    bool last = d + 2 == x.rank();
    at.push_back(last ? rest : rest % extent);
    rest = rest / extent;
  }
  at.push_back(n);
  Func f(name);
  f(i, n) = x.f(at);
  return f;
}

static void lowerSoftmax(LowerContext &cx, mlir::net::SoftmaxOp op) {
  const HTensor &x = cx.get(op.getInput());
  int64_t axis = op.getAxis();
  size_t hd = x.rank() - 1 - axis; // Halide dim of the axis
  std::vector<Var> v = cx.makeVars(x.rank());
  RDom r(0, (int)x.shape[axis], cx.fresh("r_softmax"));
  std::vector<Expr> at = cx.asExprs(v);
  at[hd] = r;
  // Reductions are defined over the other dims; the axis coordinate is 0.
  std::vector<Expr> red = cx.asExprs(v);
  red[hd] = 0;
  Func mx(cx.fresh("softmax_max")), sum(cx.fresh("softmax_sum")),
      f(cx.fresh("softmax"));
  mx(cx.asExprs(v)) = Float(32).min();
  mx(cx.asExprs(v)) = max(mx(cx.asExprs(v)), x.f(at));
  Func e(cx.fresh("softmax_exp"));
  e(cx.asExprs(v)) = exp(x.f(cx.asExprs(v)) - mx(red));
  sum(cx.asExprs(v)) = 0.0f;
  sum(cx.asExprs(v)) += e(at);
  f(cx.asExprs(v)) = e(cx.asExprs(v)) / sum(red);
  cx.define(op.getResult(), f, v, OpStage::Reduction, false, {mx, e, sum});
}

static void lowerConcat(LowerContext &cx, mlir::net::ConcatOp op) {
  std::vector<int64_t> out = shapeOf(op.getResult());
  size_t hd = out.size() - 1 - op.getAxis();
  std::vector<Var> v = cx.makeVars(out.size());
  // A select chain over the axis coordinate, last input outermost.
  struct Part {
    int offset, extent;
    Func f;
  };
  std::vector<Part> parts;
  int offset = 0;
  for (mlir::Value in : op.getInputs()) {
    const HTensor &t = cx.get(in);
    int extent = (int)t.shape[op.getAxis()];
    parts.push_back({offset, extent, t.f});
    offset += extent;
  }
  Expr value;
  for (size_t i = parts.size(); i-- > 0;) {
    std::vector<Expr> at = cx.asExprs(v);
    // Clamped so that bounds inference asks each input for its own extent.
    at[hd] = clamp(v[hd] - parts[i].offset, 0, parts[i].extent - 1);
    Expr e = parts[i].f(at);
    value = value.defined() ? select(v[hd] < parts[i + 1].offset, e, value) : e;
  }
  Func f(cx.fresh("concat"));
  f(cx.asExprs(v)) = value;
  cx.define(op.getResult(), f, v, OpStage::Copy, false);
}

static void lowerFlatten(LowerContext &cx, mlir::net::FlattenOp op) {
  Func flat = cx.flattened(cx.get(op.getInput()), cx.fresh("flatten"));
  Var i("x"), n("y");
  Func g(cx.fresh("flatten"));
  g(i, n) = flat(i, n);
  cx.define(op.getResult(), g, {i, n}, OpStage::Copy, false);
}

void netc::registerTensorLowerings(LowerTable &t) {
  t[mlir::net::SoftmaxOp::getOperationName()] =
      [](LowerContext &cx, mlir::Operation *op, std::string &error) {
        auto s = cast<mlir::net::SoftmaxOp>(op);
        if (s.getAxis() == 0) {
          error = "softmax over the batch axis is not supported";
          return mlir::failure();
        }
        lowerSoftmax(cx, s);
        return mlir::success();
      };
  t[mlir::net::ConcatOp::getOperationName()] =
      [](LowerContext &cx, mlir::Operation *op, std::string &error) {
        auto c = cast<mlir::net::ConcatOp>(op);
        if (c.getAxis() == 0) {
          error = "concat along the batch axis is not supported";
          return mlir::failure();
        }
        // A concat in place (net.in_place) is no computation: its parts
        // write into crops of its buffer (NetToHalide.cpp).
        if (c->hasAttr(mlir::net::kInPlaceAttr)) {
          error = "internal error: a concat in place reached a kernel";
          return mlir::failure();
        }
        lowerConcat(cx, c);
        return mlir::success();
      };
  addLowering<mlir::net::FlattenOp>(t, lowerFlatten);
}
