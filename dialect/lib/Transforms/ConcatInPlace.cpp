//===- ConcatInPlace.cpp - the parts of a concat write into its buffer ----===//
//
// See NetConcatInPlace in Passes.td. Code generation gives such a concat
// no kernel: each part's kernel writes a crop (its channel range) of the
// concat's buffer, with the concat's strides.
//
//===----------------------------------------------------------------------===//
#include "net/IR/NetAttrs.h"
#include "net/IR/NetOps.h"
#include "net/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace mlir::net {
#define GEN_PASS_DEF_NETCONCATINPLACE
#include "net/Transforms/Passes.h.inc"
} // namespace mlir::net

using namespace mlir;
using namespace mlir::net;

namespace {

/// Whether `part` can be computed straight into a crop of `cat`'s buffer:
/// a result of its own kernel (not a parameter or a model input), stored in
/// the concat's layout, not returned (a returned value may be the caller's
/// tensor) and not already a crop of another concat. Other readers are
/// fine: they read the crop, with the concat's strides (DenseNet reads each
/// layer's input and concatenates it: the whole block becomes one buffer).
bool writesInPlace(Value part, ConcatOp cat,
                   const llvm::SmallPtrSetImpl<Value> &claimed) {
  Operation *def = part.getDefiningOp();
  return def && !isa<WeightOp>(def) && isNhwc(def) == isNhwc(cat) &&
         !claimed.contains(part) &&
         llvm::none_of(part.getUsers(),
                       [](Operation *u) { return isa<func::ReturnOp>(u); });
}

struct ConcatInPlacePass
    : public net::impl::NetConcatInPlaceBase<ConcatInPlacePass> {
  void runOnOperation() override {
    // A target without crops (a GPU: device sub-buffers) keeps every
    // concat a kernel of its own.
    if (TargetAttrInterface target = targetOf(getOperation());
        target && !target.cropsConcatParts())
      return;
    llvm::SmallPtrSet<Value, 32> claimed; // parts of a concat in place
    getOperation().walk([&](ConcatOp cat) {
      // Along channels of a 4-D map, kept in the arena (a returned value
      // is the caller's tensor).
      auto type = cast<RankedTensorType>(cat.getType());
      if (cat.getAxis() != 1 || type.getRank() != 4 ||
          llvm::any_of(cat->getUsers(),
                       [](Operation *u) { return isa<func::ReturnOp>(u); }))
        return;
      llvm::SmallPtrSet<Value, 8> seen;
      for (Value in : cat.getInputs())
        if (!seen.insert(in).second || !writesInPlace(in, cat, claimed))
          return;
      claimed.insert(seen.begin(), seen.end());
      cat->setAttr(kInPlaceAttr, UnitAttr::get(cat.getContext()));
    });
  }
};

} // namespace
