//===- PoolLowering.cpp - maxpool, avgpool ----------------------------------===//
//
// Window pooling; average pooling counts padding (count_include_pad).
//
//===----------------------------------------------------------------------===//
#include "codegen/lower/LowerContext.h"

#include "net/IR/NetOps.h"

#include <cmath>

using namespace netc;
using namespace Halide;
using mlir::cast;
using mlir::dyn_cast;

namespace {

/// Window geometry of one pool, Halide dim order (innermost first).
struct Window {
  std::vector<int> kernel;
  std::vector<Expr> start; // first input coordinate of the window
  std::vector<bool> guarded;
  std::vector<int> extent; // input extent
  Expr count = 1;          // taps counted by the average (incl. padding)
};

Window windowOf(const HTensor &x, const std::vector<Var> &v,
                llvm::ArrayRef<int64_t> kernel, llvm::ArrayRef<int64_t> stride,
                llvm::ArrayRef<int64_t> pad, const std::vector<int64_t> &out) {
  Window w;
  size_t spatial = x.rank() - 2;
  for (size_t i = 0; i < spatial; ++i) {
    size_t d = spatial - 1 - i;
    int n = (int)x.shape[x.rank() - 1 - i];
    Expr start = v[i] * (int)stride[d] - (int)pad[d];
    // Guards only where a window can leave the input (padding, ceil mode):
    // unguarded dims keep bounds inference, and compile time, simple.
    int64_t lastEnd = (out[x.rank() - 1 - i] - 1) * stride[d] - pad[d] +
                      kernel[d];
    bool guarded = !(pad[d] == 0 && lastEnd <= n);
    w.kernel.push_back((int)kernel[d]);
    w.start.push_back(start);
    w.guarded.push_back(guarded);
    w.extent.push_back(n);
    // count_include_pad: the window clipped to the padded extent.
    w.count = w.count * (guarded ? min(start + (int)kernel[d],
                                       n + (int)pad[d]) - start
                                 : Expr((int)kernel[d]));
  }
  return w;
}

/// The window's tap at `offset`: the input value, or `outside` where the
/// tap falls in the padding.
Expr tap(const HTensor &x, const std::vector<Var> &v, const Window &w,
         const std::vector<Expr> &offset, Expr outside) {
  std::vector<Expr> at(v.begin(), v.end());
  Expr inside = Internal::const_true();
  for (size_t i = 0; i < w.kernel.size(); ++i) {
    at[i] = w.start[i] + offset[i];
    if (!w.guarded[i])
      continue;
    inside = inside && at[i] >= 0 && at[i] < w.extent[i];
    at[i] = clamp(at[i], 0, w.extent[i] - 1);
  }
  Expr value = x.f(at);
  return Internal::is_const_one(inside) ? value : select(inside, value, outside);
}

/// The window as a reduction domain; `offset` gets its RVars.
RDom windowDomain(LowerContext &cx, const Window &w, std::vector<Expr> &offset) {
  Region dom;
  for (int k : w.kernel)
    dom.push_back(Range(0, k));
  RDom r(dom, cx.fresh("r_pool"));
  for (int i = 0; i < r.dimensions(); ++i)
    offset.push_back(r[i]);
  return r;
}

/// `f` = the window's max of `in` (`lowest` in the padding), defined as
/// the op's result.
void defineMaxPool(LowerContext &cx, mlir::Operation *op, const HTensor &in,
                   const std::vector<Var> &v, const Window &w, Expr lowest,
                   Func f) {
  std::vector<Expr> offset, pure(v.begin(), v.end());
  RDom r = windowDomain(cx, w, offset);
  f(pure) = lowest;
  f(pure) = max(f(pure), tap(in, v, w, offset, lowest));
  cx.define(op->getResult(0), f, v, OpStage::Pool, true, {}, r);
}

/// A net.int8 max pool: the max of the input's u8 codes (the lowest code
/// in the padding), handed on as codes with the input's scale and zero
/// point.
void lowerInt8MaxPool(LowerContext &cx, mlir::Operation *op, const HTensor &x,
                      const std::vector<Var> &v, const Window &w) {
  mlir::net::QdqOp q = mlir::net::quantizedSource(op->getOperand(0));
  float scale = q.getScale().convertToFloat();
  int zp = (int)q.getZeroPoint();
  HTensor in = x;
  if (!x.hasCodes()) { // read as f32 (a concat's part): quantized again
    in.f = Func(cx.fresh("quantize"));
    in.f(v) = LowerContext::quantize(x.f(v), scale, zp);
  } else {
    in.f = x.codes;
  }
  Func codes(cx.fresh("maxpool_u8"));
  defineMaxPool(cx, op, in, v, w, ConciseCasts::u8(0), codes);
  HTensor &t = cx.values[op->getResult(0)];
  t = cx.onCodes(codes, t.shape, scale, zp);
}

void lowerPool(LowerContext &cx, mlir::Operation *op, bool isMax) {
  mlir::Value input = op->getOperand(0);
  const HTensor &x = cx.get(input);
  llvm::ArrayRef<int64_t> kernel, stride, pad;
  if (auto m = dyn_cast<mlir::net::MaxPoolOp>(op)) {
    kernel = m.getKernel(), stride = m.getStride(), pad = m.getPad();
  } else {
    auto a = cast<mlir::net::AvgPoolOp>(op);
    kernel = a.getKernel(), stride = a.getStride(), pad = a.getPad();
  }
  std::vector<Var> v = cx.makeVars(x.rank());
  std::vector<Expr> pure = cx.asExprs(v);
  Window w = windowOf(x, v, kernel, stride, pad, shapeOf(op->getResult(0)));
  Func f(cx.fresh(isMax ? "maxpool" : "avgpool"));
  Expr lowest = Float(32).min();

  // Fused with the tiled convolution before it (NetFusePool): one pure
  // definition over the unrolled window, so the convolution can be
  // computed per strip of this Func's rows.
  auto fuse = op->getAttrOfType<mlir::net::StripAttr>(mlir::net::kFuseProducerAttr);
  int producer = fuse ? cx.stageOf(x.f) : -1;
  if (producer >= 0 && cx.model.stages[producer].tile.vec &&
      !cx.model.stages[producer].wino.m && w.kernel.size() == 2) {
    Expr value;
    for (int ky = 0; ky < w.kernel[1]; ++ky)
      for (int kx = 0; kx < w.kernel[0]; ++kx) {
        Expr t = tap(x, v, w, {kx, ky}, isMax ? lowest : Expr(0.0f));
        value = !value.defined() ? t : isMax ? max(value, t) : value + t;
      }
    f(pure) = isMax ? value : value / cast<float>(w.count);
    cx.model.stages[producer].inlined = true;
    cx.define(op->getResult(0), f, v, OpStage::Pool, false);
    OpStage &s = cx.model.stages.back();
    s.producer = producer;
    s.stripRows = (int)fuse.getRows();
    return;
  }

  if (isMax && op->hasAttr(mlir::net::kInt8Attr)) {
    lowerInt8MaxPool(cx, op, x, v, w);
    return;
  }
  if (isMax) {
    defineMaxPool(cx, op, x, v, w, Float(32).min(), f);
    return;
  }
  std::vector<Expr> offset;
  windowDomain(cx, w, offset); // its RVars reach the sum through `offset`
  Func sum(cx.fresh("avgpool_sum"));
  sum(pure) = 0.0f;
  sum(pure) += tap(x, v, w, offset, 0.0f);
  f(pure) = sum(pure) / cast<float>(w.count);
  cx.define(op->getResult(0), f, v, OpStage::Pool, false, {sum});
}

} // namespace

void netc::registerPoolLowerings(LowerTable &t) {
  addLowering<mlir::net::MaxPoolOp>(
      t, +[](LowerContext &cx, mlir::net::MaxPoolOp op) {
        lowerPool(cx, op, true);
      });
  addLowering<mlir::net::AvgPoolOp>(
      t, +[](LowerContext &cx, mlir::net::AvgPoolOp op) {
        lowerPool(cx, op, false);
      });
}
