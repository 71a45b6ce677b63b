//===- ConcatInPlace.cpp - branch convolutions write into the concat ------===//
//
// See NetConcatInPlace in Passes.td. Runs after net-tile: it needs the
// register tiles, and shrinks them where a block would cross the end of a
// branch's channels or of a row (the in-place kernel has no tail code).
//
//===----------------------------------------------------------------------===//
#include "net/IR/NetOps.h"
#include "net/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace mlir::net {
#define GEN_PASS_DEF_NETCONCATINPLACE
#include "net/Transforms/Passes.h.inc"
} // namespace mlir::net

using namespace mlir;
using namespace mlir::net;

namespace {

/// The largest multiple of `step` that is <= `limit` and divides `n`, or 0.
int64_t largestDividing(int64_t n, int64_t limit, int64_t step) {
  for (int64_t b = limit - limit % step; b >= step; b -= step)
    if (n % b == 0)
      return b;
  return 0;
}

/// The tile of `conv` made exact for its result, or null if impossible.
TileAttr exactTile(Operation *conv) {
  auto tile = conv->getAttrOfType<TileAttr>(kTileAttr);
  // Winograd writes whole m x m tiles from its own stages: not in place.
  if (!tile || tile.isWinograd())
    return nullptr;
  auto type = cast<RankedTensorType>(conv->getResult(0).getType());
  int64_t oc = largestDividing(type.getDimSize(1), tile.getOc(), tile.getVec());
  int64_t ow = largestDividing(type.getDimSize(3), tile.getOw(), 1);
  if (!oc || !ow)
    return nullptr;
  return TileAttr::get(conv->getContext(), tile.getAlgo(), tile.getVec(), oc,
                       ow, tile.getOrder());
}

struct ConcatInPlacePass
    : public net::impl::NetConcatInPlaceBase<ConcatInPlacePass> {
  void runOnOperation() override {
    getOperation().walk([&](ConcatOp cat) {
      if (cat.getAxis() != 1 || !isNhwc(cat))
        return;
      SmallVector<std::pair<Operation *, TileAttr>> parts;
      llvm::SmallPtrSet<Operation *, 8> seen;
      for (Value in : cat.getInputs()) {
        Operation *def = in.getDefiningOp();
        if (!def || !isa<ConvLikeOp>(def) || !in.hasOneUse() ||
            !seen.insert(def).second)
          return;
        TileAttr tile = exactTile(def);
        if (!tile)
          return;
        parts.push_back({def, tile});
      }
      for (auto [def, tile] : parts)
        def->setAttr(kTileAttr, tile);
      cat->setAttr(kInPlaceAttr, UnitAttr::get(cat.getContext()));
    });
  }
};

} // namespace
