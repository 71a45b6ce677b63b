//===- LayerLowering.cpp - weights, fc, batchnorm ----------------------------===//
//
// Layers with parameters; parameter values become constant buffers.
// Convolutions are in ConvLowering.cpp.
//
//===----------------------------------------------------------------------===//
#include "codegen/lower/LowerContext.h"

#include "net/IR/NetOps.h"

#include <cmath>
#include <cstring>

using namespace netc;
using namespace Halide;
using mlir::cast;
using mlir::dyn_cast;

Func LowerContext::weight(mlir::net::WeightOp op, bool rowsFastest) {
  std::vector<int64_t> shape = shapeOf(op.getResult());
  std::vector<int> extents(shape.rbegin(), shape.rend());
  const std::vector<float> &data = weights.find(op.getName())->second;
  Buffer<float> buf;
  if (rowsFastest && shape.size() == 2) {
    // The transpose: element (o, i) of an [O, I] matrix at i * O + o.
    buf = Buffer<float>(extents, {1, 0}, fresh("w_" + op.getName().str()));
    for (int64_t o = 0; o < shape[0]; ++o)
      for (int64_t i = 0; i < shape[1]; ++i)
        buf((int)i, (int)o) = data[o * shape[1] + i];
  } else {
    buf = Buffer<float>(extents, fresh("w_" + op.getName().str()));
    std::memcpy(buf.data(), data.data(), data.size() * sizeof(float));
  }
  Func f(fresh("param_" + op.getName().str()));
  std::vector<Var> v = makeVars(shape.size());
  f(v) = buf(asExprs(v));
  return f;
}

static void lowerFc(LowerContext &cx, mlir::net::FcOp op) {
  const HTensor &x = cx.values[op.getInput()];
  HTensor w = cx.values[op.getWeight()];
  // The schedule vectorizes over output features: store the weights
  // output-feature fastest so each tap is one contiguous vector load.
  if (auto p = op.getWeight().getDefiningOp<mlir::net::WeightOp>())
    w.f = cx.weight(p, /*rowsFastest=*/true);
  Func flat = cx.flattened(x, cx.fresh("flatten"));
  RDom r(0, (int)w.shape[1], cx.fresh("r_fc"));
  Var o("x"), n("y");
  Func f(cx.fresh("fc"));
  f(o, n) = op.getBias() ? cx.values[op.getBias()].f(o) : Expr(0.0f);
  f(o, n) += w.f(r, o) * flat(r, n);
  cx.define(op.getResult(), f, {o, n}, OpStage::Fc, true, {}, r);
}

static void lowerBatchNorm(LowerContext &cx, mlir::net::BatchNormOp bn) {
  // Eval-mode batchnorm is a per-channel affine map, folded here.
  const HTensor &x = cx.get(bn.getInput());
  auto get = [&](mlir::Value v) -> const std::vector<float> & {
    auto w = cast<mlir::net::WeightOp>(v.getDefiningOp());
    return cx.weights.find(w.getName())->second;
  };
  const std::vector<float> &g = get(bn.getWeight()), &b = get(bn.getBias()),
                           &m = get(bn.getMean()), &var = get(bn.getVar());
  int c = (int)g.size();
  Buffer<float> scale(c, cx.fresh("bn_scale")), shift(c, cx.fresh("bn_shift"));
  float eps = bn.getEps().convertToFloat();
  for (int i = 0; i < c; ++i) {
    scale(i) = g[i] / std::sqrt(var[i] + eps);
    shift(i) = b[i] - m[i] * scale(i);
  }
  std::vector<Var> v = cx.makeVars(x.rank());
  Var ch = v[x.rank() - 2];
  Func f(cx.fresh("batchnorm"));
  f(cx.asExprs(v)) = x.f(cx.asExprs(v)) * scale(ch) + shift(ch);
  cx.define(bn.getResult(), f, v, OpStage::Elementwise, false);
}

void netc::registerLayerLowerings(LowerTable &t) {
  t[mlir::net::WeightOp::getOperationName()] =
      [](LowerContext &cx, mlir::Operation *op, std::string &error) {
        auto w = cast<mlir::net::WeightOp>(op);
        if (!cx.weights.count(w.getName())) {
          error = "no value for parameter '" + w.getName().str() + "'";
          return mlir::failure();
        }
        cx.values[w.getResult()] = {cx.weight(w), shapeOf(w.getResult())};
        return mlir::success();
      };
  addLowering<mlir::net::FcOp>(t, lowerFc);
  addLowering<mlir::net::BatchNormOp>(t, lowerBatchNorm);
}
