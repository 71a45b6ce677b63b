//===- Sparse.cpp - dense or sparse kernels for pruned layers -------------===//
//
// See NetSparse in Passes.td. The cost model is the target's
// (TargetAttrInterface::chooseWeightFormat; the x86 one in X86Target.cpp);
// this pass counts the nonzeros it needs and records the choice.
//
//===----------------------------------------------------------------------===//
#include "net/IR/NetAttrs.h"
#include "net/IR/NetOps.h"
#include "net/Transforms/Passes.h"

namespace mlir::net {
#define GEN_PASS_DEF_NETSPARSE
#include "net/Transforms/Passes.h.inc"
} // namespace mlir::net

using namespace mlir;
using namespace mlir::net;

namespace {

/// The pruned weight of a layer a sparse kernel can compute: a dense 2-D
/// convolution stored channels innermost, or an fc layer.
WeightOp prunedWeight(Operation *op) {
  Value w;
  if (isa<ConvOp, FusedConvOp>(op)) {
    if (!isNhwc(op) || op->getAttrOfType<IntegerAttr>("groups").getInt() != 1)
      return nullptr;
    w = op->getOperand(1);
    if (cast<RankedTensorType>(w.getType()).getRank() != 4)
      return nullptr;
  } else if (auto fc = dyn_cast<FcOp>(op)) {
    w = fc.getWeight();
  } else {
    return nullptr;
  }
  auto weight = w.getDefiningOp<WeightOp>();
  return weight && weight->hasAttr(kSparsityAttr) ? weight : nullptr;
}

struct SparsePass : public net::impl::NetSparseBase<SparsePass> {
  using NetSparseBase::NetSparseBase;

  void runOnOperation() override {
    if (mode != "auto" && mode != "always" && mode != "never") {
      getOperation().emitError()
          << "net-sparse: mode must be auto, always or never, got '" << mode
          << "'";
      return signalPassFailure();
    }
    TargetAttrInterface target = targetOf(getOperation());
    if (!target)
      target = X86TargetAttr::get(&getContext(), vectorWidth, registers,
                                  l2Bytes, false);
    getOperation().walk([&](Operation *op) {
      WeightOp weight = prunedWeight(op);
      if (!weight)
        return;
      // In place where the blob allows (vgg16's fc is 400 MB).
      std::optional<std::vector<float>> copy;
      std::optional<ArrayRef<float>> values = weight.getValueData();
      if (!values && (copy = weight.getValues()))
        values = ArrayRef<float>(*copy);
      if (!values)
        return; // the zeros are not known here: the dense kernel
      int64_t rows = cast<RankedTensorType>(weight.getType()).getDimSize(0);
      int64_t perRow = rows ? (int64_t)values->size() / rows : 0;
      int64_t nnz = 0, rowMax = 0;
      for (int64_t r = 0; r < rows; ++r) {
        int64_t n = 0;
        for (int64_t i = 0; i < perRow; ++i)
          n += (*values)[r * perRow + i] != 0.0f;
        nnz += n;
        rowMax = std::max(rowMax, n);
      }
      auto kernel = dyn_cast_or_null<KernelAttr>(
          target.chooseWeightFormat(op, nnz, rowMax));
      if (!kernel)
        return;
      if (mode != "auto")
        kernel = KernelAttr::get(
            &getContext(),
            mode == "always" ? WeightFormat::sparse : WeightFormat::dense,
            kernel.getNnz(), kernel.getNumel(), kernel.getRowMax(),
            kernel.getDenseCost(), kernel.getSparseCost());
      op->setAttr(kKernelAttr, kernel);
      if (kernel.isSparse())
        op->removeAttr(kTileAttr);
    });
  }
};

} // namespace
