//===- Layout.cpp - channels-innermost storage for feature maps -----------===//
//
// See NetLayout in Passes.td. The choice is per op and only about storage,
// so any mix is correct; it pays when producer and consumer agree. Which
// ops want it is the target's (TargetAttrInterface::storesChannelsInnermost).
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

struct LayoutPass : public net::impl::NetLayoutBase<LayoutPass> {
  using NetLayoutBase::NetLayoutBase;

  void runOnOperation() override {
    // The module's target, else an x86 core of `vector-width` lanes.
    TargetAttrInterface target = targetOf(getOperation());
    if (!target)
      target = X86TargetAttr::get(&getContext(), vectorWidth, 16, 1 << 20, false);
    auto nhwc = LayoutAttr::get(&getContext(), Layout::nhwc);
    getOperation().walk([&](Operation *op) {
      if (target.storesChannelsInnermost(op))
        op->setAttr(kLayoutAttr, nhwc);
    });
  }
};

} // namespace
