//===- LayerLowering.cpp - weights, conv, fc, batchnorm ---------------------===//
//
// Layers with parameters; parameter values become constant buffers.
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

Func LowerContext::weight(mlir::net::WeightOp op) {
  std::vector<int64_t> shape = shapeOf(op.getResult());
  std::vector<int> extents(shape.rbegin(), shape.rend());
  Buffer<float> buf(extents, fresh("w_" + op.getName().str()));
  const std::vector<float> &data = weights.find(op.getName())->second;
  std::memcpy(buf.data(), data.data(), data.size() * sizeof(float));
  Func f(fresh("param_" + op.getName().str()));
  std::vector<Var> v = makeVars(shape.size());
  f(v) = buf(asExprs(v));
  return f;
}

static void lowerConv(LowerContext &cx, mlir::net::ConvOp op) {
  const HTensor &x = cx.values[op.getInput()];
  const HTensor &w = cx.values[op.getWeight()];
  size_t spatial = x.rank() - 2;
  std::vector<int64_t> out = shapeOf(op.getResult());
  int64_t groups = op.getGroups();
  int cg = (int)w.shape[1];             // input channels per group
  int og = (int)(w.shape[0] / groups);  // output channels per group
  llvm::ArrayRef<int64_t> stride = op.getStride(), pad = op.getPad(),
                    dil = op.getDilation();

  // Reduction over kernel taps (innermost first) and the group's channels.
  Region dom;
  for (size_t i = 0; i < spatial; ++i)
    dom.push_back(Range(0, (int)w.shape[w.rank() - 1 - i]));
  dom.push_back(Range(0, cg));
  RDom r(dom, cx.fresh("r_conv"));

  std::vector<Var> v = cx.makeVars(x.rank()); // v[spatial] = o, v[spatial+1] = n
  Var o = v[spatial], n = v[spatial + 1];
  std::vector<Expr> inAt, wAt;
  for (size_t i = 0; i < spatial; ++i) {
    size_t d = spatial - 1 - i; // NCHW spatial index of Halide dim i
    inAt.push_back(v[i] * (int)stride[d] + r[i] * (int)dil[d] - (int)pad[d]);
    wAt.push_back(r[i]);
  }
  Expr channel = groups == 1 ? Expr(r[spatial]) : (o / og) * cg + r[spatial];
  inAt.push_back(channel);
  inAt.push_back(n);
  wAt.push_back(r[spatial]);
  wAt.push_back(o);

  Func f(cx.fresh("conv"));
  Expr init = op.getBias() ? cx.values[op.getBias()].f(o) : Expr(0.0f);
  f(cx.asExprs(v)) = init;
  f(cx.asExprs(v)) += w.f(wAt) * cx.padded(x, inAt, std::vector<int64_t>(pad.begin(), pad.end()));
  (void)out;
  cx.define(op.getResult(), f, v, OpStage::Conv, true, {}, r);
}

static void lowerFc(LowerContext &cx, mlir::net::FcOp op) {
  const HTensor &x = cx.values[op.getInput()];
  const HTensor &w = cx.values[op.getWeight()];
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
  addLowering<mlir::net::ConvOp>(t, lowerConv);
  addLowering<mlir::net::FcOp>(t, lowerFc);
  addLowering<mlir::net::BatchNormOp>(t, lowerBatchNorm);
}
