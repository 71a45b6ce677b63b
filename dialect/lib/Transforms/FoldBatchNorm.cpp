//===- FoldBatchNorm.cpp - batchnorm(conv) -> fused_conv ------------------===//
//
// See NetFoldBatchNorm in Passes.td. The conv must have no other user:
// otherwise the unnormalised result is still needed and folding would
// compute the convolution twice. When every parameter carries its value
// the fold is done on the values here; otherwise (weights bound when the
// library is opened) the fused_conv keeps the batchnorm parameters and the
// executor folds them then.
//
//===----------------------------------------------------------------------===//
#include "net/IR/NetAttrs.h"
#include "net/IR/NetOps.h"
#include "net/Transforms/Passes.h"

#include "mlir/IR/Builders.h"

#include <cmath>

namespace mlir::net {
#define GEN_PASS_DEF_NETFOLDBATCHNORM
#include "net/Transforms/Passes.h.inc"
} // namespace mlir::net

using namespace mlir;
using namespace mlir::net;

namespace {

std::optional<std::vector<float>> valuesOf(Value v) {
  auto w = v ? v.getDefiningOp<WeightOp>() : nullptr;
  return w ? w.getValues() : std::nullopt;
}

/// w' = w * s and b' = (b - mean) * s + beta (s = gamma / sqrt(var + eps)),
/// as new parameters named after the conv's: "<weight>#bn", "<weight>#bn.bias".
/// False (nothing changed) when a value is missing.
bool foldValues(OpBuilder &b, ConvOp conv, BatchNormOp bn, Value &w, Value &bias) {
  auto wv = valuesOf(conv.getWeight()), g = valuesOf(bn.getWeight()),
       beta = valuesOf(bn.getBias()), mean = valuesOf(bn.getMean()),
       var = valuesOf(bn.getVar());
  std::optional<std::vector<float>> bv;
  if (conv.getBias() && !(bv = valuesOf(conv.getBias())))
    return false;
  if (!wv || !g || !beta || !mean || !var)
    return false;
  int64_t out = (int64_t)g->size(), perOut = (int64_t)wv->size() / out;
  float eps = bn.getEps().convertToFloat();
  std::vector<float> bias2(out);
  for (int64_t o = 0; o < out; ++o) {
    // The same float arithmetic as the executor's fold (Runtime.c).
    float s = (*g)[o] / std::sqrt((*var)[o] + eps);
    for (int64_t i = 0; i < perOut; ++i)
      (*wv)[o * perOut + i] *= s;
    bias2[o] = ((bv ? (*bv)[o] : 0.0f) - (*mean)[o]) * s + (*beta)[o];
  }
  std::string name = conv.getWeight().getDefiningOp<WeightOp>().getName().str();
  auto type = cast<RankedTensorType>(bn.getWeight().getType());
  auto wop = b.create<WeightOp>(conv.getWeight().getLoc(),
                                conv.getWeight().getType(),
                                b.getStringAttr(name + "#bn"), UnitAttr(),
                                ElementsAttr());
  wop.setValues(*wv);
  // A pruned weight stays marked (the fold scales its rows, zeros stay).
  if (conv.getWeight().getDefiningOp()->hasAttr(kSparsityAttr))
    wop->setAttr(kSparsityAttr, SparsityAttr::count(b.getContext(), *wv));
  auto bop = b.create<WeightOp>(bn.getWeight().getLoc(), type,
                                b.getStringAttr(name + "#bn.bias"), UnitAttr(),
                                ElementsAttr());
  bop.setValues(bias2);
  w = wop.getResult();
  bias = bop.getResult();
  return true;
}

struct FoldBatchNormPass
    : public net::impl::NetFoldBatchNormBase<FoldBatchNormPass> {
  using NetFoldBatchNormBase::NetFoldBatchNormBase;
  void runOnOperation() override {
    SmallVector<BatchNormOp> bns;
    getOperation().walk([&](BatchNormOp bn) { bns.push_back(bn); });
    for (BatchNormOp bn : bns) {
      auto conv = bn.getInput().getDefiningOp<ConvOp>();
      if (!conv || !conv->hasOneUse())
        continue;
      OpBuilder b(bn);
      Value w, bias;
      if (foldWeights && foldValues(b, conv, bn, w, bias)) {
        auto fused = b.create<FusedConvOp>(
            b.getFusedLoc({conv.getLoc(), bn.getLoc()}), bn.getType(),
            conv.getInput(), w, bias, Value(), Value(), Value(), Value(),
            /*residual=*/Value(), conv.getStrideAttr(), conv.getPadAttr(),
            conv.getDilationAttr(), conv.getGroupsAttr(), FloatAttr(),
            ActivationAttr::get(b.getContext(), Activation::none),
            /*slope=*/FloatAttr());
        bn.replaceAllUsesWith(fused.getResult());
        bn.erase();
        conv.erase();
        continue;
      }
      auto fused = b.create<FusedConvOp>(
          b.getFusedLoc({conv.getLoc(), bn.getLoc()}), bn.getType(),
          conv.getInput(), conv.getWeight(), conv.getBias(), bn.getWeight(),
          bn.getBias(), bn.getMean(), bn.getVar(), /*residual=*/Value(),
          conv.getStrideAttr(), conv.getPadAttr(), conv.getDilationAttr(),
          conv.getGroupsAttr(), bn.getEpsAttr(),
          ActivationAttr::get(b.getContext(), Activation::none),
          /*slope=*/FloatAttr());
      bn.replaceAllUsesWith(fused.getResult());
      bn.erase();
      conv.erase();
    }
    // The unfolded parameters, if nothing else reads them.
    getOperation().walk([](WeightOp w) {
      if (w->use_empty())
        w.erase();
    });
  }
};

} // namespace
