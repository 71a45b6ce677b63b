//===- FusePool.cpp - convolutions computed inside the pooling after them -===//
//
// See NetFusePool in Passes.td. Runs after net-tile: only a register-tiled
// convolution has the schedule that can be computed per strip of rows.
//
//===----------------------------------------------------------------------===//
#include "net/IR/NetOps.h"
#include "net/Transforms/Passes.h"

#include "mlir/IR/Builders.h"

namespace mlir::net {
#define GEN_PASS_DEF_NETFUSEPOOL
#include "net/Transforms/Passes.h.inc"
} // namespace mlir::net

using namespace mlir;
using namespace mlir::net;

namespace {

/// Pooled rows per strip: as many as keep the convolution rows a strip
/// needs within half of L2, while leaving at least eight strips per image
/// for the cores. Overlapping windows recompute (kernel - stride) rows per
/// strip, so taller strips waste less.
int64_t stripRows(int64_t pooledRows, int64_t kernel, int64_t stride,
                  int64_t convRowBytes, int64_t l2) {
  int64_t best = 1;
  for (int64_t r = 2; r * 8 <= pooledRows; ++r)
    if (((r - 1) * stride + kernel) * convRowBytes <= l2 / 2)
      best = r;
  return best;
}

struct FusePoolPass : public net::impl::NetFusePoolBase<FusePoolPass> {
  using NetFusePoolBase::NetFusePoolBase;

  void runOnOperation() override {
    Builder b(&getContext());
    TargetAttrInterface target = targetOf(getOperation());
    int64_t l2 = target ? target.getCacheBytes() : l2Bytes;
    getOperation().walk([&](Operation *pool) {
      if (!isa<MaxPoolOp, AvgPoolOp>(pool) || !isNhwc(pool))
        return;
      Value in = pool->getOperand(0);
      Operation *conv = in.getDefiningOp();
      if (!conv || !isa<ConvLikeOp>(conv) || !in.hasOneUse())
        return;
      // Channel-block-outer convolutions keep their weights in cache
      // across rows; a strip schedule would stream them per strip.
      auto tile = conv->getAttrOfType<TileAttr>(kTileAttr);
      if (!tile || tile.getOrder() != TileOrder::rows_outer)
        return;
      auto kernel = pool->getAttrOfType<DenseI64ArrayAttr>("kernel");
      auto stride = pool->getAttrOfType<DenseI64ArrayAttr>("stride");
      if (!kernel || kernel.size() != 2 || kernel[0] * kernel[1] > 16)
        return; // the fused pool unrolls its window
      // It pays when the convolution's output would leave L2 between the
      // two stages; a smaller one is still in cache when the pool reads it.
      auto type = cast<RankedTensorType>(in.getType());
      int64_t rowBytes = 4 * type.getDimSize(1) * type.getDimSize(3);
      if (rowBytes * type.getDimSize(2) <= l2)
        return;
      auto pooled = cast<RankedTensorType>(pool->getResult(0).getType());
      int64_t rows = stripRows(pooled.getDimSize(2), kernel[0], stride[0],
                               rowBytes, l2);
      pool->setAttr(kFuseProducerAttr, StripAttr::get(b.getContext(), rows));
    });
  }
};

} // namespace
