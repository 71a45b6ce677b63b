//===- MathRules.cpp - Reference rules of the math ops --------------------===//
//
// Elementwise math (relu6, abs, sqrt, exp, log, square, leaky_relu),
// log_softmax, reductions (mean, sum), l2norm and reshape.
//
// Plain loops in double precision, rounded to f32 once per result.
//
//===----------------------------------------------------------------------===//
#include "reference/Evaluator.h"

#include "net/IR/NetOps.h"

#include "llvm/ADT/STLExtras.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace netc;
using namespace mlir;

namespace {

/// Registers an elementwise rule `fn(double) -> double`.
template <typename OpTy, typename Fn> void addMap(RefTable &t, Fn fn) {
  t[OpTy::getOperationName()] =
      [fn](Evaluator &ev, Operation *op) -> std::optional<RefTensor> {
    RefTensor y = ev.get(op->getOperand(0));
    for (float &v : y.data)
      v = static_cast<float>(fn(static_cast<double>(v)));
    return y;
  };
}

/// A view of a tensor around one axis: element (a, i, b) is at
/// (a * len + i) * inner + b.
struct AxisView {
  int64_t outer, len, inner;
  AxisView(const RefTensor &x, int64_t axis) {
    inner = stridesOf(x.shape)[axis];
    len = x.shape[axis];
    outer = len * inner != 0 ? x.numel() / (len * inner) : 0;
  }
  int64_t at(int64_t a, int64_t i, int64_t b) const {
    return (a * len + i) * inner + b;
  }
};

std::optional<RefTensor> logSoftmax(Evaluator &ev, Operation *op) {
  auto ls = cast<net::LogSoftmaxOp>(op);
  const RefTensor &x = ev.get(ls.getInput());
  RefTensor y = x;
  AxisView view(x, ls.getAxis());
  for (int64_t a = 0; a < view.outer; ++a)
    for (int64_t b = 0; b < view.inner; ++b) {
      double m = -std::numeric_limits<double>::infinity(), s = 0;
      for (int64_t i = 0; i < view.len; ++i)
        m = std::max(m, (double)x.data[view.at(a, i, b)]);
      for (int64_t i = 0; i < view.len; ++i)
        s += std::exp(x.data[view.at(a, i, b)] - m);
      double lse = m + std::log(s);
      for (int64_t i = 0; i < view.len; ++i)
        y.data[view.at(a, i, b)] = (float)(x.data[view.at(a, i, b)] - lse);
    }
  return y;
}

std::optional<RefTensor> l2norm(Evaluator &ev, Operation *op) {
  auto n = cast<net::L2NormOp>(op);
  const RefTensor &x = ev.get(n.getInput());
  double eps = n.getEps().convertToDouble();
  RefTensor y = x;
  AxisView view(x, n.getAxis());
  for (int64_t a = 0; a < view.outer; ++a)
    for (int64_t b = 0; b < view.inner; ++b) {
      double ss = 0;
      for (int64_t i = 0; i < view.len; ++i) {
        double v = x.data[view.at(a, i, b)];
        ss += v * v;
      }
      double norm = std::max(std::sqrt(ss), eps);
      for (int64_t i = 0; i < view.len; ++i)
        y.data[view.at(a, i, b)] = (float)(x.data[view.at(a, i, b)] / norm);
    }
  return y;
}

/// sum or mean over `axes` (keepdims=false).
std::optional<RefTensor> reduce(Evaluator &ev, Operation *op,
                                ArrayRef<int64_t> axes, bool mean) {
  const RefTensor &x = ev.get(op->getOperand(0));
  RefTensor y;
  y.shape = ev.shapeOf(op->getResult(0), x.shape[0]);
  std::vector<double> acc(y.numel(), 0.0);
  std::vector<int64_t> ys = stridesOf(y.shape);
  int64_t count = 1;
  for (int64_t a : axes)
    count *= x.shape[a];
  int64_t k = 0;
  forEachIndex(x.shape, [&](const std::vector<int64_t> &idx) {
    int64_t off = 0, j = 0;
    for (size_t d = 0; d < idx.size(); ++d)
      if (!llvm::is_contained(axes, static_cast<int64_t>(d)))
        off += idx[d] * ys[j++];
    acc[off] += x.data[k++];
  });
  y.data.resize(acc.size());
  for (size_t i = 0; i < acc.size(); ++i)
    y.data[i] = (float)(mean ? acc[i] / count : acc[i]);
  return y;
}

std::optional<RefTensor> reshape(Evaluator &ev, Operation *op) {
  auto r = cast<net::ReshapeOp>(op);
  RefTensor y = ev.get(r.getInput());
  // A symbolic dim 0 of the result is the batch (the dialect's rule).
  int64_t batch = y.shape.empty() ? 1 : y.shape[0];
  y.shape = ev.shapeOf(r.getResult(), batch);
  return y;
}

} // namespace

void netc::registerMathRules(RefTable &t) {
  using namespace mlir::net;
  addMap<Relu6Op>(t, [](double v) { return std::min(std::max(v, 0.0), 6.0); });
  addMap<AbsOp>(t, [](double v) { return std::abs(v); });
  addMap<SqrtOp>(t, [](double v) { return std::sqrt(v); });
  addMap<ExpOp>(t, [](double v) { return std::exp(v); });
  addMap<LogOp>(t, [](double v) { return std::log(v); });
  addMap<SquareOp>(t, [](double v) { return v * v; });
  t[LeakyReluOp::getOperationName()] =
      [](Evaluator &ev, Operation *op) -> std::optional<RefTensor> {
    auto l = cast<LeakyReluOp>(op);
    double slope = l.getSlope().convertToDouble();
    RefTensor y = ev.get(l.getInput());
    for (float &v : y.data)
      v = v > 0 ? v : (float)(slope * v);
    return y;
  };
  t[QdqOp::getOperationName()] =
      [](Evaluator &ev, Operation *op) -> std::optional<RefTensor> {
    auto q = cast<QdqOp>(op);
    float scale = q.getScale().convertToFloat(), inv = 1.0f / scale;
    float zp = (float)q.getZeroPoint();
    RefTensor y = ev.get(q.getInput());
    for (float &v : y.data)
      v = (std::min(255.0f, std::max(0.0f, std::nearbyint(v * inv) + zp)) - zp) *
          scale;
    return y;
  };
  t[LogSoftmaxOp::getOperationName()] = logSoftmax;
  t[L2NormOp::getOperationName()] = l2norm;
  t[MeanOp::getOperationName()] = [](Evaluator &ev, Operation *op) {
    return reduce(ev, op, cast<MeanOp>(op).getAxes(), true);
  };
  t[SumOp::getOperationName()] = [](Evaluator &ev, Operation *op) {
    return reduce(ev, op, cast<SumOp>(op).getAxes(), false);
  };
  t[ReshapeOp::getOperationName()] = reshape;
}
