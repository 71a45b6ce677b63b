//===- PruneChannels.cpp - Remove whole output channels -------------------===//
//
// See NetPruneChannels in Passes.td. Every channel of every 4-D feature map
// is a node; ops that carry channel c to channel c (batchnorm,
// activations, pools, depthwise convolutions) give their result their
// input's nodes, elementwise adds unite their operands' nodes, concats
// along channels chain their inputs'. The classes of the union are what
// must be removed together; the convolutions whose outputs share classes
// form one space, pruned as a whole.
//
//===----------------------------------------------------------------------===//
#include "net/IR/NetAttrs.h"
#include "net/IR/NetOps.h"
#include "net/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/DenseSet.h"

#include <cmath>
#include <numeric>

namespace mlir::net {
#define GEN_PASS_DEF_NETPRUNECHANNELS
#include "net/Transforms/Passes.h.inc"
} // namespace mlir::net

using namespace mlir;
using namespace mlir::net;

namespace {

/// Union-find over channel nodes; a class is fixed (never removed) when any
/// of its nodes is.
struct ChannelSets {
  SmallVector<int> parent;
  SmallVector<char> fixed;
  int add(int64_t n, bool fix) {
    int first = (int)parent.size();
    for (int64_t i = 0; i < n; ++i) {
      parent.push_back(first + (int)i);
      fixed.push_back(fix);
    }
    return first;
  }
  int find(int a) {
    while (parent[a] != a)
      a = parent[a] = parent[parent[a]];
    return a;
  }
  void unite(int a, int b) {
    a = find(a), b = find(b);
    if (a != b) {
      parent[b] = a;
      fixed[a] |= fixed[b];
    }
  }
  void fix(int a) { fixed[find(a)] = 1; }
};

/// A weight operand the pass may slice: a net.weight used once.
WeightOp ownWeight(Value v) {
  auto w = v ? v.getDefiningOp<WeightOp>() : nullptr;
  return w && w->hasOneUse() ? w : nullptr;
}

int64_t channelsOf(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  if (!t || t.getRank() != 4 || t.isDynamicDim(1))
    return -1;
  return t.getDimSize(1);
}

/// `values` of `shape` restricted to the indices `keep` along `dim`.
std::vector<float> sliceDim(const std::vector<float> &values,
                            ArrayRef<int64_t> shape, unsigned dim,
                            ArrayRef<int64_t> keep) {
  int64_t outer = 1, inner = 1;
  for (unsigned d = 0; d < dim; ++d)
    outer *= shape[d];
  for (unsigned d = dim + 1; d < shape.size(); ++d)
    inner *= shape[d];
  std::vector<float> out;
  out.reserve(outer * keep.size() * inner);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t k : keep) {
      const float *src = values.data() + (o * shape[dim] + k) * inner;
      out.insert(out.end(), src, src + inner);
    }
  return out;
}

struct FunctionPlan {
  ChannelSets sets;
  llvm::DenseMap<Value, SmallVector<int>> nodes;
  llvm::DenseMap<Value, Value> flattened; // flatten result -> its input
  SmallVector<ConvOp> producers, depthwise;
  SmallVector<FcOp> fcOn4d; // fc layers reading a feature map

  bool has(Value v) const { return nodes.count(v); }
  /// `to` carries `from`'s channels. (A copy first: inserting `to` may
  /// move the map's storage.)
  void carry(Value from, Value to) {
    SmallVector<int> ids = nodes.lookup(from);
    nodes[to] = std::move(ids);
  }
  void fresh(Value v, bool fix) {
    int64_t c = channelsOf(v);
    if (c < 0)
      return;
    int first = sets.add(c, fix);
    SmallVector<int> ids(c);
    std::iota(ids.begin(), ids.end(), first);
    nodes[v] = std::move(ids);
  }
  void fixValue(Value v) {
    if (auto f = flattened.find(v); f != flattened.end())
      v = f->second;
    if (auto it = nodes.find(v); it != nodes.end())
      for (int id : it->second)
        sets.fix(id);
  }
  /// The op does not carry channels in a way the pass understands.
  void opaque(Operation &op) {
    for (Value v : op.getOperands())
      fixValue(v);
    for (Value r : op.getResults())
      fresh(r, true);
  }

  void build(func::FuncOp fn) {
    for (BlockArgument a : fn.getArguments())
      fresh(a, true); // model inputs keep their shapes
    for (Operation &op : fn.getBody().front())
      visit(op);
  }

  void visit(Operation &op) {
    if (isa<WeightOp>(op))
      return;
    if (isa<func::ReturnOp>(op)) {
      for (Value v : op.getOperands())
        fixValue(v); // model outputs keep their shapes
      return;
    }
    if (auto conv = dyn_cast<ConvOp>(op)) {
      Value in = conv.getInput();
      auto wt = cast<RankedTensorType>(conv.getWeight().getType());
      bool own = ownWeight(conv.getWeight()) &&
                 (!conv.getBias() || ownWeight(conv.getBias()));
      int64_t cin = channelsOf(in);
      if (own && has(in) && wt.getRank() == 4 && channelsOf(conv) >= 0) {
        if (conv.getGroups() == 1) {
          fresh(conv.getResult(), false);
          producers.push_back(conv);
          return;
        }
        if (conv.getGroups() == cin && wt.getDimSize(0) == cin) {
          carry(in, conv.getResult());
          depthwise.push_back(conv);
          return;
        }
      }
      return opaque(op);
    }
    if (auto bn = dyn_cast<BatchNormOp>(op)) {
      if (has(bn.getInput()) && ownWeight(bn.getWeight()) &&
          ownWeight(bn.getBias()) && ownWeight(bn.getMean()) &&
          ownWeight(bn.getVar())) {
        carry(bn.getInput(), bn.getResult());
        return;
      }
      return opaque(op);
    }
    if (isa<ReluOp, Relu6Op, LeakyReluOp, SigmoidOp, TanhOp, AbsOp, SqrtOp,
            ExpOp, LogOp, SquareOp, AffineOp, MaxPoolOp, AvgPoolOp,
            UpsampleOp>(op) &&
        op.getNumOperands() == 1 && op.getNumResults() == 1 &&
        has(op.getOperand(0)) &&
        channelsOf(op.getResult(0)) == channelsOf(op.getOperand(0))) {
      carry(op.getOperand(0), op.getResult(0));
      return;
    }
    if (isa<AddOp, SubOp, MulOp, DivOp>(op)) {
      Value a = op.getOperand(0), b = op.getOperand(1);
      if (has(a) && has(b) && a.getType() == b.getType() &&
          a.getType() == op.getResult(0).getType()) {
        for (auto [x, y] : llvm::zip(nodes[a], nodes[b]))
          sets.unite(x, y);
        carry(a, op.getResult(0));
        return;
      }
      return opaque(op);
    }
    if (auto cat = dyn_cast<ConcatOp>(op)) {
      if (cat.getAxis() == 1 && channelsOf(cat) >= 0 &&
          llvm::all_of(cat.getInputs(), [&](Value v) { return has(v); })) {
        SmallVector<int> ids;
        for (Value v : cat.getInputs())
          ids.append(nodes.lookup(v));
        nodes[cat.getResult()] = std::move(ids);
        return;
      }
      return opaque(op);
    }
    if (auto flat = dyn_cast<FlattenOp>(op)) {
      Value r = flat.getResult();
      bool toFc = has(flat.getInput()) && llvm::all_of(r.getUsers(), [&](Operation *u) {
        auto fc = dyn_cast<FcOp>(u);
        return fc && fc.getInput() == r && ownWeight(fc.getWeight());
      });
      if (toFc) {
        flattened[r] = flat.getInput();
        return;
      }
      return opaque(op);
    }
    if (auto fc = dyn_cast<FcOp>(op)) {
      if (flattened.count(fc.getInput()))
        return; // its input features are sliced with the flatten
      if (has(fc.getInput()) && ownWeight(fc.getWeight())) {
        fcOn4d.push_back(fc); // flattens its 4-D input itself
        return;
      }
    }
    opaque(op);
  }
};

struct PruneChannelsPass
    : public net::impl::NetPruneChannelsBase<PruneChannelsPass> {
  using NetPruneChannelsBase::NetPruneChannelsBase;

  void runOnOperation() override {
    if (!(sparsity >= 0.0 && sparsity < 1.0)) {
      getOperation().emitError()
          << "net-prune-channels: sparsity must be in [0, 1), got " << sparsity;
      return signalPassFailure();
    }
    for (auto fn : getOperation().getOps<func::FuncOp>())
      if (failed(prune(fn)))
        return signalPassFailure();
  }

  /// The L1 norm of each output channel's filter (dim 0).
  static FailureOr<std::vector<double>> rowNorms(WeightOp w) {
    std::optional<std::vector<float>> v = w.getValues();
    if (!v) {
      w.emitError() << "cannot prune the channels of '" << w.getName()
                    << "': its values are not known at compile time "
                       "(weights bound when the library is opened, "
                       "--no-embed-weights)";
      return failure();
    }
    int64_t rows = cast<RankedTensorType>(w.getType()).getDimSize(0);
    int64_t per = (int64_t)v->size() / rows;
    std::vector<double> n(rows, 0.0);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t i = 0; i < per; ++i)
        n[r] += std::fabs((*v)[r * per + i]);
    return n;
  }

  LogicalResult prune(func::FuncOp fn) {
    FunctionPlan plan;
    plan.build(fn);
    ChannelSets &sets = plan.sets;
    // Spaces: producers whose output classes meet, by union-find on the
    // producer index.
    size_t np = plan.producers.size();
    SmallVector<int> space(np);
    std::iota(space.begin(), space.end(), 0);
    auto findSpace = [&](int a) {
      while (space[a] != a)
        a = space[a] = space[space[a]];
      return a;
    };
    llvm::DenseMap<int, int> firstProducer; // class root -> producer
    for (size_t p = 0; p < np; ++p)
      for (int id : plan.nodes[plan.producers[p].getResult()]) {
        auto [it, fresh] = firstProducer.try_emplace(sets.find(id), (int)p);
        if (!fresh)
          space[findSpace((int)p)] = findSpace(it->second);
      }
    // Class scores: the members' filter norms.
    llvm::DenseMap<int, double> score;
    auto addNorms = [&](ConvOp conv) -> LogicalResult {
      auto norms = rowNorms(conv.getWeight().getDefiningOp<WeightOp>());
      if (failed(norms))
        return failure();
      auto &ids = plan.nodes[conv.getResult()];
      for (size_t c = 0; c < ids.size(); ++c)
        score[sets.find(ids[c])] += (*norms)[c];
      return success();
    };
    if (sparsity > 0.0) {
      for (ConvOp c : plan.producers)
        if (failed(addNorms(c)))
          return failure();
      for (ConvOp c : plan.depthwise)
        if (failed(addNorms(c)))
          return failure();
    }
    llvm::DenseSet<int> removed;
    llvm::DenseSet<int> done;
    for (size_t p = 0; p < np; ++p) {
      int s = findSpace((int)p);
      if (!done.insert(s).second)
        continue;
      // The space's classes in the first producer's channel order; every
      // member must line up with them.
      SmallVector<int> classes;
      for (int id : plan.nodes[plan.producers[p].getResult()])
        classes.push_back(sets.find(id));
      bool ok = llvm::none_of(classes, [&](int c) { return sets.fixed[c]; });
      for (size_t q = p + 1; q < np && ok; ++q) {
        if (findSpace((int)q) != s)
          continue;
        auto &ids = plan.nodes[plan.producers[q].getResult()];
        ok = ids.size() == classes.size();
        for (size_t c = 0; ok && c < ids.size(); ++c)
          ok = sets.find(ids[c]) == classes[c];
      }
      if (!ok)
        continue;
      int64_t n = (int64_t)classes.size();
      int64_t k = (int64_t)std::floor(sparsity * (double)n);
      SmallVector<int64_t> order(n);
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
        return score[classes[a]] < score[classes[b]];
      });
      for (int64_t i = 0; i < k; ++i)
        removed.insert(classes[order[i]]);
    }
    if (removed.empty())
      return success();

    auto kept = [&](Value v) {
      SmallVector<int64_t> keep;
      auto it = plan.nodes.find(v);
      if (it == plan.nodes.end())
        return keep;
      for (size_t c = 0; c < it->second.size(); ++c)
        if (!removed.count(sets.find(it->second[c])))
          keep.push_back((int64_t)c);
      return keep;
    };
    // Weights first (their slices are taken from the old shapes).
    auto slice = [&](Value wv, unsigned dim, ArrayRef<int64_t> keep,
                     int64_t block = 1) -> LogicalResult {
      auto w = wv.getDefiningOp<WeightOp>();
      auto type = cast<RankedTensorType>(w.getType());
      if ((int64_t)keep.size() * block == type.getDimSize(dim))
        return success();
      std::optional<std::vector<float>> v = w.getValues();
      if (!v)
        return w.emitError() << "cannot prune the channels of '" << w.getName()
                             << "': its values are not known at compile time";
      SmallVector<int64_t> idx;
      for (int64_t k : keep)
        for (int64_t b = 0; b < block; ++b)
          idx.push_back(k * block + b);
      std::vector<float> out = sliceDim(*v, type.getShape(), dim, idx);
      SmallVector<int64_t> shape(type.getShape());
      shape[dim] = (int64_t)idx.size();
      w.getResult().setType(RankedTensorType::get(shape, type.getElementType()));
      w.setValues(std::move(out));
      return success();
    };
    for (ConvOp c : plan.producers) {
      SmallVector<int64_t> out = kept(c.getResult()), in = kept(c.getInput());
      if (failed(slice(c.getWeight(), 0, out)) ||
          failed(slice(c.getWeight(), 1, in)) ||
          (c.getBias() && failed(slice(c.getBias(), 0, out))))
        return failure();
    }
    for (ConvOp c : plan.depthwise) {
      SmallVector<int64_t> out = kept(c.getResult());
      if (failed(slice(c.getWeight(), 0, out)) ||
          (c.getBias() && failed(slice(c.getBias(), 0, out))))
        return failure();
      c.setGroups((int64_t)out.size());
    }
    for (Operation &op : fn.getBody().front()) {
      if (auto bn = dyn_cast<BatchNormOp>(op)) {
        if (!plan.has(bn.getResult()))
          continue;
        SmallVector<int64_t> keep = kept(bn.getResult());
        for (Value p : {bn.getWeight(), bn.getBias(), bn.getMean(), bn.getVar()})
          if (failed(slice(p, 0, keep)))
            return failure();
      } else if (auto fc = dyn_cast<FcOp>(op)) {
        auto f = plan.flattened.find(fc.getInput());
        Value map = f != plan.flattened.end() ? f->second : Value();
        if (llvm::is_contained(plan.fcOn4d, fc))
          map = fc.getInput();
        if (!map)
          continue;
        auto in = cast<RankedTensorType>(map.getType());
        int64_t spatial = in.getDimSize(2) * in.getDimSize(3);
        if (failed(slice(fc.getWeight(), 1, kept(map), spatial)))
          return failure();
      }
    }
    // Then every feature map's type.
    auto retype = [&](Value v, int64_t channels) {
      auto t = cast<RankedTensorType>(v.getType());
      SmallVector<int64_t> shape(t.getShape());
      shape[1] = channels;
      v.setType(RankedTensorType::get(shape, t.getElementType()));
    };
    for (auto &[v, ids] : plan.nodes) {
      SmallVector<int64_t> keep = kept(v);
      if (keep.size() != ids.size())
        retype(v, (int64_t)keep.size());
    }
    for (auto &[r, in] : plan.flattened) {
      auto t = cast<RankedTensorType>(in.getType());
      retype(r, t.getDimSize(1) * t.getDimSize(2) * t.getDimSize(3));
    }
    return success();
  }
};

} // namespace
