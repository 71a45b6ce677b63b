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

Func LowerContext::weight(mlir::net::WeightOp op, int rowBlock) {
  std::vector<int64_t> shape = shapeOf(op.getResult());
  std::vector<int> extents(shape.rbegin(), shape.rend());
  const std::vector<float> &data = weights.find(op.getName())->second;
  Func f(fresh("param_" + op.getName().str()));
  std::vector<Var> v = makeVars(shape.size());
  if (rowBlock > 0 && shape.size() == 2) {
    // Blocks of rowBlock rows, each stored column by column: element (o, i)
    // of an [O, I] matrix at ((o / B) * I + i) * B + o % B (zero rows pad
    // the last block). A block's rows for one column are one vector.
    int rows = (int)shape[0], cols = (int)shape[1];
    int blocks = (rows + rowBlock - 1) / rowBlock;
    Buffer<float> buf({rowBlock, cols, blocks},
                      fresh("w_" + op.getName().str()));
    buf.fill(0.0f);
    for (int o = 0; o < rows; ++o)
      for (int i = 0; i < cols; ++i)
        buf(o % rowBlock, i, o / rowBlock) = data[(size_t)o * cols + i];
    f(v) = buf(v[1] % rowBlock, v[0], v[1] / rowBlock);
    return f;
  }
  Buffer<float> buf(extents, fresh("w_" + op.getName().str()));
  std::memcpy(buf.data(), data.data(), data.size() * sizeof(float));
  f(v) = buf(asExprs(v));
  return f;
}

static void lowerFc(LowerContext &cx, mlir::net::FcOp op) {
  const HTensor &x = cx.values[op.getInput()];
  HTensor w = cx.values[op.getWeight()];
  // The schedule computes blocks of kFcBlock output features in parallel:
  // store the weights in such blocks (see LowerContext::weight), so each
  // block streams through contiguous memory one vector per input feature.
  if (auto p = op.getWeight().getDefiningOp<mlir::net::WeightOp>())
    w.f = cx.weight(p, kFcBlock);
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
