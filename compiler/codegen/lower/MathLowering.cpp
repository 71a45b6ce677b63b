//===- MathLowering.cpp - Halide lowering of the math ops -----------------===//
//
// Elementwise math (relu6, abs, sqrt, exp, log, square, leaky_relu),
// log_softmax, reductions (mean, sum), l2norm and reshape.
//
// Halide dims are the reverse of NCHW: NCHW dim d is Halide dim rank-1-d.
// Reductions may run over the batch dim; its extent is the run-time N.
//
//===----------------------------------------------------------------------===//
#include "codegen/lower/LowerContext.h"

#include "net/IR/NetOps.h"

#include "llvm/ADT/STLExtras.h"

using namespace netc;
using namespace Halide;

namespace {

void lowerLeakyRelu(LowerContext &cx, mlir::net::LeakyReluOp op) {
  const HTensor &x = cx.get(op.getInput());
  float slope = op.getSlope().convertToFloat();
  std::vector<Var> v = cx.makeVars(x.rank());
  Func f(cx.fresh("leaky_relu"));
  Expr e = x.f(cx.asExprs(v));
  f(cx.asExprs(v)) = select(e > 0.0f, e, e * slope);
  cx.define(op.getResult(), f, v, OpStage::Elementwise, false);
}

/// net.qdq: u8 quantization and back, as PyTorch's fake_quantize (x times
/// the reciprocal, rounded half to even). The stage computes the u8 codes
/// (what the value is stored as between kernels, and what int8 kernels
/// read); its f32 value, (codes - zero point) * scale, is inlined into the
/// readers. When the input is the last stage of this kernel and only read
/// here (net-group fused the qdq into its producer), the codes take over
/// that stage's schedule: the producer's epilogue requantizes, and its
/// f32 result is never stored.
void lowerQdq(LowerContext &cx, mlir::net::QdqOp op) {
  const HTensor &x = cx.get(op.getInput());
  float scale = op.getScale().convertToFloat();
  int zp = (int)op.getZeroPoint();
  std::vector<Var> v = cx.makeVars(x.rank());
  Func codes(cx.fresh("quantize"));
  codes(v) = LowerContext::quantize(x.f(cx.asExprs(v)), scale, zp);
  cx.values[op.getResult()] = cx.onCodes(codes, x.shape, scale, zp);
  int producer = cx.stageOf(x.f);
  bool last = producer >= 0 && producer + 1 == (int)cx.model.stages.size();
  if (last && op.getInput().hasOneUse() &&
      cx.model.stages[producer].requantizable()) {
    OpStage &s = cx.model.stages[producer];
    s.func = codes;
    s.requantized = true;
    return;
  }
  cx.model.stages.push_back(
      {OpStage::Elementwise, codes, v, x.shape, false, {}, RDom()});
}

/// The vars of `v` without Halide dim `hd`: the domain of a per-axis
/// statistic (max, sum of squares) of a tensor.
std::vector<Expr> dropDim(const std::vector<Var> &v, size_t hd) {
  std::vector<Expr> r;
  for (size_t i = 0; i < v.size(); ++i)
    if (i != hd)
      r.push_back(v[i]);
  return r;
}

std::vector<Var> dropVar(const std::vector<Var> &v, size_t hd) {
  std::vector<Var> r;
  for (size_t i = 0; i < v.size(); ++i)
    if (i != hd)
      r.push_back(v[i]);
  return r;
}

/// x - max - log(sum(exp(x - max))) along the axis.
void lowerLogSoftmax(LowerContext &cx, mlir::net::LogSoftmaxOp op) {
  const HTensor &x = cx.get(op.getInput());
  size_t axis = op.getAxis();
  size_t hd = x.rank() - 1 - axis;
  std::vector<Var> v = cx.makeVars(x.rank());
  std::vector<Var> w = dropVar(v, hd);
  std::vector<Expr> we = dropDim(v, hd);
  RDom r(0, cx.extent(x, axis), cx.fresh("r_log_softmax"));
  std::vector<Expr> at = cx.asExprs(v);
  at[hd] = r;
  Func mx(cx.fresh("log_softmax_max")), sum(cx.fresh("log_softmax_sum")),
      f(cx.fresh("log_softmax"));
  mx(w) = Float(32).min();
  mx(w) = max(mx(w), x.f(at));
  sum(w) = 0.0f;
  sum(w) += exp(x.f(at) - mx(w));
  f(cx.asExprs(v)) = x.f(cx.asExprs(v)) - mx(we) - log(sum(we));
  cx.define(op.getResult(), f, v, OpStage::Reduction, false, {mx, sum});
}

/// x / max(sqrt(sum(x^2) along the axis), eps).
void lowerL2Norm(LowerContext &cx, mlir::net::L2NormOp op) {
  const HTensor &x = cx.get(op.getInput());
  size_t axis = op.getAxis();
  size_t hd = x.rank() - 1 - axis;
  float eps = op.getEps().convertToFloat();
  std::vector<Var> v = cx.makeVars(x.rank());
  std::vector<Var> w = dropVar(v, hd);
  RDom r(0, cx.extent(x, axis), cx.fresh("r_l2norm"));
  std::vector<Expr> at = cx.asExprs(v);
  at[hd] = r;
  Func ss(cx.fresh("l2norm_sumsq")), f(cx.fresh("l2norm"));
  ss(w) = 0.0f;
  Expr t = x.f(at);
  ss(w) += t * t;
  f(cx.asExprs(v)) = x.f(cx.asExprs(v)) / max(sqrt(ss(dropDim(v, hd))), eps);
  cx.define(op.getResult(), f, v, OpStage::Reduction, false, {ss});
}

/// sum (and mean) over `axes`: one stage whose update runs an RDom over
/// the reduced dims (the schedule nests it just outside the vector lanes);
/// mean then divides in a second, elementwise stage.
void lowerReduce(LowerContext &cx, mlir::Operation *op,
                 llvm::ArrayRef<int64_t> axes, bool mean) {
  const HTensor &x = cx.get(op->getOperand(0));
  size_t rank = x.rank();
  std::vector<int64_t> out = shapeOf(op->getResult(0));
  std::vector<Var> v = cx.makeVars(out.size());
  // RDom dims innermost first, like Halide's.
  Region dom;
  Expr count = 1;
  for (size_t hd = 0; hd < rank; ++hd) {
    size_t d = rank - 1 - hd;
    if (!llvm::is_contained(axes, static_cast<int64_t>(d)))
      continue;
    Expr e = cx.extent(x, d);
    dom.push_back(Range(0, e));
    count = count * e;
  }
  RDom r(dom, cx.fresh(mean ? "r_mean" : "r_sum"));
  std::vector<Expr> at;
  int nextR = 0, nextV = 0;
  for (size_t hd = 0; hd < rank; ++hd) {
    size_t d = rank - 1 - hd;
    if (llvm::is_contained(axes, static_cast<int64_t>(d)))
      at.push_back(r[nextR++]);
    else
      at.push_back(v[nextV++]);
  }
  Func s(cx.fresh(mean ? "mean_sum" : "sum"));
  s(cx.asExprs(v)) = 0.0f;
  s(cx.asExprs(v)) += x.f(at);
  cx.define(op->getResult(0), s, v, OpStage::Reduction, true, {}, r);
  if (!mean)
    return;
  Func m(cx.fresh("mean"));
  m(cx.asExprs(v)) = s(cx.asExprs(v)) / cast<float>(count);
  cx.define(op->getResult(0), m, v, OpStage::Elementwise, false);
}

/// Row-major reshape: output coordinates -> flat index -> input
/// coordinates. With a symbolic batch both sides keep it as dim 0 and only
/// a batch item is re-indexed.
void lowerReshape(LowerContext &cx, mlir::net::ReshapeOp op) {
  const HTensor &x = cx.get(op.getInput());
  std::vector<int64_t> out = shapeOf(op.getResult());
  std::vector<Var> v = cx.makeVars(out.size());
  bool keepBatch = !out.empty() && out[0] < 0;
  size_t first = keepBatch ? 1 : 0; // the first NCHW dim re-indexed
  // The flat index of an output coordinate, over dims first..rank-1.
  Expr flat = 0;
  int64_t stride = 1;
  for (size_t hd = 0; hd + first < out.size(); ++hd) {
    flat = flat + v[hd] * (int)stride;
    stride *= out[out.size() - 1 - hd];
  }
  std::vector<Expr> at(x.rank());
  stride = 1;
  for (size_t hd = 0; hd + first < x.rank(); ++hd) {
    int64_t n = x.shape[x.rank() - 1 - hd];
    Expr i = flat / (int)stride;
    // The outermost re-indexed dim needs no modulo: flat is in range.
    at[hd] = hd + first + 1 == x.rank() ? i : i % (int)n;
    stride *= n;
  }
  if (keepBatch)
    at[x.rank() - 1] = v[out.size() - 1];
  Func f(cx.fresh("reshape"));
  f(cx.asExprs(v)) = x.f(at);
  cx.define(op.getResult(), f, v, OpStage::Copy, false);
}

} // namespace

void netc::registerMathLowerings(LowerTable &t) {
  using namespace mlir::net;
  addUnary<Relu6Op>(
      t, [](Expr e) { return clamp(e, 0.0f, 6.0f); }, "relu6");
  addUnary<AbsOp>(
      t, [](Expr e) { return abs(e); }, "abs");
  addUnary<SqrtOp>(
      t, [](Expr e) { return sqrt(e); }, "sqrt");
  addUnary<ExpOp>(
      t, [](Expr e) { return exp(e); }, "exp");
  addUnary<LogOp>(
      t, [](Expr e) { return log(e); }, "log");
  addUnary<SquareOp>(
      t, [](Expr e) { return e * e; }, "square");
  addLowering<LeakyReluOp>(t, lowerLeakyRelu);
  addLowering<QdqOp>(t, lowerQdq);
  addLowering<LogSoftmaxOp>(t, lowerLogSoftmax);
  addLowering<L2NormOp>(t, lowerL2Norm);
  addLowering<MeanOp>(
      t, +[](LowerContext &cx, MeanOp op) {
        lowerReduce(cx, op, op.getAxes(), true);
      });
  addLowering<SumOp>(
      t, +[](LowerContext &cx, SumOp op) {
        lowerReduce(cx, op, op.getAxes(), false);
      });
  addLowering<ReshapeOp>(t, lowerReshape);
}
