//===- LayerLowering.cpp - weights, fc, batchnorm ----------------------------===//
//
// Layers with parameters; parameters are weight arguments of the kernel.
// Convolutions are in ConvLowering.cpp.
//
//===----------------------------------------------------------------------===//
#include "codegen/lower/ConvSpec.h"

#include "net/IR/NetOps.h"

#include <cmath>
#include <cstring>

using namespace netc;
using namespace Halide;
using mlir::cast;
using mlir::dyn_cast;

const HTensor &LowerContext::get(mlir::Value v) {
  auto it = values.find(v);
  if (it != values.end())
    return it->second;
  HTensor t;
  if (auto w = v.getDefiningOp<mlir::net::WeightOp>())
    t = {weight(w), shapeOf(v), Halide::Func()};
  return values[v] = t;
}

Func LowerContext::prepared(const PrepSpec &spec, const std::string &name) {
  int rank = (int)spec.extents.size();
  ImageParam p(spec.kind == PrepKind::Int8Conv ? Int(8) : Float(32), rank,
               "w" + std::to_string(weightArgs.size()));
  // Shapes and strides are part of the kernel's signature: constants let
  // Halide fold the address arithmetic.
  for (int d = 0; d < rank; ++d)
    p.dim(d).set_bounds(0, (int)spec.extents[d]).set_stride((int)spec.strides[d]);
  weightArgs.push_back({p, spec});
  Func f(fresh(name));
  std::vector<Var> v = makeVars(rank);
  f(v) = p(asExprs(v));
  return f;
}

Func LowerContext::weight(mlir::net::WeightOp op, int rowBlock) {
  std::vector<int64_t> shape = shapeOf(op.getResult());
  PrepSpec spec;
  spec.sources = {op.getName().str()};
  if (rowBlock > 0 && shape.size() == 2) {
    // Blocks of rowBlock rows, each stored column by column: element (o, i)
    // of an [O, I] matrix at ((o / B) * I + i) * B + o % B (zero rows pad
    // the last block). A block's rows for one column are one vector.
    int64_t rows = shape[0], cols = shape[1];
    int64_t blocks = (rows + rowBlock - 1) / rowBlock;
    spec.kind = PrepKind::FcBlock;
    spec.param = rowBlock;
    spec.extents = {rowBlock, cols, blocks};
    spec.strides = stridesFor(spec.extents, {0, 1, 2});
    Func buf = prepared(spec, "param_" + op.getName().str() + "_blocks");
    Func f(fresh("param_" + op.getName().str()));
    Var o("x"), i("y");
    f(i, o) = buf(o % rowBlock, i, o / rowBlock);
    return f;
  }
  spec.extents.assign(shape.rbegin(), shape.rend());
  std::vector<int> order;
  for (int d = 0; d < (int)shape.size(); ++d)
    order.push_back(d);
  spec.strides = stridesFor(spec.extents, order);
  return prepared(spec, "param_" + op.getName().str());
}

static void lowerDenseFc(LowerContext &cx, mlir::net::FcOp op) {
  const HTensor &x = cx.get(op.getInput());
  HTensor w;
  w.shape = shapeOf(op.getWeight());
  // The schedule computes blocks of kFcBlock output features in parallel:
  // store the weights in such blocks (see LowerContext::weight), so each
  // block streams through contiguous memory one vector per input feature.
  if (auto p = op.getWeight().getDefiningOp<mlir::net::WeightOp>())
    w.f = cx.weight(p, kFcBlock);
  else
    w.f = cx.get(op.getWeight()).f;
  Func flat = cx.flattened(x, cx.fresh("flatten"));
  RDom r(0, (int)w.shape[1], cx.fresh("r_fc"));
  Var o("x"), n("y");
  Func f(cx.fresh("fc"));
  f(o, n) = op.getBias() ? cx.get(op.getBias()).f(o) : Expr(0.0f);
  f(o, n) += w.f(r, o) * flat(r, n);
  cx.define(op.getResult(), f, {o, n}, OpStage::Fc, true, {}, r);
}

static void lowerBatchNorm(LowerContext &cx, mlir::net::BatchNormOp bn) {
  // Eval-mode batchnorm is a per-channel affine map, prepared with the
  // weights: scale = weight / sqrt(var + eps), shift = bias - mean * scale.
  const HTensor &x = cx.get(bn.getInput());
  auto name = [](mlir::Value v) {
    return cast<mlir::net::WeightOp>(v.getDefiningOp()).getName().str();
  };
  int64_t c = shapeOf(bn.getWeight())[0];
  PrepSpec scale, shift;
  scale.kind = PrepKind::BnScale;
  scale.sources = {name(bn.getWeight()), name(bn.getVar())};
  shift.kind = PrepKind::BnShift;
  shift.sources = {name(bn.getWeight()), name(bn.getBias()),
                   name(bn.getMean()), name(bn.getVar())};
  for (PrepSpec *s : {&scale, &shift}) {
    s->eps = bn.getEps().convertToFloat();
    s->extents = {c};
    s->strides = {1};
  }
  Func sc = cx.prepared(scale, "bn_scale"), sh = cx.prepared(shift, "bn_shift");
  std::vector<Var> v = cx.makeVars(x.rank());
  Var ch = v[x.rank() - 2];
  Func f(cx.fresh("batchnorm"));
  f(cx.asExprs(v)) = x.f(cx.asExprs(v)) * sc(ch) + sh(ch);
  cx.define(bn.getResult(), f, v, OpStage::Elementwise, false);
}

void netc::registerLayerLowerings(LowerTable &t) {
  // A parameter becomes a weight argument of the kernel that reads it
  // (LowerContext::get), so that kernels with equal signatures share code.
  t[mlir::net::WeightOp::getOperationName()] =
      [](LowerContext &, mlir::Operation *, std::string &) {
        return mlir::success();
      };
  t[mlir::net::FcOp::getOperationName()] =
      [](LowerContext &cx, mlir::Operation *op, std::string &error) {
        auto fc = mlir::cast<mlir::net::FcOp>(op);
        if (auto kernel =
                op->getAttrOfType<mlir::net::KernelAttr>(mlir::net::kKernelAttr))
          if (kernel.isSparse())
            return lowerSparseFc(cx, fc, kernel, error);
        lowerDenseFc(cx, fc);
        return mlir::success();
      };
  addLowering<mlir::net::BatchNormOp>(t, lowerBatchNorm);
}
