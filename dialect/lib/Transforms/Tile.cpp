//===- Tile.cpp - register tiles for channels-innermost convolutions ------===//
//
// See NetTile in Passes.td. The choice itself is the target's
// (TargetAttrInterface::chooseConvTile; the x86 model in X86Target.cpp).
//
//===----------------------------------------------------------------------===//
#include "net/IR/NetOps.h"
#include "net/Transforms/Passes.h"

#include "mlir/IR/Builders.h"

namespace mlir::net {
#define GEN_PASS_DEF_NETTILE
#include "net/Transforms/Passes.h.inc"
} // namespace mlir::net

using namespace mlir;
using namespace mlir::net;

namespace {

struct TilePass : public net::impl::NetTileBase<TilePass> {
  using NetTileBase::NetTileBase;

  void runOnOperation() override {
    // The module's target, else an x86 core described by the options.
    TargetAttrInterface target = targetOf(getOperation());
    if (!target)
      target = X86TargetAttr::get(&getContext(), vectorWidth, registers,
                                  l2Bytes, vnni);
    getOperation().walk([&](Operation *op) {
      if (!isa<ConvLikeOp>(op) || !isNhwc(op))
        return;
      if (auto tile = dyn_cast_or_null<TileAttr>(
              target.chooseConvTile(op, winograd)))
        op->setAttr(kTileAttr, tile);
    });
  }
};

} // namespace
