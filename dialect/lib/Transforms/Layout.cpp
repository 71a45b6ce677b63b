//===- Layout.cpp - channels-innermost storage for feature maps -----------===//
//
// See NetLayout in Passes.td. The choice is per op and only about storage,
// so any mix is correct; it pays when producer and consumer agree, hence
// one rule for every op the x86 schedules know in that layout.
//
//===----------------------------------------------------------------------===//
#include "net/IR/NetOps.h"
#include "net/Transforms/Passes.h"

#include "mlir/IR/Builders.h"

namespace mlir::net {
#define GEN_PASS_DEF_NETLAYOUT
#include "net/Transforms/Passes.h.inc"
} // namespace mlir::net

using namespace mlir;
using namespace mlir::net;

namespace {

bool handlesChannelsInnermost(Operation *op) {
  if (isa<FusedConvOp, MaxPoolOp, AvgPoolOp, BatchNormOp, ReluOp, Relu6Op,
          LeakyReluOp, AddOp, ConcatOp>(op))
    return true;
  // Grouped convolutions other than depthwise read channels by group.
  if (auto conv = dyn_cast<ConvOp>(op)) {
    int64_t g = conv.getGroups();
    return g == 1 || g == cast<RankedTensorType>(conv.getType()).getDimSize(1);
  }
  return false;
}

struct LayoutPass : public net::impl::NetLayoutBase<LayoutPass> {
  using NetLayoutBase::NetLayoutBase;

  void runOnOperation() override {
    Builder b(&getContext());
    getOperation().walk([&](Operation *op) {
      if (op->getNumResults() != 1 || !handlesChannelsInnermost(op))
        return;
      auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
      if (!type || type.getRank() != 4 || type.getDimSize(1) < vectorWidth)
        return;
      if (auto f = dyn_cast<FusedConvOp>(op)) {
        int64_t g = f.getGroups();
        if (g != 1 && g != type.getDimSize(1))
          return;
      }
      op->setAttr(kLayoutAttr, LayoutAttr::get(b.getContext(), Layout::nhwc));
    });
  }
};

} // namespace
