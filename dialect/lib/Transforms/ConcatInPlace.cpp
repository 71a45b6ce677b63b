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
DictionaryAttr exactTile(Operation *conv) {
  auto tile = conv->getAttrOfType<DictionaryAttr>("net.tile");
  // Winograd writes whole m x m tiles from its own stages: not in place.
  if (!tile || tile.get("algo"))
    return nullptr;
  auto type = cast<RankedTensorType>(conv->getResult(0).getType());
  auto get = [&](StringRef k) {
    return cast<IntegerAttr>(tile.get(k)).getInt();
  };
  int64_t vec = get("vec");
  int64_t oc = largestDividing(type.getDimSize(1), get("oc"), vec);
  int64_t ow = largestDividing(type.getDimSize(3), get("ow"), 1);
  if (!oc || !ow)
    return nullptr;
  Builder b(conv->getContext());
  NamedAttrList attrs(tile);
  attrs.set("oc", b.getI64IntegerAttr(oc));
  attrs.set("ow", b.getI64IntegerAttr(ow));
  return attrs.getDictionary(conv->getContext());
}

struct ConcatInPlacePass
    : public net::impl::NetConcatInPlaceBase<ConcatInPlacePass> {
  void runOnOperation() override {
    getOperation().walk([&](ConcatOp cat) {
      if (cat.getAxis() != 1 || !cat->hasAttr("net.layout"))
        return;
      SmallVector<std::pair<Operation *, DictionaryAttr>> parts;
      llvm::SmallPtrSet<Operation *, 8> seen;
      for (Value in : cat.getInputs()) {
        Operation *def = in.getDefiningOp();
        if (!def || !isa<ConvOp, FusedConvOp>(def) || !in.hasOneUse() ||
            !seen.insert(def).second)
          return;
        DictionaryAttr tile = exactTile(def);
        if (!tile)
          return;
        parts.push_back({def, tile});
      }
      for (auto [def, tile] : parts)
        def->setAttr("net.tile", tile);
      cat->setAttr("net.in_place", UnitAttr::get(cat.getContext()));
    });
  }
};

} // namespace
