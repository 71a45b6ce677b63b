//===- NetGradients.cpp - How each op's gradient is built -----------------===//
//
// The DifferentiableOp and LossTermOp models of the forward ops, attached
// as external models (registerGradientModels), and the verifiers of the
// gradient ops (NetGradOps.td). Each model writes the adjoints of its
// operands in terms of forward values and gradient ops; net-differentiate
// sums what several uses send to one value.
//
//===----------------------------------------------------------------------===//
#include "net/IR/NetGradients.h"
#include "net/IR/NetOps.h"
#include "ShapeUtils.h"

#include "mlir/IR/DialectRegistry.h"

#include <limits>

using namespace mlir;
using namespace mlir::net;
using namespace mlir::net::detail;

namespace {

Value affine(OpBuilder &b, Location loc, Value x, double scale, double shift) {
  return b.create<AffineOp>(loc, x.getType(), x, b.getF32FloatAttr(scale),
                            b.getF32FloatAttr(shift));
}
Value mul(OpBuilder &b, Location loc, Value x, Value y) {
  return b.create<MulOp>(loc, x.getType(), x, y);
}
Value div(OpBuilder &b, Location loc, Value x, Value y) {
  return b.create<DivOp>(loc, x.getType(), x, y);
}

/// Whether a weight operand takes a gradient: not a frozen init= constant.
bool learned(Value v) {
  auto w = v.getDefiningOp<WeightOp>();
  return !w || !w.getFrozen();
}

/// sum(dy) over every dim but the channels (dim 1): a bias's gradient.
Value biasGrad(OpBuilder &b, Location loc, Value dy) {
  ArrayRef<int64_t> s = shapeOf(dy);
  SmallVector<int64_t> axes = {0};
  for (size_t d = 2; d < s.size(); ++d)
    axes.push_back((int64_t)d);
  return b.create<SumOp>(loc, f32Tensor(b.getContext(), {s[1]}), dy,
                         b.getDenseI64ArrayAttr(axes));
}

/// A reshape of `v` to `like`'s type (a symbolic batch stays symbolic).
Value reshapeLike(OpBuilder &b, Location loc, Value v, Value like) {
  SmallVector<int64_t> shape(shapeOf(like));
  for (int64_t &d : shape)
    if (ShapedType::isDynamic(d))
      d = -1;
  return b.create<ReshapeOp>(loc, like.getType(), v,
                             b.getDenseI64ArrayAttr(shape));
}

//===----------------------------------------------------------------------===//
// Layers
//===----------------------------------------------------------------------===//

struct ConvGrad : DifferentiableOp::ExternalModel<ConvGrad, ConvOp> {
  LogicalResult buildGradients(Operation *op, OpBuilder &b,
                               ArrayRef<Value> dys,
                               SmallVectorImpl<Value> &out) const {
    auto c = cast<ConvOp>(op);
    Location loc = c.getLoc();
    Value dy = dys[0];
    out.push_back(b.create<ConvGradInputOp>(
        loc, c.getInput().getType(), dy, c.getWeight(), c.getStrideAttr(),
        c.getPadAttr(), c.getDilationAttr(), c.getGroupsAttr()));
    out.push_back(learned(c.getWeight())
                      ? b.create<ConvGradWeightOp>(
                            loc, c.getWeight().getType(), c.getInput(), dy,
                            c.getStrideAttr(), c.getPadAttr(),
                            c.getDilationAttr(), c.getGroupsAttr())
                      : Value());
    if (c.getBias())
      out.push_back(biasGrad(b, loc, dy));
    return success();
  }
};

struct FcGrad : DifferentiableOp::ExternalModel<FcGrad, FcOp> {
  LogicalResult buildGradients(Operation *op, OpBuilder &b,
                               ArrayRef<Value> dys,
                               SmallVectorImpl<Value> &out) const {
    auto f = cast<FcOp>(op);
    Location loc = f.getLoc();
    Value dy = dys[0];
    out.push_back(b.create<FcGradInputOp>(loc, f.getInput().getType(), dy,
                                          f.getWeight()));
    out.push_back(b.create<FcGradWeightOp>(loc, f.getWeight().getType(),
                                           f.getInput(), dy));
    if (f.getBias())
      out.push_back(biasGrad(b, loc, dy));
    return success();
  }
};

struct MaxPoolGrad : DifferentiableOp::ExternalModel<MaxPoolGrad, MaxPoolOp> {
  LogicalResult buildGradients(Operation *op, OpBuilder &b,
                               ArrayRef<Value> dys,
                               SmallVectorImpl<Value> &out) const {
    auto p = cast<MaxPoolOp>(op);
    out.push_back(b.create<MaxPoolGradOp>(
        p.getLoc(), p.getInput().getType(), p.getInput(), dys[0],
        p.getKernelAttr(), p.getStrideAttr(), p.getPadAttr(), p.getCeilAttr()));
    return success();
  }
};

struct AvgPoolGrad : DifferentiableOp::ExternalModel<AvgPoolGrad, AvgPoolOp> {
  LogicalResult buildGradients(Operation *op, OpBuilder &b,
                               ArrayRef<Value> dys,
                               SmallVectorImpl<Value> &out) const {
    auto p = cast<AvgPoolOp>(op);
    out.push_back(b.create<AvgPoolGradOp>(
        p.getLoc(), p.getInput().getType(), dys[0], p.getKernelAttr(),
        p.getStrideAttr(), p.getPadAttr(), p.getCeilAttr()));
    return success();
  }
};

/// The adjoints of a batchnorm's operands (x, weight, bias, running mean,
/// running var) from batchnorm_grad with statistics `mean` and `var`: the
/// running ones (eval mode) or, with `batch`, the batch's own, functions
/// of x whose gradient it includes. The running statistics are buffers.
template <typename BatchNormLike>
void batchNormGradients(BatchNormLike n, OpBuilder &b, Value dy, Value mean,
                        Value var, bool batch, SmallVectorImpl<Value> &out) {
  Type vec = n.getWeight().getType();
  auto g = b.create<BatchNormGradOp>(
      n.getLoc(), TypeRange{n.getInput().getType(), vec, vec}, n.getInput(), dy,
      n.getWeight(), mean, var, n.getEpsAttr(),
      batch ? b.getUnitAttr() : UnitAttr());
  out.push_back(g.getInputGrad());
  out.push_back(learned(n.getWeight()) ? g.getWeightGrad() : Value());
  out.push_back(learned(n.getBias()) ? g.getBiasGrad() : Value());
  out.append({Value(), Value()});
}

struct BatchNormGrad
    : DifferentiableOp::ExternalModel<BatchNormGrad, BatchNormOp> {
  LogicalResult buildGradients(Operation *op, OpBuilder &b,
                               ArrayRef<Value> dys,
                               SmallVectorImpl<Value> &out) const {
    auto n = cast<BatchNormOp>(op);
    batchNormGradients(n, b, dys[0], n.getMean(), n.getVar(), false, out);
    return success();
  }
  bool isStateOperand(Operation *, unsigned index) const { return index >= 3; }
};

/// Training mode (--train=batch-stats). Only y has an adjoint: the batch
/// statistics and the running updates are read by no loss, only by
/// @train's results.
struct BatchNormTrainGrad
    : DifferentiableOp::ExternalModel<BatchNormTrainGrad, BatchNormTrainOp> {
  LogicalResult buildGradients(Operation *op, OpBuilder &b,
                               ArrayRef<Value> dys,
                               SmallVectorImpl<Value> &out) const {
    auto n = cast<BatchNormTrainOp>(op);
    batchNormGradients(n, b, dys[0], n.getBatchMean(), n.getBatchVar(), true,
                       out);
    return success();
  }
  bool isStateOperand(Operation *, unsigned index) const { return index >= 3; }
};

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

/// dx = (lo < v < hi) ? dy : otherwise * dy, v the result or the input.
template <typename OpTy>
struct MaskGrad : DifferentiableOp::ExternalModel<MaskGrad<OpTy>, OpTy> {
  LogicalResult buildGradients(Operation *op, OpBuilder &b,
                               ArrayRef<Value> dys,
                               SmallVectorImpl<Value> &out) const {
    constexpr double inf = std::numeric_limits<double>::infinity();
    Value x = op->getOperand(0), y = op->getResult(0);
    // relu and relu6 read their result (so a conv + relu stays fusible);
    // leaky_relu and abs their input.
    Value v = y;
    double lo = 0, hi = inf, otherwise = 0;
    if (isa<Relu6Op>(op))
      hi = 6;
    if (auto l = dyn_cast<LeakyReluOp>(op)) {
      v = x;
      otherwise = l.getSlope().convertToFloat();
    }
    if (isa<AbsOp>(op)) {
      v = x;
      otherwise = -1;
    }
    out.push_back(b.create<MaskGradOp>(op->getLoc(), x.getType(), v, dys[0],
                                       b.getF32FloatAttr(lo),
                                       b.getF32FloatAttr(hi),
                                       b.getF32FloatAttr(otherwise)));
    return success();
  }
};

/// The smooth unary ops, by their derivative.
template <typename OpTy>
struct SmoothGrad : DifferentiableOp::ExternalModel<SmoothGrad<OpTy>, OpTy> {
  LogicalResult buildGradients(Operation *op, OpBuilder &b,
                               ArrayRef<Value> dys,
                               SmallVectorImpl<Value> &out) const {
    Location loc = op->getLoc();
    Value x = op->getOperand(0), y = op->getResult(0), dy = dys[0];
    Value dx;
    if (isa<SigmoidOp>(op)) // y (1 - y)
      dx = mul(b, loc, dy, mul(b, loc, y, affine(b, loc, y, -1, 1)));
    else if (isa<TanhOp>(op)) // 1 - y^2
      dx = mul(b, loc, dy,
               affine(b, loc, b.create<SquareOp>(loc, y.getType(), y), -1, 1));
    else if (isa<ExpOp>(op)) // y
      dx = mul(b, loc, dy, y);
    else if (isa<LogOp>(op)) // 1 / x
      dx = div(b, loc, dy, x);
    else if (isa<SquareOp>(op)) // 2 x
      dx = mul(b, loc, dy, affine(b, loc, x, 2, 0));
    else if (isa<SqrtOp>(op)) // 1 / (2 y)
      dx = div(b, loc, dy, affine(b, loc, y, 2, 0));
    out.push_back(dx);
    return success();
  }
};

struct AffineGrad : DifferentiableOp::ExternalModel<AffineGrad, AffineOp> {
  LogicalResult buildGradients(Operation *op, OpBuilder &b,
                               ArrayRef<Value> dys,
                               SmallVectorImpl<Value> &out) const {
    auto a = cast<AffineOp>(op);
    out.push_back(affine(b, a.getLoc(), dys[0],
                         a.getScale().convertToFloat(), 0));
    return success();
  }
};

template <typename OpTy>
struct BinaryGrad : DifferentiableOp::ExternalModel<BinaryGrad<OpTy>, OpTy> {
  LogicalResult buildGradients(Operation *op, OpBuilder &b,
                               ArrayRef<Value> dys,
                               SmallVectorImpl<Value> &out) const {
    Location loc = op->getLoc();
    Value l = op->getOperand(0), r = op->getOperand(1), dy = dys[0];
    if (isa<AddOp>(op)) {
      out.append({dy, dy});
    } else if (isa<SubOp>(op)) {
      out.append({dy, affine(b, loc, dy, -1, 0)});
    } else if (isa<MulOp>(op)) {
      out.append({mul(b, loc, dy, r), mul(b, loc, dy, l)});
    } else { // div: d/dr (l / r) = -y / r
      Value y = op->getResult(0);
      out.append({div(b, loc, dy, r),
                  affine(b, loc, div(b, loc, mul(b, loc, dy, y), r), -1, 0)});
    }
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Shape and axis ops
//===----------------------------------------------------------------------===//

template <typename OpTy, typename GradTy>
struct AxisGrad : DifferentiableOp::ExternalModel<AxisGrad<OpTy, GradTy>, OpTy> {
  LogicalResult buildGradients(Operation *op, OpBuilder &b,
                               ArrayRef<Value> dys,
                               SmallVectorImpl<Value> &out) const {
    auto s = cast<OpTy>(op);
    out.push_back(b.create<GradTy>(s.getLoc(), s.getType(), s.getResult(),
                                   dys[0], s.getAxisAttr()));
    return success();
  }
};

struct ConcatGrad : DifferentiableOp::ExternalModel<ConcatGrad, ConcatOp> {
  LogicalResult buildGradients(Operation *op, OpBuilder &b,
                               ArrayRef<Value> dys,
                               SmallVectorImpl<Value> &out) const {
    auto c = cast<ConcatOp>(op);
    int64_t axis = c.getAxis(), offset = 0;
    for (Value in : c.getInputs()) {
      out.push_back(b.create<SliceOp>(c.getLoc(), in.getType(), dys[0],
                                      b.getI64IntegerAttr(axis),
                                      b.getI64IntegerAttr(offset)));
      offset += shapeOf(in)[axis];
    }
    return success();
  }
};

template <typename OpTy>
struct ReshapeGrad : DifferentiableOp::ExternalModel<ReshapeGrad<OpTy>, OpTy> {
  LogicalResult buildGradients(Operation *op, OpBuilder &b,
                               ArrayRef<Value> dys,
                               SmallVectorImpl<Value> &out) const {
    out.push_back(reshapeLike(b, op->getLoc(), dys[0], op->getOperand(0)));
    return success();
  }
};

template <typename OpTy>
struct ReduceGrad : DifferentiableOp::ExternalModel<ReduceGrad<OpTy>, OpTy> {
  LogicalResult buildGradients(Operation *op, OpBuilder &b,
                               ArrayRef<Value> dys,
                               SmallVectorImpl<Value> &out) const {
    auto r = cast<OpTy>(op);
    out.push_back(b.create<BroadcastOp>(
        r.getLoc(), r.getInput().getType(), dys[0], r.getAxesAttr(),
        std::is_same_v<OpTy, MeanOp> ? b.getUnitAttr() : UnitAttr()));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Spatial and vision ops
//===----------------------------------------------------------------------===//

/// A transposed convolution's input gradient is the convolution of dy with
/// the same weights ([C, O, k] is a conv weight [out, in, k]); its weight
/// gradient is conv_grad_weight with the roles of input and output swapped.
struct DeconvGrad : DifferentiableOp::ExternalModel<DeconvGrad, DeconvOp> {
  LogicalResult buildGradients(Operation *op, OpBuilder &b,
                               ArrayRef<Value> dys,
                               SmallVectorImpl<Value> &out) const {
    auto d = cast<DeconvOp>(op);
    Location loc = d.getLoc();
    Value dy = dys[0];
    auto groups = b.getI64IntegerAttr(1);
    out.push_back(b.create<ConvOp>(loc, d.getInput().getType(), dy,
                                   d.getWeight(), Value(), d.getStrideAttr(),
                                   d.getPadAttr(), d.getDilationAttr(), groups));
    out.push_back(learned(d.getWeight())
                      ? b.create<ConvGradWeightOp>(
                            loc, d.getWeight().getType(), dy, d.getInput(),
                            d.getStrideAttr(), d.getPadAttr(),
                            d.getDilationAttr(), groups)
                      : Value());
    if (d.getBias())
      out.push_back(biasGrad(b, loc, dy));
    return success();
  }
};

struct L2NormGrad : DifferentiableOp::ExternalModel<L2NormGrad, L2NormOp> {
  LogicalResult buildGradients(Operation *op, OpBuilder &b,
                               ArrayRef<Value> dys,
                               SmallVectorImpl<Value> &out) const {
    auto n = cast<L2NormOp>(op);
    out.push_back(b.create<L2NormGradOp>(n.getLoc(), n.getType(), n.getInput(),
                                         dys[0], n.getAxisAttr(), n.getEpsAttr()));
    return success();
  }
};

struct GramGrad : DifferentiableOp::ExternalModel<GramGrad, GramOp> {
  LogicalResult buildGradients(Operation *op, OpBuilder &b,
                               ArrayRef<Value> dys,
                               SmallVectorImpl<Value> &out) const {
    auto g = cast<GramOp>(op);
    out.push_back(b.create<GramGradOp>(g.getLoc(), g.getInput().getType(),
                                       g.getInput(), dys[0]));
    return success();
  }
};

struct UpsampleGrad : DifferentiableOp::ExternalModel<UpsampleGrad, UpsampleOp> {
  LogicalResult buildGradients(Operation *op, OpBuilder &b,
                               ArrayRef<Value> dys,
                               SmallVectorImpl<Value> &out) const {
    auto u = cast<UpsampleOp>(op);
    out.push_back(b.create<UpsampleGradOp>(u.getLoc(), u.getInput().getType(),
                                           dys[0], u.getScaleAttr(),
                                           u.getModeAttr()));
    return success();
  }
};

struct LrnGrad : DifferentiableOp::ExternalModel<LrnGrad, LrnOp> {
  LogicalResult buildGradients(Operation *op, OpBuilder &b,
                               ArrayRef<Value> dys,
                               SmallVectorImpl<Value> &out) const {
    auto l = cast<LrnOp>(op);
    out.push_back(b.create<LrnGradOp>(l.getLoc(), l.getType(), l.getInput(),
                                      dys[0], l.getSizeAttr(), l.getAlphaAttr(),
                                      l.getBetaAttr(), l.getKAttr()));
    return success();
  }
};

struct CorrelationGrad
    : DifferentiableOp::ExternalModel<CorrelationGrad, CorrelationOp> {
  LogicalResult buildGradients(Operation *op, OpBuilder &b,
                               ArrayRef<Value> dys,
                               SmallVectorImpl<Value> &out) const {
    auto c = cast<CorrelationOp>(op);
    auto g = b.create<CorrelationGradOp>(
        c.getLoc(), TypeRange{c.getLhs().getType(), c.getRhs().getType()},
        c.getLhs(), c.getRhs(), dys[0], c.getMaxDispAttr(), c.getStrideAttr());
    out.append({g.getLhsGrad(), g.getRhsGrad()});
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Loss terms
//===----------------------------------------------------------------------===//

struct ContrastiveGrad
    : LossTermOp::ExternalModel<ContrastiveGrad, ContrastiveOp> {
  LogicalResult buildGradients(Operation *op, OpBuilder &b, double scale,
                               SmallVectorImpl<Value> &out) const {
    auto c = cast<ContrastiveOp>(op);
    auto same = cast<RankedTensorType>(c.getSame().getType());
    Type ty = c.getLhs().getType();
    auto g = b.create<ContrastiveGradOp>(
        c.getLoc(), TypeRange{ty, ty, f32Tensor(b.getContext(), same.getShape())},
        c.getLhs(), c.getRhs(), c.getSame(), c.getMarginAttr(),
        b.getF32FloatAttr(scale), c.getReductionAttr());
    out.append({g.getLhsGrad(), g.getRhsGrad(),
                same.getElementType().isF32() ? g.getSameGrad() : Value()});
    return success();
  }
};

struct CrossEntropyGrad
    : LossTermOp::ExternalModel<CrossEntropyGrad, CrossEntropyOp> {
  LogicalResult buildGradients(Operation *op, OpBuilder &b, double scale,
                               SmallVectorImpl<Value> &out) const {
    auto c = cast<CrossEntropyOp>(op);
    out.push_back(b.create<CrossEntropyGradOp>(
        c.getLoc(), c.getLogits().getType(), c.getLogits(), c.getLabel(),
        b.getF32FloatAttr(scale), c.getReductionAttr()));
    out.push_back(Value());
    return success();
  }
};

template <typename OpTy, PairLoss kind>
struct PairGrad : LossTermOp::ExternalModel<PairGrad<OpTy, kind>, OpTy> {
  LogicalResult buildGradients(Operation *op, OpBuilder &b, double scale,
                               SmallVectorImpl<Value> &out) const {
    auto l = cast<OpTy>(op);
    auto g = b.create<PairLossGradOp>(
        l.getLoc(), TypeRange{l.getLhs().getType(), l.getRhs().getType()},
        l.getLhs(), l.getRhs(), PairLossAttr::get(b.getContext(), kind),
        b.getF32FloatAttr(scale), l.getReductionAttr());
    out.append({g.getLhsGrad(), g.getRhsGrad()});
    return success();
  }
};

struct TripletGrad : LossTermOp::ExternalModel<TripletGrad, TripletOp> {
  LogicalResult buildGradients(Operation *op, OpBuilder &b, double scale,
                               SmallVectorImpl<Value> &out) const {
    auto t = cast<TripletOp>(op);
    Type ty = t.getAnchor().getType();
    auto g = b.create<TripletGradOp>(
        t.getLoc(), TypeRange{ty, ty, ty}, t.getAnchor(), t.getPositive(),
        t.getNegative(), t.getMarginAttr(), b.getF32FloatAttr(scale),
        t.getReductionAttr());
    out.append({g.getAnchorGrad(), g.getPositiveGrad(), g.getNegativeGrad()});
    return success();
  }
};

} // namespace

void mlir::net::registerGradientModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, NetDialect *) {
    ConvOp::attachInterface<ConvGrad>(*ctx);
    FcOp::attachInterface<FcGrad>(*ctx);
    MaxPoolOp::attachInterface<MaxPoolGrad>(*ctx);
    AvgPoolOp::attachInterface<AvgPoolGrad>(*ctx);
    BatchNormOp::attachInterface<BatchNormGrad>(*ctx);
    BatchNormTrainOp::attachInterface<BatchNormTrainGrad>(*ctx);
    ReluOp::attachInterface<MaskGrad<ReluOp>>(*ctx);
    Relu6Op::attachInterface<MaskGrad<Relu6Op>>(*ctx);
    LeakyReluOp::attachInterface<MaskGrad<LeakyReluOp>>(*ctx);
    AbsOp::attachInterface<MaskGrad<AbsOp>>(*ctx);
    SigmoidOp::attachInterface<SmoothGrad<SigmoidOp>>(*ctx);
    TanhOp::attachInterface<SmoothGrad<TanhOp>>(*ctx);
    ExpOp::attachInterface<SmoothGrad<ExpOp>>(*ctx);
    LogOp::attachInterface<SmoothGrad<LogOp>>(*ctx);
    SquareOp::attachInterface<SmoothGrad<SquareOp>>(*ctx);
    SqrtOp::attachInterface<SmoothGrad<SqrtOp>>(*ctx);
    AffineOp::attachInterface<AffineGrad>(*ctx);
    AddOp::attachInterface<BinaryGrad<AddOp>>(*ctx);
    SubOp::attachInterface<BinaryGrad<SubOp>>(*ctx);
    MulOp::attachInterface<BinaryGrad<MulOp>>(*ctx);
    DivOp::attachInterface<BinaryGrad<DivOp>>(*ctx);
    SoftmaxOp::attachInterface<AxisGrad<SoftmaxOp, SoftmaxGradOp>>(*ctx);
    LogSoftmaxOp::attachInterface<AxisGrad<LogSoftmaxOp, LogSoftmaxGradOp>>(
        *ctx);
    ConcatOp::attachInterface<ConcatGrad>(*ctx);
    FlattenOp::attachInterface<ReshapeGrad<FlattenOp>>(*ctx);
    ReshapeOp::attachInterface<ReshapeGrad<ReshapeOp>>(*ctx);
    MeanOp::attachInterface<ReduceGrad<MeanOp>>(*ctx);
    SumOp::attachInterface<ReduceGrad<SumOp>>(*ctx);
    CrossEntropyOp::attachInterface<CrossEntropyGrad>(*ctx);
    MseOp::attachInterface<PairGrad<MseOp, PairLoss::mse>>(*ctx);
    L1Op::attachInterface<PairGrad<L1Op, PairLoss::l1>>(*ctx);
    BceOp::attachInterface<PairGrad<BceOp, PairLoss::bce>>(*ctx);
    ContentCostOp::attachInterface<
        PairGrad<ContentCostOp, PairLoss::content_cost>>(*ctx);
    StyleCostOp::attachInterface<PairGrad<StyleCostOp, PairLoss::style_cost>>(
        *ctx);
    EpeOp::attachInterface<PairGrad<EpeOp, PairLoss::epe>>(*ctx);
    TripletOp::attachInterface<TripletGrad>(*ctx);
    ContrastiveOp::attachInterface<ContrastiveGrad>(*ctx);
    DeconvOp::attachInterface<DeconvGrad>(*ctx);
    L2NormOp::attachInterface<L2NormGrad>(*ctx);
    GramOp::attachInterface<GramGrad>(*ctx);
    UpsampleOp::attachInterface<UpsampleGrad>(*ctx);
    LrnOp::attachInterface<LrnGrad>(*ctx);
    CorrelationOp::attachInterface<CorrelationGrad>(*ctx);
  });
}

//===----------------------------------------------------------------------===//
// Verifiers of the gradient ops
//===----------------------------------------------------------------------===//

/// The forward conv the gradient op differentiates must be well formed:
/// `input` [N, C, ...], `weight` [O, C/groups, k...], `grad` its output.
static LogicalResult verifyConvGrad(Operation *op, ArrayRef<int64_t> in,
                                    ArrayRef<int64_t> w, ArrayRef<int64_t> dy,
                                    ArrayRef<int64_t> s, ArrayRef<int64_t> p,
                                    ArrayRef<int64_t> d, int64_t groups) {
  size_t spatial = in.size() >= 2 ? in.size() - 2 : 0;
  if (in.size() < 3 || w.size() != in.size() || dy.size() != in.size())
    return op->emitOpError("input, weight and gradient must have one rank "
                           "(3 to 5), got ")
           << shapeStr(in) << ", " << shapeStr(w) << ", " << shapeStr(dy);
  if (s.size() != spatial || p.size() != spatial || d.size() != spatial)
    return op->emitOpError("stride, pad and dilation need ")
           << spatial << " entries";
  if (groups < 1 || w[0] % groups ||
      (!ShapedType::isDynamic(in[1]) && in[1] != w[1] * groups))
    return op->emitOpError("weight ") << shapeStr(w) << " with groups "
                                      << groups << " does not fit input "
                                      << shapeStr(in);
  if (dy[1] != w[0])
    return op->emitOpError("gradient ") << shapeStr(dy) << " must have "
                                        << w[0] << " channels";
  for (size_t i = 0; i < spatial; ++i) {
    int64_t n = in[2 + i], o = dy[2 + i];
    if (ShapedType::isDynamic(n) || ShapedType::isDynamic(o))
      continue;
    if ((n + 2 * p[i] - d[i] * (w[2 + i] - 1) - 1) / s[i] + 1 != o)
      return op->emitOpError("gradient ") << shapeStr(dy)
                                          << " is not the conv output of "
                                          << shapeStr(in);
  }
  return success();
}

LogicalResult ConvGradInputOp::verify() {
  return verifyConvGrad(*this, shapeOf(getResult()), shapeOf(getWeight()),
                        shapeOf(getGrad()), getStride(), getPad(),
                        getDilation(), getGroups());
}

LogicalResult ConvGradWeightOp::verify() {
  return verifyConvGrad(*this, shapeOf(getInput()), shapeOf(getResult()),
                        shapeOf(getGrad()), getStride(), getPad(),
                        getDilation(), getGroups());
}

LogicalResult SliceOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput()), out = shapeOf(getResult());
  int64_t axis = getAxis();
  if (in.size() != out.size() || axis < 0 || axis >= (int64_t)in.size())
    return emitOpError("axis ") << axis << " out of range for "
                                << shapeStr(in) << " -> " << shapeStr(out);
  for (size_t i = 0; i < in.size(); ++i)
    if ((int64_t)i != axis && in[i] != out[i])
      return emitOpError("shapes ") << shapeStr(in) << " and "
                                    << shapeStr(out) << " differ off the axis";
  if (getOffset() < 0 || getOffset() + out[axis] > in[axis])
    return emitOpError("slice [") << getOffset() << ", "
                                  << getOffset() + out[axis]
                                  << ") is outside dim " << axis << " of "
                                  << shapeStr(in);
  return success();
}
