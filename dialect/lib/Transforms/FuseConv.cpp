//===- FuseConv.cpp - residual adds and activations into convolutions -----===//
//
// See NetFuseConv in Passes.td. One walk in program order suffices: in
// relu(add(conv, r)) the add is seen (and fused) before the relu, so the
// activation lands after the residual, as the epilogue computes it.
//
//===----------------------------------------------------------------------===//
#include "net/IR/NetOps.h"
#include "net/Transforms/Passes.h"

#include "mlir/IR/Builders.h"

namespace mlir::net {
#define GEN_PASS_DEF_NETFUSECONV
#include "net/Transforms/Passes.h.inc"
} // namespace mlir::net

using namespace mlir;
using namespace mlir::net;

namespace {

/// What a fusion adds to the epilogue.
struct Epilogue {
  Value residual;
  Activation act = Activation::none;
  FloatAttr slope;
};

/// A conv or fused_conv whose epilogue can still take `what`: only `op`
/// uses its result, and nothing already follows in the epilogue order
/// (bn, residual, act).
bool canExtend(Value v, bool addingResidual) {
  Operation *def = v.getDefiningOp();
  if (!def || !v.hasOneUse())
    return false;
  if (isa<ConvOp>(def))
    return true;
  auto f = dyn_cast<FusedConvOp>(def);
  if (!f || f.getAct() != Activation::none)
    return false;
  return !(addingResidual && f.getResidual());
}

/// Replaces `consumer` by the conv producing `v` with `e` added to its
/// epilogue, built at the consumer (where every operand dominates).
void fuse(Operation *consumer, Value v, const Epilogue &e) {
  Operation *def = v.getDefiningOp();
  OpBuilder b(consumer);
  Location loc = b.getFusedLoc({def->getLoc(), consumer->getLoc()});
  FusedConvOp fused;
  if (auto conv = dyn_cast<ConvOp>(def)) {
    fused = b.create<FusedConvOp>(
        loc, conv.getType(), conv.getInput(), conv.getWeight(), conv.getBias(),
        Value(), Value(), Value(), Value(), e.residual, conv.getStrideAttr(),
        conv.getPadAttr(), conv.getDilationAttr(), conv.getGroupsAttr(),
        FloatAttr(), ActivationAttr::get(b.getContext(), e.act), e.slope);
  } else {
    auto f = cast<FusedConvOp>(def);
    fused = b.create<FusedConvOp>(
        loc, f.getType(), f.getInput(), f.getWeight(), f.getBias(),
        f.getBnWeight(), f.getBnBias(), f.getBnMean(), f.getBnVar(),
        e.residual ? e.residual : f.getResidual(), f.getStrideAttr(),
        f.getPadAttr(), f.getDilationAttr(), f.getGroupsAttr(),
        f.getBnEpsAttr(), ActivationAttr::get(b.getContext(), e.act), e.slope);
  }
  consumer->getResult(0).replaceAllUsesWith(fused.getResult());
  consumer->erase();
  def->erase();
}

struct FuseConvPass : public net::impl::NetFuseConvBase<FuseConvPass> {
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (isa<AddOp, ReluOp, Relu6Op, LeakyReluOp>(op))
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      if (auto add = dyn_cast<AddOp>(op)) {
        if (add.getLhs().getType() != add.getType() ||
            add.getRhs().getType() != add.getType())
          continue;
        // Either side may be the convolution; the other is the residual.
        for (auto [conv, other] : {std::pair(add.getLhs(), add.getRhs()),
                                   std::pair(add.getRhs(), add.getLhs())}) {
          if (conv != other && canExtend(conv, true)) {
            Epilogue e;
            e.residual = other;
            fuse(op, conv, e);
            break;
          }
        }
        continue;
      }
      Value in = op->getOperand(0);
      if (!canExtend(in, false))
        continue;
      Epilogue e;
      if (isa<ReluOp>(op)) {
        e.act = Activation::relu;
      } else if (isa<Relu6Op>(op)) {
        e.act = Activation::relu6;
      } else {
        e.act = Activation::leaky_relu;
        e.slope = cast<LeakyReluOp>(op).getSlopeAttr();
      }
      fuse(op, in, e);
    }
  }
};

} // namespace
