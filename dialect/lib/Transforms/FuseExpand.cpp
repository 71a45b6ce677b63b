//===- FuseExpand.cpp - 1x1 expansions computed inside the depthwise conv -===//
//
// See NetFuseExpand in Passes.td. Runs after net-tile and net-sparse: only
// direct register-tiled convolutions have the schedules that can be
// computed row by row inside another.
//
//===----------------------------------------------------------------------===//
#include "net/IR/NetOps.h"
#include "net/Transforms/Passes.h"

#include "mlir/IR/Builders.h"

#include <algorithm>

namespace mlir::net {
#define GEN_PASS_DEF_NETFUSEEXPAND
#include "net/Transforms/Passes.h.inc"
} // namespace mlir::net

using namespace mlir;
using namespace mlir::net;

namespace {

/// The geometry net.conv and net.fused_conv share.
struct ConvShape {
  ArrayRef<int64_t> stride, pad, dil;
  int64_t groups = 0;
};

std::optional<ConvShape> convShape(Operation *op) {
  if (auto c = dyn_cast<ConvOp>(op))
    return ConvShape{c.getStride(), c.getPad(), c.getDilation(), c.getGroups()};
  if (auto c = dyn_cast<FusedConvOp>(op))
    return ConvShape{c.getStride(), c.getPad(), c.getDilation(), c.getGroups()};
  return std::nullopt;
}

/// A 2-D f32 convolution stored channels innermost with a direct,
/// rows-outermost register tile and dense weights.
bool directRowsOuter(Operation *op) {
  auto tile = op->getAttrOfType<TileAttr>(kTileAttr);
  auto kernel = op->getAttrOfType<KernelAttr>(kKernelAttr);
  return tile && tile.getAlgo() == ConvAlgo::direct &&
         tile.getOrder() == TileOrder::rows_outer && isNhwc(op) &&
         !op->hasAttr(kInt8Attr) && !(kernel && kernel.isSparse()) &&
         cast<RankedTensorType>(op->getResult(0).getType()).getRank() == 4;
}

bool ones(ArrayRef<int64_t> a) {
  return llvm::all_of(a, [](int64_t v) { return v == 1; });
}
bool zeros(ArrayRef<int64_t> a) {
  return llvm::all_of(a, [](int64_t v) { return v == 0; });
}

struct FuseExpandPass : public net::impl::NetFuseExpandBase<FuseExpandPass> {
  using NetFuseExpandBase::NetFuseExpandBase;

  void runOnOperation() override {
    Builder b(&getContext());
    TargetAttrInterface target = targetOf(getOperation());
    int64_t l2 = target ? target.getCacheBytes() : l2Bytes;
    getOperation().walk([&](Operation *dw) {
      std::optional<ConvShape> d = convShape(dw);
      if (!d || !directRowsOuter(dw) || dw->hasAttr(kFuseProducerAttr))
        return;
      Value in = dw->getOperand(0);
      auto inType = cast<RankedTensorType>(in.getType());
      auto outType = cast<RankedTensorType>(dw->getResult(0).getType());
      int64_t channels = inType.getDimSize(1);
      if (d->groups != channels || outType.getDimSize(1) != channels)
        return; // not depthwise
      Operation *expand = in.getDefiningOp();
      std::optional<ConvShape> e = expand ? convShape(expand) : std::nullopt;
      if (!e || !in.hasOneUse() || !directRowsOuter(expand) ||
          e->groups != 1 || !ones(e->stride) || !zeros(e->pad))
        return;
      auto w = cast<RankedTensorType>(
          cast<ConvLikeOp>(expand).getConvWeight().getType());
      if (w.getDimSize(2) != 1 || w.getDimSize(3) != 1)
        return; // not 1x1
      // It pays when the expanded tensor would leave L2 between the two
      // kernels; a smaller one is still in cache when the depthwise reads it.
      int64_t bytes = 4 * channels * inType.getDimSize(2) * inType.getDimSize(3);
      if (bytes <= l2)
        return;
      int64_t rows = std::max<int64_t>(1, outType.getDimSize(2) / 8);
      dw->setAttr(kFuseProducerAttr, StripAttr::get(b.getContext(), rows));
    });
  }
};

} // namespace
