//===- NetOps.cpp - Shape inference and verifiers of the net dialect -------===//
//
// Every layer op infers its result type here; the generated verifier checks
// that the result type in the IR agrees, so one formula serves the front end
// (which builds ops through inference) and parsed IR alike.
//
//===----------------------------------------------------------------------===//
#include "net/IR/NetOps.h"
#include "ShapeUtils.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/STLExtras.h"

#include <string>

using namespace mlir;
using namespace mlir::net;
using namespace mlir::net::detail;

//===----------------------------------------------------------------------===//
// WeightOp
//===----------------------------------------------------------------------===//

LogicalResult WeightOp::verify() {
  if (getName().empty())
    return emitOpError("needs a non-empty parameter name");
  if (!getType().hasStaticShape())
    return emitOpError("parameter '") << getName() << "' needs a static shape";
  if (auto v = getValueAttr()) {
    auto type = dyn_cast<ShapedType>(v.getType());
    if (!type || type.getShape() != getType().getShape() ||
        !type.getElementType().isF32())
      return emitOpError("value of parameter '")
             << getName() << "' must be f32 of the parameter's shape";
  }
  return success();
}

#include "net/IR/NetInterfaces.cpp.inc"

/// numel of `v`'s type with a dynamic (batch) dim taken as `batch`.
static int64_t numelAt(Value v, int64_t batch) {
  int64_t n = 1;
  for (int64_t d : cast<ShapedType>(v.getType()).getShape())
    n *= ShapedType::isDynamic(d) ? batch : d;
  return n;
}

/// Weights [O, C/g, k...] (conv) or [C, O/g, k...] (deconv): the MACs per
/// output (input) element are the product of all but the first dim.
static int64_t perElement(Value w) {
  return numelAt(w, 1) / std::max<int64_t>(1, cast<ShapedType>(w.getType()).getDimSize(0));
}

int64_t ConvOp::macCount(int64_t batch) {
  return numelAt(getResult(), batch) * perElement(getWeight());
}
int64_t FusedConvOp::macCount(int64_t batch) {
  return numelAt(getResult(), batch) * perElement(getWeight());
}
int64_t DeconvOp::macCount(int64_t batch) {
  return numelAt(getInput(), batch) * perElement(getWeight());
}

std::optional<std::vector<float>> WeightOp::getValues() {
  auto v = getValueAttr();
  if (!v)
    return std::nullopt;
  if (auto r = dyn_cast<DenseF32ResourceElementsAttr>(v)) {
    std::optional<ArrayRef<float>> data = r.tryGetAsArrayRef();
    if (!data)
      return std::nullopt; // an elided or missing blob
    return std::vector<float>(data->begin(), data->end());
  }
  if (auto d = dyn_cast<DenseElementsAttr>(v)) {
    std::vector<float> out;
    for (APFloat f : d.getValues<APFloat>())
      out.push_back(f.convertToFloat());
    return out;
  }
  return std::nullopt;
}

std::optional<ArrayRef<float>> WeightOp::getValueData() {
  if (auto r = dyn_cast_or_null<DenseF32ResourceElementsAttr>(getValueAttr()))
    return r.tryGetAsArrayRef();
  return std::nullopt;
}

/// Resource keys must be identifiers; MLIR makes them unique.
static std::string resourceKey(StringRef name) {
  std::string key;
  for (char c : name)
    key += isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return key;
}

void WeightOp::setValues(ArrayRef<float> values) {
  Attribute attr = DenseF32ResourceElementsAttr::get(
      cast<ShapedType>(getType()), resourceKey(getName()),
      HeapAsmResourceBlob::allocateAndCopyInferAlign(values));
  setValueAttr(cast<ElementsAttr>(attr));
}

void WeightOp::setValues(std::vector<float> &&values) {
  auto *owned = new std::vector<float>(std::move(values));
  ArrayRef<char> bytes(reinterpret_cast<const char *>(owned->data()),
                       owned->size() * sizeof(float));
  AsmResourceBlob blob(
      bytes, alignof(float),
      [owned](void *, size_t, size_t) { delete owned; },
      /*dataIsMutable=*/true);
  Attribute attr = DenseF32ResourceElementsAttr::get(
      cast<ShapedType>(getType()), resourceKey(getName()), std::move(blob));
  setValueAttr(cast<ElementsAttr>(attr));
}

//===----------------------------------------------------------------------===//
// ConvOp
//===----------------------------------------------------------------------===//

LogicalResult mlir::net::detail::inferConvType(MLIRContext *ctx,
                                    std::optional<Location> loc, Value input,
                                    Value weight, Value bias, int64_t groups,
                                    ArrayRef<int64_t> stride,
                                    ArrayRef<int64_t> pad,
                                    ArrayRef<int64_t> dilation,
                                    SmallVectorImpl<Type> &types) {
  ArrayRef<int64_t> in = shapeOf(input);
  ArrayRef<int64_t> w = shapeOf(weight);
  if (in.size() < 3 || in.size() > 5)
    return emitOptionalError(loc, "conv: input must be [N, C, spatial...] "
                                  "with 1 to 3 spatial dims, got ",
                             shapeStr(in));
  size_t spatial = in.size() - 2;
  if (w.size() != in.size())
    return emitOptionalError(loc, "conv: weight ", shapeStr(w),
                             " must have rank ", in.size(), " like the input");
  int64_t channels = in[1], out = w[0];
  if (groups < 1)
    return emitOptionalError(loc, "conv: groups must be >= 1, got ", groups);
  if (!ShapedType::isDynamic(channels) && channels % groups != 0)
    return emitOptionalError(loc, "conv: groups=", groups,
                             " does not divide the ", channels,
                             " input channels");
  if (out % groups != 0)
    return emitOptionalError(loc, "conv: groups=", groups,
                             " does not divide the ", out, " output channels");
  if (!ShapedType::isDynamic(channels) && w[1] * groups != channels)
    return emitOptionalError(loc, "conv: input has ", channels,
                             " channels but the weight ", shapeStr(w),
                             " expects ", w[1] * groups);
  if (bias)
    if (failed(checkParamShape(loc, "conv", "bias", bias, {out})))
      return failure();
  if (failed(checkSpatialList(loc, "conv", "stride", stride, spatial, 1)) ||
      failed(checkSpatialList(loc, "conv", "pad", pad, spatial, 0)) ||
      failed(checkSpatialList(loc, "conv", "dilation", dilation, spatial, 1)))
    return failure();

  SmallVector<int64_t> result = {in[0], out};
  for (size_t i = 0; i < spatial; ++i) {
    FailureOr<int64_t> o = windowOutput(loc, "conv", i, in[2 + i], w[2 + i],
                                        stride[i], pad[i], dilation[i], false);
    if (failed(o))
      return failure();
    result.push_back(*o);
  }
  types.push_back(f32Tensor(ctx, result));
  return success();
}

LogicalResult ConvOp::inferReturnTypes(MLIRContext *ctx,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  return inferConvType(ctx, loc, adaptor, types);
}

//===----------------------------------------------------------------------===//
// FcOp
//===----------------------------------------------------------------------===//

LogicalResult FcOp::inferReturnTypes(MLIRContext *ctx,
                                     std::optional<Location> loc,
                                     Adaptor adaptor,
                                     SmallVectorImpl<Type> &types) {
  ArrayRef<int64_t> in = shapeOf(adaptor.getInput());
  ArrayRef<int64_t> w = shapeOf(adaptor.getWeight());
  if (in.size() < 2)
    return emitOptionalError(loc, "fc: input must be [N, ...], got ",
                             shapeStr(in));
  int64_t features = 1;
  for (int64_t d : in.drop_front()) {
    if (ShapedType::isDynamic(d))
      return emitOptionalError(loc, "fc: only the batch dim may be symbolic, "
                                    "got ",
                               shapeStr(in));
    features *= d;
  }
  if (w.size() != 2 || w[1] != features)
    return emitOptionalError(loc, "fc: input ", shapeStr(in), " has ",
                             features, " features but the weight is ",
                             shapeStr(w), " (expected [out, ", features, "])");
  if (Value bias = adaptor.getBias())
    if (failed(checkParamShape(loc, "fc", "bias", bias, {w[0]})))
      return failure();
  types.push_back(f32Tensor(ctx, {in[0], w[0]}));
  return success();
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

template <typename Adaptor>
static LogicalResult inferPool(MLIRContext *ctx, std::optional<Location> loc,
                               StringRef op, Adaptor adaptor,
                               SmallVectorImpl<Type> &types) {
  ArrayRef<int64_t> in = shapeOf(adaptor.getInput());
  if (in.size() < 3 || in.size() > 5)
    return emitOptionalError(loc, op, ": input must be [N, C, spatial...] "
                                      "with 1 to 3 spatial dims, got ",
                             shapeStr(in));
  size_t spatial = in.size() - 2;
  ArrayRef<int64_t> k = adaptor.getKernel(), s = adaptor.getStride(),
                    p = adaptor.getPad();
  if (failed(checkSpatialList(loc, op, "kernel", k, spatial, 1)) ||
      failed(checkSpatialList(loc, op, "stride", s, spatial, 1)) ||
      failed(checkSpatialList(loc, op, "pad", p, spatial, 0)))
    return failure();
  SmallVector<int64_t> result = {in[0], in[1]};
  for (size_t i = 0; i < spatial; ++i) {
    if (p[i] * 2 > k[i])
      return emitOptionalError(loc, op, ": pad ", p[i],
                               " is more than half the kernel ", k[i]);
    FailureOr<int64_t> o = windowOutput(loc, op, i, in[2 + i], k[i], s[i],
                                        p[i], 1, adaptor.getCeil());
    if (failed(o))
      return failure();
    result.push_back(*o);
  }
  types.push_back(f32Tensor(ctx, result));
  return success();
}

LogicalResult MaxPoolOp::inferReturnTypes(MLIRContext *ctx,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  return inferPool(ctx, loc, "maxpool", adaptor, types);
}

LogicalResult AvgPoolOp::inferReturnTypes(MLIRContext *ctx,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  return inferPool(ctx, loc, "avgpool", adaptor, types);
}

//===----------------------------------------------------------------------===//
// BatchNormOp
//===----------------------------------------------------------------------===//

LogicalResult BatchNormOp::inferReturnTypes(MLIRContext *ctx,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  ArrayRef<int64_t> in = shapeOf(adaptor.getInput());
  if (in.size() < 2)
    return emitOptionalError(loc, "batchnorm: input must be [N, C, ...], got ",
                             shapeStr(in));
  int64_t c = in[1];
  for (auto [what, v] :
       {std::pair<StringRef, Value>{"weight", adaptor.getWeight()},
        {"bias", adaptor.getBias()},
        {"running_mean", adaptor.getMean()},
        {"running_var", adaptor.getVar()}})
    if (failed(checkParamShape(loc, "batchnorm", what, v, {c})))
      return failure();
  types.push_back(adaptor.getInput().getType());
  return success();
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

// Unary ops get their result type from SameOperandsAndResultType.

template <typename Adaptor>
static LogicalResult inferBinary(StringRef op, std::optional<Location> loc,
                                 Adaptor adaptor,
                                 SmallVectorImpl<Type> &types) {
  ArrayRef<int64_t> a = shapeOf(adaptor.getLhs()), b = shapeOf(adaptor.getRhs());
  if (a != b)
    return emitOptionalError(loc, op, ": shapes ", shapeStr(a), " and ",
                             shapeStr(b), " differ");
  types.push_back(adaptor.getLhs().getType());
  return success();
}

#define NET_BINARY_INFER(OP, NAME)                                             \
  LogicalResult OP::inferReturnTypes(MLIRContext *,                            \
                                     std::optional<Location> loc,              \
                                     Adaptor adaptor,                          \
                                     SmallVectorImpl<Type> &types) {           \
    return inferBinary(NAME, loc, adaptor, types);                             \
  }
NET_BINARY_INFER(AddOp, "'+'")
NET_BINARY_INFER(SubOp, "'-'")
NET_BINARY_INFER(MulOp, "'*'")
NET_BINARY_INFER(DivOp, "'/'")
#undef NET_BINARY_INFER

//===----------------------------------------------------------------------===//
// Softmax, concat, flatten
//===----------------------------------------------------------------------===//

LogicalResult SoftmaxOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  int64_t rank = shapeOf(adaptor.getInput()).size();
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= rank)
    return emitOptionalError(loc, "softmax: axis ", axis,
                             " is out of range for a rank-", rank, " tensor");
  types.push_back(adaptor.getInput().getType());
  return success();
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *ctx,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  ValueRange inputs = adaptor.getInputs();
  if (inputs.empty())
    return emitOptionalError(loc, "concat: needs at least one input");
  SmallVector<int64_t> result(shapeOf(inputs[0]));
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= static_cast<int64_t>(result.size()))
    return emitOptionalError(loc, "concat: axis ", axis,
                             " is out of range for a rank-", result.size(),
                             " tensor");
  for (Value v : inputs.drop_front()) {
    ArrayRef<int64_t> s = shapeOf(v);
    bool compatible = s.size() == result.size();
    for (size_t i = 0; compatible && i < s.size(); ++i)
      compatible = static_cast<int64_t>(i) == axis || s[i] == result[i];
    if (!compatible)
      return emitOptionalError(loc, "concat: shapes ",
                               shapeStr(shapeOf(inputs[0])), " and ",
                               shapeStr(s), " differ outside axis ", axis);
    if (ShapedType::isDynamic(s[axis]) || ShapedType::isDynamic(result[axis]))
      result[axis] = kDyn;
    else
      result[axis] += s[axis];
  }
  types.push_back(f32Tensor(ctx, result));
  return success();
}

LogicalResult FlattenOp::inferReturnTypes(MLIRContext *ctx,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  ArrayRef<int64_t> in = shapeOf(adaptor.getInput());
  if (in.size() < 2)
    return emitOptionalError(loc, "flatten: input must be [N, ...], got ",
                             shapeStr(in));
  int64_t features = 1;
  for (int64_t d : in.drop_front()) {
    if (ShapedType::isDynamic(d))
      return emitOptionalError(loc, "flatten: only the batch dim may be "
                                    "symbolic, got ",
                               shapeStr(in));
    features *= d;
  }
  types.push_back(f32Tensor(ctx, {in[0], features}));
  return success();
}

//===----------------------------------------------------------------------===//
// Loss terms
//===----------------------------------------------------------------------===//

LogicalResult CrossEntropyOp::inferReturnTypes(MLIRContext *ctx,
                                               std::optional<Location> loc,
                                               Adaptor adaptor,
                                               SmallVectorImpl<Type> &types) {
  ArrayRef<int64_t> logits = shapeOf(adaptor.getLogits());
  ArrayRef<int64_t> label = shapeOf(adaptor.getLabel());
  if (logits.size() != 2)
    return emitOptionalError(loc, "cross_entropy: logits must be [N, C], got ",
                             shapeStr(logits));
  if (label.size() != 1 || label[0] != logits[0])
    return emitOptionalError(loc, "cross_entropy: label must be [N] with the "
                                  "logits' batch, got ",
                             shapeStr(label), " for logits ", shapeStr(logits));
  if (failed(checkReduction(loc, "cross_entropy", adaptor.getReduction())))
    return failure();
  types.push_back(f32Tensor(ctx, {}));
  return success();
}

template <typename Adaptor>
static LogicalResult inferPairLoss(MLIRContext *ctx, std::optional<Location> loc,
                                   StringRef op, Adaptor adaptor,
                                   SmallVectorImpl<Type> &types) {
  ArrayRef<int64_t> a = shapeOf(adaptor.getLhs()), b = shapeOf(adaptor.getRhs());
  if (a != b)
    return emitOptionalError(loc, op, ": shapes ", shapeStr(a), " and ",
                             shapeStr(b), " differ");
  if (failed(checkReduction(loc, op, adaptor.getReduction())))
    return failure();
  types.push_back(f32Tensor(ctx, {}));
  return success();
}

LogicalResult MseOp::inferReturnTypes(MLIRContext *ctx,
                                      std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &types) {
  return inferPairLoss(ctx, loc, "mse", adaptor, types);
}

LogicalResult L1Op::inferReturnTypes(MLIRContext *ctx,
                                     std::optional<Location> loc,
                                     Adaptor adaptor,
                                     SmallVectorImpl<Type> &types) {
  return inferPairLoss(ctx, loc, "l1", adaptor, types);
}

#define GET_OP_CLASSES
#include "net/IR/NetOps.cpp.inc"
