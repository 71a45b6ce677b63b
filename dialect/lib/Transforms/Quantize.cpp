//===- Quantize.cpp - int8 post-training quantization ---------------------===//
//
// See NetQuantize in Passes.td. The rules are exact (tools.md,
// "Compression") so that a test can build the same quantized model in
// PyTorch: f32 arithmetic as PyTorch's fake_quantize kernels do it
// (x * (1 / scale), rounded half to even).
//
//===----------------------------------------------------------------------===//
#include "net/IR/NetAttrs.h"
#include "net/IR/NetOps.h"
#include "net/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringMap.h"

#include <cmath>
#include <map>
#include <tuple>

namespace mlir::net {
#define GEN_PASS_DEF_NETQUANTIZE
#include "net/Transforms/Passes.h.inc"
} // namespace mlir::net

using namespace mlir;
using namespace mlir::net;

namespace {

/// The u8 scale and zero point of the range [lo, hi], widened to hold 0.
std::pair<float, int64_t> affineParams(float lo, float hi) {
  lo = std::min(lo, 0.0f);
  hi = std::max(hi, 0.0f);
  float scale = (hi - lo) / 255.0f;
  if (!(scale > 0.0f) || !std::isfinite(scale))
    scale = 1.0f; // an all-zero input: any scale represents it
  float zp = std::nearbyint(-lo / scale);
  return {scale, (int64_t)std::min(255.0f, std::max(0.0f, zp))};
}

/// Symmetric int8 per output channel (dim 0): returns the scales.
std::vector<float> quantizeRows(std::vector<float> &w, int64_t rows) {
  int64_t per = (int64_t)w.size() / rows;
  std::vector<float> scales(rows);
  for (int64_t o = 0; o < rows; ++o) {
    float amax = 0;
    for (int64_t i = 0; i < per; ++i)
      amax = std::max(amax, std::fabs(w[o * per + i]));
    float s = amax / 127.0f;
    if (!(s > 0.0f))
      s = 1.0f; // an all-zero row stays zero
    float inv = 1.0f / s;
    for (int64_t i = 0; i < per; ++i) {
      float q = std::nearbyint(w[o * per + i] * inv);
      w[o * per + i] = std::min(127.0f, std::max(-127.0f, q)) * s;
    }
    scales[o] = s;
  }
  return scales;
}

Value weightOf(Operation *op) {
  if (auto fc = dyn_cast<FcOp>(op))
    return fc.getWeight();
  return cast<ConvLikeOp>(op).getConvWeight();
}

struct QuantizePass : public net::impl::NetQuantizeBase<QuantizePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Quantized values and scales per parameter name (shared by copies).
    llvm::StringMap<std::pair<DenseResourceElementsAttr, DenseF32ArrayAttr>> done;
    std::map<std::tuple<void *, float, int64_t>, Value> qdqs;
    WalkResult r = module.walk([&](Operation *op) {
      auto range = op->getAttrOfType<RangeAttr>(kInputRangeAttr);
      if (!range)
        return WalkResult::advance();
      auto w = weightOf(op).getDefiningOp<WeightOp>();
      if (!w || w.getFrozen()) {
        op->emitError() << "net-quantize: the weight of this layer is not a "
                           "parameter";
        return WalkResult::interrupt();
      }
      auto [scale, zp] = affineParams((float)range.getMin().getValueAsDouble(),
                                      (float)range.getMax().getValueAsDouble());
      Value in = op->getOperand(0);
      Value &q = qdqs[{in.getAsOpaquePointer(), scale, zp}];
      if (!q) {
        OpBuilder b(op);
        q = b.create<QdqOp>(op->getLoc(), in, b.getF32FloatAttr(scale),
                            b.getI64IntegerAttr(zp));
      }
      op->setOperand(0, q);
      op->setAttr(kInt8Attr, UnitAttr::get(&getContext()));

      auto it = done.find(w.getName());
      if (it == done.end()) {
        std::optional<std::vector<float>> values = w.getValues();
        if (!values) {
          w.emitError() << "net-quantize: '" << w.getName()
                        << "' has no value at compile time";
          return WalkResult::interrupt();
        }
        int64_t rows = cast<RankedTensorType>(w.getType()).getDimSize(0);
        std::vector<float> scales = quantizeRows(*values, rows);
        w.setValues(std::move(*values));
        it = done.insert({w.getName(),
                          {cast<DenseResourceElementsAttr>(w.getValueAttr()),
                           DenseF32ArrayAttr::get(&getContext(), scales)}})
                 .first;
      } else {
        w.setValueAttr(it->second.first);
      }
      w->setAttr(kWeightScalesAttr, it->second.second);
      return WalkResult::advance();
    });
    if (r.wasInterrupted()) {
      signalPassFailure();
      return;
    }
    moveAboveMaxPools(module);
  }

  /// A max pool all of whose readers are one qdq runs on the codes: the
  /// qdq moves to its input (quantization is monotone, so
  /// qdq(maxpool(x)) = maxpool(qdq(x)) exactly; padding's -inf quantizes
  /// to the lowest code, which a window's real taps never undercut), and
  /// the pool is marked net.int8. Last pools first, so a chain of them
  /// moves the qdq up to the first.
  void moveAboveMaxPools(ModuleOp module) {
    llvm::SmallVector<MaxPoolOp> pools;
    module.walk([&](MaxPoolOp p) { pools.push_back(p); });
    for (MaxPoolOp pool : llvm::reverse(pools)) {
      QdqOp q;
      for (Operation *user : pool->getUsers()) {
        auto uq = dyn_cast<QdqOp>(user);
        if (!uq || (q && uq != q)) {
          q = nullptr;
          break;
        }
        q = uq;
      }
      if (!q)
        continue;
      // The input's own qdq with these parameters, if another layer has
      // one (one u8 copy, and its producer may still requantize).
      QdqOp moved;
      for (Operation *user : pool.getInput().getUsers())
        if (auto other = dyn_cast<QdqOp>(user))
          if (other.getScale() == q.getScale() &&
              other.getZeroPoint() == q.getZeroPoint())
            moved = other;
      if (moved && pool->isBeforeInBlock(moved))
        moved->moveBefore(pool); // its operand is the pool's: still dominated
      if (!moved) {
        OpBuilder b(pool);
        moved = b.create<QdqOp>(q.getLoc(), pool.getInput(), q.getScaleAttr(),
                                q.getZeroPointAttr());
      }
      pool->setOperand(0, moved);
      pool->setAttr(kInt8Attr, UnitAttr::get(&getContext()));
      q.getResult().replaceAllUsesWith(pool.getResult());
      q.erase();
    }
  }
};

} // namespace
