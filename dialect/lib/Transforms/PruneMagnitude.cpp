//===- PruneMagnitude.cpp - Zero the smallest weights ---------------------===//
//
// See NetPruneMagnitude in Passes.td. The rule is exact (tools.md) so a test
// can prune the PyTorch model the same way and compare to 1e-4.
//
//===----------------------------------------------------------------------===//
#include "net/IR/NetAttrs.h"
#include "net/IR/NetOps.h"
#include "net/Transforms/Passes.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/MapVector.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace mlir::net {
#define GEN_PASS_DEF_NETPRUNEMAGNITUDE
#include "net/Transforms/Passes.h.inc"
} // namespace mlir::net

using namespace mlir;
using namespace mlir::net;

namespace {

/// The weight operand of a layer the rule covers (conv, dwconv, deconv, fc).
WeightOp prunableWeight(Operation *op) {
  Value w;
  if (auto conv = dyn_cast<ConvLikeOp>(op))
    w = conv.getConvWeight();
  else if (auto fc = dyn_cast<FcOp>(op))
    w = fc.getWeight();
  auto weight = w ? w.getDefiningOp<WeightOp>() : nullptr;
  return weight && !weight.getFrozen() ? weight : nullptr;
}

/// "layer1.0.conv1.weight" -> "layer1.0.conv1".
StringRef layerOf(StringRef weightName) {
  return weightName.rsplit('.').first;
}

bool matchesPrefix(StringRef layer, StringRef prefix) {
  return layer == prefix ||
         (layer.starts_with(prefix) && layer.size() > prefix.size() &&
          layer[prefix.size()] == '.');
}

/// Zeroes the floor(s * n) values of smallest |w|, lower index first on ties.
void pruneValues(std::vector<float> &w, double s) {
  int64_t n = (int64_t)w.size();
  int64_t k = (int64_t)std::floor(s * (double)n);
  if (k <= 0)
    return;
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  auto smaller = [&](int64_t a, int64_t b) {
    float fa = std::fabs(w[a]), fb = std::fabs(w[b]);
    return fa < fb || (fa == fb && a < b);
  };
  if (k < n)
    std::nth_element(order.begin(), order.begin() + (k - 1), order.end(),
                     smaller);
  // nth_element leaves the k smallest (under the total order) in front.
  for (int64_t i = 0; i < k; ++i)
    w[order[i]] = 0.0f;
}

struct PruneMagnitudePass
    : public net::impl::NetPruneMagnitudeBase<PruneMagnitudePass> {
  using NetPruneMagnitudeBase::NetPruneMagnitudeBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (!(sparsity >= 0.0 && sparsity < 1.0)) {
      module.emitError() << "net-prune-magnitude: sparsity must be in [0, 1), got "
                         << sparsity;
      return signalPassFailure();
    }
    // Every copy of a parameter, by name (forward and loss have their own).
    llvm::MapVector<StringRef, SmallVector<WeightOp>> byName;
    module.walk([&](Operation *op) {
      if (WeightOp w = prunableWeight(op)) {
        auto &copies = byName[w.getName()];
        if (!llvm::is_contained(copies, w))
          copies.push_back(w);
      }
    });
    std::vector<bool> used(skip.size(), false);
    auto skipped = [&](StringRef name) {
      bool any = false;
      for (size_t i = 0; i < skip.size(); ++i)
        if (matchesPrefix(layerOf(name), skip[i]))
          used[i] = any = true;
      return any;
    };
    for (auto &[name, copies] : byName) {
      if (skipped(name))
        continue;
      std::optional<std::vector<float>> values = copies.front().getValues();
      if (!values) {
        copies.front().emitError()
            << "cannot prune '" << name
            << "': its values are not known at compile time (weights bound "
               "when the library is opened, --no-embed-weights)";
        return signalPassFailure();
      }
      pruneValues(*values, sparsity);
      auto mark = SparsityAttr::count(&getContext(), *values);
      copies.front().setValues(std::move(*values));
      for (WeightOp w : copies) {
        if (w != copies.front())
          w.setValueAttr(copies.front().getValueAttr());
        w->setAttr(kSparsityAttr, mark);
      }
    }
    for (size_t i = 0; i < skip.size(); ++i)
      if (!used[i]) {
        module.emitError() << "--prune-skip '" << skip[i]
                           << "' names no conv or fc layer";
        return signalPassFailure();
      }
  }
};

} // namespace
