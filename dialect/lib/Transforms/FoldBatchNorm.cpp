//===- FoldBatchNorm.cpp - batchnorm(conv) -> fused_conv ------------------===//
//
// See NetFoldBatchNorm in Passes.td. The conv must have no other user:
// otherwise the unnormalised result is still needed and folding would
// compute the convolution twice.
//
//===----------------------------------------------------------------------===//
#include "net/IR/NetOps.h"
#include "net/Transforms/Passes.h"

#include "mlir/IR/Builders.h"

namespace mlir::net {
#define GEN_PASS_DEF_NETFOLDBATCHNORM
#include "net/Transforms/Passes.h.inc"
} // namespace mlir::net

using namespace mlir;
using namespace mlir::net;

namespace {

struct FoldBatchNormPass
    : public net::impl::NetFoldBatchNormBase<FoldBatchNormPass> {
  void runOnOperation() override {
    SmallVector<BatchNormOp> bns;
    getOperation().walk([&](BatchNormOp bn) { bns.push_back(bn); });
    for (BatchNormOp bn : bns) {
      auto conv = bn.getInput().getDefiningOp<ConvOp>();
      if (!conv || !conv->hasOneUse())
        continue;
      OpBuilder b(bn);
      auto fused = b.create<FusedConvOp>(
          b.getFusedLoc({conv.getLoc(), bn.getLoc()}), bn.getType(),
          conv.getInput(), conv.getWeight(), conv.getBias(), bn.getWeight(),
          bn.getBias(), bn.getMean(), bn.getVar(), /*residual=*/Value(),
          conv.getStrideAttr(), conv.getPadAttr(), conv.getDilationAttr(),
          conv.getGroupsAttr(), bn.getEpsAttr(), b.getStringAttr("none"),
          /*slope=*/FloatAttr());
      bn.replaceAllUsesWith(fused.getResult());
      bn.erase();
      conv.erase();
    }
  }
};

} // namespace
