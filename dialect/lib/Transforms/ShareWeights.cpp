//===- ShareWeights.cpp - k-means codebooks for conv and fc weights -------===//
//
// See NetShareWeights in Passes.td. One-dimensional k-means is cheap when
// the points are sorted: clusters are runs, the boundaries lie halfway
// between neighbouring centroids. Large tensors (alexnet's fc6 has 38M
// weights) are clustered on a fine histogram of their values, then every
// weight goes to its nearest centroid and the centroids become the exact
// means of their members.
//
//===----------------------------------------------------------------------===//
#include "net/IR/NetAttrs.h"
#include "net/IR/NetOps.h"
#include "net/Transforms/Passes.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/MapVector.h"

#include <algorithm>
#include <cmath>

namespace mlir::net {
#define GEN_PASS_DEF_NETSHAREWEIGHTS
#include "net/Transforms/Passes.h.inc"
} // namespace mlir::net

using namespace mlir;
using namespace mlir::net;

namespace {

/// Weighted points on a line, in increasing order.
struct Points {
  std::vector<double> at, weight;
  bool exact = false; // the distinct values themselves, not a histogram
};

/// The distinct nonzero values with their counts when there are few of
/// them; otherwise a histogram of `bins` bins over [lo, hi] (each bin at
/// the mean of its members).
Points pointsOf(llvm::ArrayRef<float> w, float lo, float hi) {
  constexpr int64_t kExactLimit = 1 << 16, kBins = 1 << 16;
  Points p;
  std::vector<float> nz;
  for (float v : w)
    if (v != 0.0f)
      nz.push_back(v);
  if ((int64_t)nz.size() <= kExactLimit) {
    p.exact = true;
    std::sort(nz.begin(), nz.end());
    for (float v : nz) {
      if (!p.at.empty() && p.at.back() == v) {
        p.weight.back() += 1;
        continue;
      }
      p.at.push_back(v);
      p.weight.push_back(1);
    }
    return p;
  }
  std::vector<double> sum(kBins, 0.0), count(kBins, 0.0);
  double scale = hi > lo ? (kBins - 1) / ((double)hi - lo) : 0.0;
  for (float v : nz) {
    int64_t b = (int64_t)((v - (double)lo) * scale);
    b = std::clamp<int64_t>(b, 0, kBins - 1);
    sum[b] += v;
    count[b] += 1;
  }
  for (int64_t b = 0; b < kBins; ++b)
    if (count[b] > 0) {
      p.at.push_back(sum[b] / count[b]);
      p.weight.push_back(count[b]);
    }
  return p;
}

/// Lloyd's iterations on sorted weighted points from `c` (sorted); empty
/// clusters are dropped. Returns the centroids, sorted.
std::vector<double> lloyd(const Points &p, std::vector<double> c) {
  for (int iter = 0; iter < 100 && !c.empty(); ++iter) {
    std::vector<double> sum(c.size(), 0.0), weight(c.size(), 0.0);
    size_t k = 0;
    for (size_t j = 0; j < p.at.size(); ++j) {
      while (k + 1 < c.size() && p.at[j] > (c[k] + c[k + 1]) / 2)
        ++k;
      sum[k] += p.at[j] * p.weight[j];
      weight[k] += p.weight[j];
    }
    std::vector<double> next;
    for (size_t i = 0; i < c.size(); ++i)
      if (weight[i] > 0)
        next.push_back(sum[i] / weight[i]);
    bool moved = next.size() != c.size();
    for (size_t i = 0; !moved && i < c.size(); ++i)
      moved = std::fabs(next[i] - c[i]) > 1e-12 * (1 + std::fabs(c[i]));
    c = std::move(next);
    if (!moved)
      break;
  }
  return c;
}

/// Lloyd's iterations from `c`, then up to `want` clusters: linear
/// initialisation leaves clusters empty where the values are sparse (the
/// gap a pruning leaves around zero), so the clusters with the largest
/// squared error are split in two and Lloyd runs again, a few rounds.
std::vector<double> kmeans(const Points &p, std::vector<double> c,
                           size_t want) {
  c = lloyd(p, std::move(c));
  for (int round = 0; round < 8 && c.size() < want && c.size() < p.at.size();
       ++round) {
    size_t n = c.size();
    std::vector<double> w(n, 0), sx(n, 0), sxx(n, 0), lo(n, INFINITY),
        hi(n, -INFINITY);
    size_t k = 0;
    for (size_t j = 0; j < p.at.size(); ++j) {
      while (k + 1 < n && p.at[j] > (c[k] + c[k + 1]) / 2)
        ++k;
      double x = p.at[j], pw = p.weight[j];
      w[k] += pw;
      sx[k] += pw * x;
      sxx[k] += pw * x * x;
      lo[k] = std::min(lo[k], x);
      hi[k] = std::max(hi[k], x);
    }
    std::vector<size_t> order(n);
    for (size_t i = 0; i < n; ++i)
      order[i] = i;
    auto sse = [&](size_t i) { return sxx[i] - sx[i] * sx[i] / w[i]; };
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return sse(a) > sse(b) || (sse(a) == sse(b) && a < b);
    });
    std::vector<double> next = c;
    size_t splits = 0;
    for (size_t i : order) {
      if (n + splits >= want || !(hi[i] > lo[i]))
        break;
      next[i] = (lo[i] + c[i]) / 2;
      next.push_back((c[i] + hi[i]) / 2);
      ++splits;
    }
    if (!splits)
      break;
    std::sort(next.begin(), next.end());
    c = lloyd(p, std::move(next));
  }
  return c;
}

/// Replaces the nonzero values of `w` by at most `entries` shared values;
/// returns how many distinct nonzero values remain.
int64_t shareValues(std::vector<float> &w, int entries) {
  float lo = INFINITY, hi = -INFINITY;
  for (float v : w)
    if (v != 0.0f) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  if (lo > hi)
    return 0; // all zero
  Points p = pointsOf(w, lo, hi);
  if (p.exact && (int64_t)p.at.size() <= entries)
    return (int64_t)p.at.size(); // few distinct values: kept as they are
  std::vector<double> c;
  for (int i = 0; i < entries; ++i)
    c.push_back(entries == 1 ? (lo + (double)hi) / 2
                             : lo + ((double)hi - lo) * i / (entries - 1));
  c = kmeans(p, std::move(c), (size_t)entries);
  // Every weight to its nearest centroid, then the exact means.
  std::vector<double> mid;
  for (size_t i = 0; i + 1 < c.size(); ++i)
    mid.push_back((c[i] + c[i + 1]) / 2);
  std::vector<int32_t> member(w.size(), -1);
  std::vector<double> sum(c.size(), 0.0), count(c.size(), 0.0);
  for (size_t i = 0; i < w.size(); ++i) {
    if (w[i] == 0.0f)
      continue;
    int32_t k = (int32_t)(std::upper_bound(mid.begin(), mid.end(), (double)w[i]) -
                          mid.begin());
    member[i] = k;
    sum[k] += w[i];
    count[k] += 1;
  }
  std::vector<float> value(c.size());
  std::vector<float> distinct;
  for (size_t k = 0; k < c.size(); ++k)
    if (count[k] > 0) {
      value[k] = (float)(sum[k] / count[k]);
      distinct.push_back(value[k]);
    }
  for (size_t i = 0; i < w.size(); ++i)
    if (member[i] >= 0)
      w[i] = value[member[i]];
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  return (int64_t)llvm::count_if(distinct, [](float v) { return v != 0.0f; });
}

struct ShareWeightsPass
    : public net::impl::NetShareWeightsBase<ShareWeightsPass> {
  using NetShareWeightsBase::NetShareWeightsBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (auto [flag, n] : {std::pair{"conv-entries", (int)convEntries},
                           std::pair{"fc-entries", (int)fcEntries}})
      if (n < 1 || n > 256) {
        module.emitError() << "net-share-weights: " << flag
                           << " must be in [1, 256], got " << n;
        return signalPassFailure();
      }
    // Every copy of a parameter, by name, with the smallest codebook any
    // of its layers asks for.
    llvm::MapVector<StringRef, std::pair<SmallVector<WeightOp>, int>> byName;
    auto note = [&](Value v, int entries) {
      auto w = v ? v.getDefiningOp<WeightOp>() : nullptr;
      // int8 weights (net-quantize) are on their per-channel grid already;
      // clustering would move them off it. --compress codes them as int8.
      if (!w || w.getFrozen() || w->hasAttr(kWeightScalesAttr))
        return;
      auto &[copies, n] = byName[w.getName()];
      if (!llvm::is_contained(copies, w))
        copies.push_back(w);
      n = n ? std::min(n, entries) : entries;
    };
    module.walk([&](Operation *op) {
      if (auto conv = dyn_cast<ConvLikeOp>(op))
        note(conv.getConvWeight(), convEntries);
      else if (auto fc = dyn_cast<FcOp>(op))
        note(fc.getWeight(), fcEntries);
    });
    for (auto &[name, entry] : byName) {
      auto &[copies, entries] = entry;
      std::optional<std::vector<float>> values = copies.front().getValues();
      if (!values) {
        copies.front().emitError()
            << "cannot share the values of '" << name
            << "': they are not known at compile time (weights bound when "
               "the library is opened, --no-embed-weights)";
        return signalPassFailure();
      }
      int64_t distinct = shareValues(*values, entries);
      int64_t nonzeros = llvm::count_if(*values, [](float v) { return v != 0.0f; });
      auto mark = CodebookAttr::get(&getContext(), distinct, nonzeros);
      copies.front().setValues(std::move(*values));
      for (WeightOp w : copies) {
        if (w != copies.front())
          w.setValueAttr(copies.front().getValueAttr());
        w->setAttr(kCodebookAttr, mark);
      }
    }
  }
};

} // namespace
