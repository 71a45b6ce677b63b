//===- VisionRules.cpp - Reference rules of the vision ops ----------------===//
//
// gram, correlation and the loss terms bce, triplet, contrastive,
// content_cost, style_cost, epe: plain loops in double precision, written
// from the formulas of netlang.md sections 6 and 7.
//
//===----------------------------------------------------------------------===//
#include "reference/Evaluator.h"

#include "net/IR/NetOps.h"

#include <algorithm>
#include <cmath>

using namespace netc;
using namespace mlir;

namespace {

/// Elements per batch item of a tensor [N, ...].
int64_t itemSize(const RefTensor &t) {
  return t.shape.empty() || t.shape[0] == 0 ? 0 : t.numel() / t.shape[0];
}

RefTensor scalar(double v) { return RefTensor{{}, {(float)v}}; }

/// Sums per-item values and divides by `count` for "mean".
RefTensor reduce(const std::vector<double> &items, Operation *op,
                 double count) {
  double total = 0;
  for (double v : items)
    total += v;
  if (op->getAttrOfType<StringAttr>("reduction").getValue() == "mean")
    total /= count;
  return scalar(total);
}

/// G[n, c1, c2] = sum_p x[n, c1, p] * x[n, c2, p] (p: spatial positions).
std::vector<double> gram(const RefTensor &x) {
  int64_t n = x.shape[0], c = x.shape[1], p = itemSize(x) / c;
  std::vector<double> g(n * c * c, 0.0);
  for (int64_t b = 0; b < n; ++b)
    for (int64_t i = 0; i < c; ++i)
      for (int64_t j = 0; j < c; ++j) {
        double acc = 0;
        const float *xi = &x.data[(b * c + i) * p],
                    *xj = &x.data[(b * c + j) * p];
        for (int64_t k = 0; k < p; ++k)
          acc += (double)xi[k] * xj[k];
        g[(b * c + i) * c + j] = acc;
      }
  return g;
}

std::optional<RefTensor> evalGram(Evaluator &ev, Operation *op) {
  const RefTensor &x = ev.get(op->getOperand(0));
  std::vector<double> g = gram(x);
  int64_t c = x.shape[1];
  return RefTensor{{x.shape[0], c, c}, std::vector<float>(g.begin(), g.end())};
}

std::optional<RefTensor> evalCorrelation(Evaluator &ev, Operation *op) {
  auto corr = cast<net::CorrelationOp>(op);
  const RefTensor &a = ev.get(corr.getLhs()), &b = ev.get(corr.getRhs());
  int64_t n = a.shape[0], c = a.shape[1], h = a.shape[2], w = a.shape[3];
  int64_t d = corr.getMaxDisp(), s = corr.getStride();
  int64_t per = 2 * (d / s) + 1;
  RefTensor y{{n, per * per, h, w}, {}};
  y.data.assign(y.numel(), 0.0f);
  for (int64_t bi = 0; bi < n; ++bi)
    for (int64_t i = 0; i < per; ++i)
      for (int64_t j = 0; j < per; ++j) {
        int64_t dy = i * s - d, dx = j * s - d, k = i * per + j;
        for (int64_t yy = 0; yy < h; ++yy)
          for (int64_t xx = 0; xx < w; ++xx) {
            int64_t by = yy + dy, bx = xx + dx;
            if (by < 0 || by >= h || bx < 0 || bx >= w)
              continue; // zero outside
            double acc = 0;
            for (int64_t ch = 0; ch < c; ++ch)
              acc += (double)a.data[((bi * c + ch) * h + yy) * w + xx] *
                     b.data[((bi * c + ch) * h + by) * w + bx];
            y.data[((bi * per * per + k) * h + yy) * w + xx] = (float)(acc / c);
          }
      }
  return y;
}

std::optional<RefTensor> evalBce(Evaluator &ev, Operation *op) {
  const RefTensor &x = ev.get(op->getOperand(0)),
                  &t = ev.get(op->getOperand(1));
  double total = 0;
  for (size_t i = 0; i < x.data.size(); ++i) {
    double v = x.data[i];
    total +=
        std::max(v, 0.0) - v * t.data[i] + std::log1p(std::exp(-std::abs(v)));
  }
  // nn.BCEWithLogitsLoss: the mean is over every element.
  return reduce({total}, op, (double)x.data.size());
}

/// Squared L2 distance between the items `b` of two tensors of one shape.
double sqDist(const RefTensor &x, const RefTensor &y, int64_t b) {
  int64_t m = itemSize(x);
  double acc = 0;
  for (int64_t k = b * m; k < (b + 1) * m; ++k) {
    double d = (double)x.data[k] - y.data[k];
    acc += d * d;
  }
  return acc;
}

std::optional<RefTensor> evalTriplet(Evaluator &ev, Operation *op) {
  auto tr = cast<net::TripletOp>(op);
  const RefTensor &a = ev.get(tr.getAnchor()), &p = ev.get(tr.getPositive()),
                  &n = ev.get(tr.getNegative());
  double margin = tr.getMargin().convertToDouble();
  std::vector<double> items;
  for (int64_t b = 0; b < a.shape[0]; ++b)
    items.push_back(std::max(sqDist(a, p, b) - sqDist(a, n, b) + margin, 0.0));
  return reduce(items, op, (double)a.shape[0]);
}

std::optional<RefTensor> evalContrastive(Evaluator &ev, Operation *op) {
  auto co = cast<net::ContrastiveOp>(op);
  const RefTensor &a = ev.get(co.getLhs()), &b = ev.get(co.getRhs()),
                  &same = ev.get(co.getSame());
  double margin = co.getMargin().convertToDouble();
  std::vector<double> items;
  for (int64_t i = 0; i < a.shape[0]; ++i) {
    double d2 = sqDist(a, b, i), s = same.data[i];
    double gap = std::max(margin - std::sqrt(d2), 0.0);
    items.push_back(s * d2 + (1 - s) * gap * gap);
  }
  return reduce(items, op, (double)a.shape[0]);
}

std::optional<RefTensor> evalContentCost(Evaluator &ev, Operation *op) {
  const RefTensor &c = ev.get(op->getOperand(0)),
                  &g = ev.get(op->getOperand(1));
  std::vector<double> items;
  for (int64_t b = 0; b < c.shape[0]; ++b)
    items.push_back(0.5 * sqDist(c, g, b));
  return reduce(items, op, (double)c.shape[0]);
}

std::optional<RefTensor> evalStyleCost(Evaluator &ev, Operation *op) {
  const RefTensor &s = ev.get(op->getOperand(0)),
                  &g = ev.get(op->getOperand(1));
  std::vector<double> gs = gram(s), gg = gram(g);
  int64_t n = s.shape[0], c = s.shape[1], cc = c * c;
  double denom = 2.0 * (double)itemSize(s); // 2 * nH * nW * nC
  std::vector<double> items;
  for (int64_t b = 0; b < n; ++b) {
    double acc = 0;
    for (int64_t k = b * cc; k < (b + 1) * cc; ++k)
      acc += (gs[k] - gg[k]) * (gs[k] - gg[k]);
    items.push_back(acc / (denom * denom));
  }
  return reduce(items, op, (double)n);
}

std::optional<RefTensor> evalEpe(Evaluator &ev, Operation *op) {
  const RefTensor &f = ev.get(op->getOperand(0)),
                  &g = ev.get(op->getOperand(1));
  int64_t n = f.shape[0], hw = f.shape[2] * f.shape[3];
  std::vector<double> items;
  for (int64_t b = 0; b < n; ++b) {
    double acc = 0;
    for (int64_t p = 0; p < hw; ++p) {
      int64_t u = (b * 2) * hw + p, v = (b * 2 + 1) * hw + p;
      double du = (double)f.data[u] - g.data[u];
      double dv = (double)f.data[v] - g.data[v];
      acc += std::sqrt(du * du + dv * dv);
    }
    items.push_back(acc / hw);
  }
  return reduce(items, op, (double)n);
}

} // namespace

void netc::registerVisionRules(RefTable &t) {
  t[net::GramOp::getOperationName()] = evalGram;
  t[net::CorrelationOp::getOperationName()] = evalCorrelation;
  t[net::BceOp::getOperationName()] = evalBce;
  t[net::TripletOp::getOperationName()] = evalTriplet;
  t[net::ContrastiveOp::getOperationName()] = evalContrastive;
  t[net::ContentCostOp::getOperationName()] = evalContentCost;
  t[net::StyleCostOp::getOperationName()] = evalStyleCost;
  t[net::EpeOp::getOperationName()] = evalEpe;
}
