//===- PoolLowering.cpp - maxpool, avgpool ----------------------------------===//
//
// Window pooling; average pooling counts padding (count_include_pad).
//
//===----------------------------------------------------------------------===//
#include "codegen/lower/LowerContext.h"

#include "net/IR/NetOps.h"

#include <cmath>

using namespace netc;
using namespace Halide;
using mlir::cast;
using mlir::dyn_cast;

static void lowerPool(LowerContext &cx, mlir::Operation *op, bool isMax) {
  mlir::Value input = op->getOperand(0);
  const HTensor &x = cx.values[input];
  llvm::ArrayRef<int64_t> kernel, stride, pad;
  if (auto m = dyn_cast<mlir::net::MaxPoolOp>(op)) {
    kernel = m.getKernel(), stride = m.getStride(), pad = m.getPad();
  } else {
    auto a = cast<mlir::net::AvgPoolOp>(op);
    kernel = a.getKernel(), stride = a.getStride(), pad = a.getPad();
  }
  size_t spatial = x.rank() - 2;
  Region dom;
  for (size_t i = 0; i < spatial; ++i)
    dom.push_back(Range(0, (int)kernel[spatial - 1 - i]));
  RDom r(dom, cx.fresh("r_pool"));
  std::vector<Var> v = cx.makeVars(x.rank());
  std::vector<Expr> at = cx.asExprs(v);
  Expr inside = Internal::const_true();
  Expr count = 1;
  std::vector<int64_t> out = shapeOf(op->getResult(0));
  for (size_t i = 0; i < spatial; ++i) {
    size_t d = spatial - 1 - i;
    int n = (int)x.shape[x.rank() - 1 - i];
    Expr start = v[i] * (int)stride[d] - (int)pad[d];
    at[i] = start + r[i];
    // Guards only where a window can leave the input (padding, ceil mode):
    // unguarded dims keep bounds inference, and compile time, simple.
    int64_t lastEnd = (out[x.rank() - 1 - i] - 1) * stride[d] - pad[d] +
                      kernel[d];
    if (pad[d] == 0 && lastEnd <= n) {
      count = count * (int)kernel[d];
      continue;
    }
    inside = inside && at[i] >= 0 && at[i] < n;
    // count_include_pad: the window clipped to the padded extent.
    count = count * (min(start + (int)kernel[d], n + (int)pad[d]) - start);
    at[i] = clamp(at[i], 0, n - 1);
  }
  bool guarded = !Internal::is_const_one(inside);
  Func f(cx.fresh(isMax ? "maxpool" : "avgpool"));
  Expr value = x.f(at);
  if (isMax) {
    f(cx.asExprs(v)) = Float(32).min();
    f(cx.asExprs(v)) =
        max(f(cx.asExprs(v)),
            guarded ? select(inside, value, Float(32).min()) : value);
    cx.define(op->getResult(0), f, v, OpStage::Pool, true, {}, r);
    return;
  }
  Func sum(cx.fresh("avgpool_sum"));
  sum(cx.asExprs(v)) = 0.0f;
  sum(cx.asExprs(v)) += guarded ? select(inside, value, 0.0f) : value;
  f(cx.asExprs(v)) = sum(cx.asExprs(v)) / cast<float>(count);
  cx.define(op->getResult(0), f, v, OpStage::Pool, false, {sum});
}

void netc::registerPoolLowerings(LowerTable &t) {
  addLowering<mlir::net::MaxPoolOp>(
      t, +[](LowerContext &cx, mlir::net::MaxPoolOp op) {
        lowerPool(cx, op, true);
      });
  addLowering<mlir::net::AvgPoolOp>(
      t, +[](LowerContext &cx, mlir::net::AvgPoolOp op) {
        lowerPool(cx, op, false);
      });
}
