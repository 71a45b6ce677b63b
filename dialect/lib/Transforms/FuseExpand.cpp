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

/// A direct rows-outermost depthwise convolution (groups = input = output
/// channels).
bool depthwise(Operation *op) {
  std::optional<ConvShape> d = convShape(op);
  if (!d || !directRowsOuter(op))
    return false;
  int64_t channels =
      cast<RankedTensorType>(op->getOperand(0).getType()).getDimSize(1);
  return d->groups == channels &&
         cast<RankedTensorType>(op->getResult(0).getType()).getDimSize(1) ==
             channels;
}

/// Whether a net.qdq reads `op`'s result: the qdq joins the kernel of a
/// group of one op only (NetGroup), so fusing `op` would leave it apart.
bool quantizedAfter(Operation *op) {
  return llvm::any_of(op->getResult(0).getUsers(),
                      [](Operation *u) { return isa<QdqOp>(u); });
}

/// A 1x1 stride-1 unpadded convolution of all input channels.
bool pointwise(Operation *op, const ConvShape &c) {
  auto w = cast<RankedTensorType>(cast<ConvLikeOp>(op).getConvWeight().getType());
  return c.groups == 1 && ones(c.stride) && zeros(c.pad) &&
         w.getDimSize(2) == 1 && w.getDimSize(3) == 1;
}

struct FuseExpandPass : public net::impl::NetFuseExpandBase<FuseExpandPass> {
  using NetFuseExpandBase::NetFuseExpandBase;

  void runOnOperation() override {
    Builder b(&getContext());
    TargetAttrInterface target = targetOf(getOperation());
    int64_t l2 = target ? target.getCacheBytes() : l2Bytes;
    getOperation().walk([&](Operation *dw) {
      if (!depthwise(dw) || dw->hasAttr(kFuseProducerAttr) ||
          quantizedAfter(dw))
        return;
      // A pool computes it per strip already (net-fuse-pool).
      for (Operation *user : dw->getResult(0).getUsers())
        if (user->hasAttr(kFuseProducerAttr))
          return;
      Value in = dw->getOperand(0);
      auto inType = cast<RankedTensorType>(in.getType());
      auto outType = cast<RankedTensorType>(dw->getResult(0).getType());
      int64_t channels = inType.getDimSize(1);
      Operation *expand = in.getDefiningOp();
      std::optional<ConvShape> e = expand ? convShape(expand) : std::nullopt;
      if (!e || !in.hasOneUse() || !directRowsOuter(expand) ||
          !pointwise(expand, *e))
        return;
      // It pays when the expanded tensor would leave L2 between the two
      // kernels; a smaller one is still in cache when the depthwise reads it.
      int64_t bytes = 4 * channels * inType.getDimSize(2) * inType.getDimSize(3);
      if (bytes <= l2)
        return;
      int64_t rows = std::max<int64_t>(1, outType.getDimSize(2) / 8);
      dw->setAttr(kFuseProducerAttr, StripAttr::get(b.getContext(), rows));
    });
    // The projections after depthwise convolutions, on the same rule.
    getOperation().walk([&](Operation *project) {
      std::optional<ConvShape> p = convShape(project);
      if (!p || !directRowsOuter(project) || !pointwise(project, *p) ||
          project->hasAttr(kFuseProducerAttr) || quantizedAfter(project))
        return;
      Value in = project->getOperand(0);
      Operation *dw = in.getDefiningOp();
      if (!dw || !in.hasOneUse() || !depthwise(dw))
        return;
      auto type = cast<RankedTensorType>(in.getType());
      if (4 * type.getDimSize(1) * type.getDimSize(2) * type.getDimSize(3) <= l2)
        return;
      int64_t rows = std::max<int64_t>(1, type.getDimSize(2) / 8);
      project->setAttr(kFuseProducerAttr, StripAttr::get(b.getContext(), rows));
    });
  }
};

} // namespace
