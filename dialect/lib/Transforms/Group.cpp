//===- Group.cpp - Fusion groups, one kernel each -------------------------===//
//
// See NetGroup in Passes.td. A producer joins its consumer's group only
// when it is that consumer's alone (one use) and still a group of one op
// (or, for a convolution, a group that hands on just that producer), so a
// group is a consumer with the producers fused into it.
//
//===----------------------------------------------------------------------===//
#include "net/IR/NetOps.h"
#include "net/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"

namespace mlir::net {
#define GEN_PASS_DEF_NETGROUP
#include "net/Transforms/Passes.h.inc"
} // namespace mlir::net

using namespace mlir;
using namespace mlir::net;

namespace {

/// The producers the passes fused into `op`: they belong to its group. A
/// net.qdq joins its producer's kernel, whose epilogue then writes u8
/// codes instead of f32.
SmallVector<Value> fusedProducers(Operation *op) {
  if ((op->hasAttr(kFuseProducerAttr) || isa<QdqOp>(op)) &&
      op->getNumOperands() >= 1)
    return {op->getOperand(0)};
  return {};
}

/// Whether `producer`'s group can join `consumer`'s: a group of one op, or
/// for a convolution (net-fuse-expand chains expansion, depthwise and
/// projection) a group of which only `producer` is read outside, and only
/// by `consumer`.
bool joinable(ArrayRef<Operation *> group, Operation *producer,
              Operation *consumer) {
  if (group.size() == 1)
    return true;
  if (!isa<ConvOp, FusedConvOp>(consumer) || group.back() != producer)
    return false;
  for (Operation *o : group)
    for (Operation *user : o->getUsers())
      if (user != consumer && !llvm::is_contained(group, user))
        return false;
  return true;
}

struct GroupPass : public net::impl::NetGroupBase<GroupPass> {
  void runOnOperation() override {
    SmallVector<SmallVector<Operation *, 4>> groups;
    DenseMap<Operation *, int> owner;
    for (Operation &op : getOperation().getBody().front()) {
      if (isa<WeightOp>(op) || op.hasTrait<OpTrait::IsTerminator>())
        continue;
      SmallVector<Operation *, 4> g;
      for (Value v : fusedProducers(&op)) {
        Operation *p = v.getDefiningOp();
        auto it = p ? owner.find(p) : owner.end();
        if (!v.hasOneUse() || it == owner.end() ||
            !joinable(groups[it->second], p, &op))
          continue;
        for (Operation *o : groups[it->second])
          g.push_back(o);
        groups[it->second].clear();
      }
      g.push_back(&op);
      for (Operation *o : g)
        owner[o] = groups.size();
      groups.push_back(std::move(g));
    }
    Builder b(&getContext());
    int64_t id = 0;
    for (auto &g : groups) {
      if (g.empty())
        continue;
      for (Operation *o : g)
        o->setAttr(kGroupAttr, GroupAttr::get(b.getContext(), id));
      ++id;
    }
  }
};

} // namespace
