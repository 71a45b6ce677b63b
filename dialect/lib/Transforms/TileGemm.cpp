//===- TileGemm.cpp - 1x1 convolutions as GEMMs on flattened maps ---------===//
//
// See NetTileGemm in Passes.td. The tile itself is the target's
// (TargetAttrInterface::chooseGemmTile; the x86 model in X86Target.cpp);
// this pass decides which convolutions keep a kernel of their own, so
// that code generation can hand it the flattened map.
//
//===----------------------------------------------------------------------===//
#include "net/IR/NetOps.h"
#include "net/Transforms/Passes.h"

namespace mlir::net {
#define GEN_PASS_DEF_NETTILEGEMM
#include "net/Transforms/Passes.h.inc"
} // namespace mlir::net

using namespace mlir;
using namespace mlir::net;

namespace {

/// Whether `v` is stored as a crop of a concat in place (code generation
/// gives it the concat's strides, not a map of its own to flatten).
bool partOfConcatInPlace(Value v) {
  return llvm::any_of(v.getUsers(), [](Operation *user) {
    return isa<ConcatOp>(user) && user->hasAttr(kInPlaceAttr);
  });
}

/// Whether `conv` is a group of its own: nothing fused into it, not fused
/// into a reader, and all its maps stored on their own in the arena (no
/// model input, which the executor converts at the edge; no crop).
bool ownKernel(Operation *conv) {
  if (conv->hasAttr(kFuseProducerAttr))
    return false;
  for (Operation *user : conv->getUsers())
    if (user->hasAttr(kFuseProducerAttr) || isa<QdqOp>(user))
      return false;
  if (auto kernel = conv->getAttrOfType<KernelAttr>(kKernelAttr))
    if (kernel.isSparse())
      return false;
  for (Value v : conv->getOperands())
    if (!v.getDefiningOp() || partOfConcatInPlace(v))
      return false;
  return !partOfConcatInPlace(conv->getResult(0));
}

struct TileGemmPass : public net::impl::NetTileGemmBase<TileGemmPass> {
  using NetTileGemmBase::NetTileGemmBase;

  void runOnOperation() override {
    TargetAttrInterface target = targetOf(getOperation());
    if (!target)
      target = X86TargetAttr::get(&getContext(), vectorWidth, registers,
                                  l2Bytes, false);
    getOperation().walk([&](Operation *op) {
      if (!isa<ConvOp, FusedConvOp>(op) || !ownKernel(op))
        return;
      if (auto tile = dyn_cast_or_null<TileAttr>(target.chooseGemmTile(op)))
        op->setAttr(kTileAttr, tile);
    });
  }
};

} // namespace
