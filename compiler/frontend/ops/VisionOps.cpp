//===- VisionOps.cpp - Built-in ops of the vision family ------------------===//
//
// gram, correlation and the loss terms bce, triplet, contrastive,
// content_cost, style_cost, epe (netlang.md sections 6 and 7). Operand
// types are checked here, at the argument; shapes by the dialect's type
// inference, at the call.
//
//===----------------------------------------------------------------------===//
#include "frontend/OpEmitter.h"

#include "net/IR/NetOps.h"

using namespace netc;
using namespace mlir;

namespace {

// What the rank checks below ask for.
constexpr const char *kAnyItems = "[N, ...]";
constexpr const char *kFeatureMap =
    "[N, C, spatial...] with 1 to 3 spatial dims";
constexpr const char *kImage = "[N, C, H, W]";

/// The f32 tensor argument `name` of rank in [minRank, maxRank] (the shape
/// `form`), or null after an error at the argument.
mlir::Value tensorArg(OpEmitter &e, OpCall &c, StringRef name, size_t minRank,
                      size_t maxRank, const char *form, StringRef what) {
  mlir::Value v = c.args.tensor(name);
  SMLoc at = c.args.where(name, c.at());
  auto type = cast<RankedTensorType>(v.getType());
  if (!type.getElementType().isF32()) {
    e.src.error(at) << c.op() << " needs an f32 tensor but its " << what
                    << " is " << typeStr(v);
    return {};
  }
  if (type.getRank() < (int64_t)minRank || type.getRank() > (int64_t)maxRank) {
    e.src.error(at) << c.op() << ": " << what << " must be " << form << ", got "
                    << typeStr(v);
    return {};
  }
  return v;
}

/// The `reduction` argument as an attribute, or null after an error.
StringAttr reductionArg(OpEmitter &e, OpCall &c) {
  std::optional<std::string> r = e.getStr(c.args, c.op(), "reduction", "mean");
  if (!r)
    return {};
  if (*r != "mean" && *r != "sum") {
    e.src.error(c.args.where("reduction", c.at()))
        << c.op() << ": reduction must be \"mean\" or \"sum\", got \"" << *r
        << "\"";
    return {};
  }
  return e.builder.getStringAttr(*r);
}

Val genGram(OpEmitter &e, OpCall &c) {
  mlir::Value x = tensorArg(e, c, "x", 3, 5, kFeatureMap, "input");
  if (!x)
    return Val::poison();
  return e.create<mlir::net::GramOp>(c.at(), x);
}

Val genCorrelation(OpEmitter &e, OpCall &c) {
  mlir::Value a = tensorArg(e, c, "a", 4, 4, kImage, "first input");
  mlir::Value b = tensorArg(e, c, "b", 4, 4, kImage, "second input");
  std::optional<int64_t> disp = e.getInt(c.args, c.op(), "max_disp", 4);
  std::optional<int64_t> stride = e.getInt(c.args, c.op(), "stride", 1);
  if (!a || !b || !disp || !stride)
    return Val::poison();
  if (*disp < 0) {
    e.src.error(c.args.where("max_disp", c.at()))
        << "correlation: max_disp must be >= 0, got " << *disp;
    return Val::poison();
  }
  if (*stride < 1) {
    e.src.error(c.args.where("stride", c.at()))
        << "correlation: stride must be >= 1, got " << *stride;
    return Val::poison();
  }
  // Then the displacements -d, -d+s, ..., d are symmetric about 0.
  if (*disp % *stride != 0) {
    e.src.error(c.args.where("stride", c.at()))
        << "correlation: max_disp " << *disp << " is not a multiple of stride "
        << *stride;
    return Val::poison();
  }
  return e.create<mlir::net::CorrelationOp>(c.at(), a, b, *disp, *stride);
}

/// bce, content_cost, style_cost, epe: two tensors of one shape.
template <typename OpTy>
Val genPairLoss(OpEmitter &e, OpCall &c, StringRef lhs, StringRef rhs,
                size_t minRank, size_t maxRank, const char *form) {
  mlir::Value a = tensorArg(e, c, lhs, minRank, maxRank, form, lhs);
  mlir::Value b = tensorArg(e, c, rhs, minRank, maxRank, form, rhs);
  StringAttr red = reductionArg(e, c);
  if (!a || !b || !red)
    return Val::poison();
  return e.create<OpTy>(c.at(), a, b, red);
}

Val genBce(OpEmitter &e, OpCall &c) {
  return genPairLoss<mlir::net::BceOp>(e, c, "logit", "target", 1, 8,
                                       kAnyItems);
}
Val genContentCost(OpEmitter &e, OpCall &c) {
  return genPairLoss<mlir::net::ContentCostOp>(e, c, "aC", "aG", 1, 8,
                                               kAnyItems);
}
Val genStyleCost(OpEmitter &e, OpCall &c) {
  return genPairLoss<mlir::net::StyleCostOp>(e, c, "aS", "aG", 3, 5,
                                             kFeatureMap);
}
Val genEpe(OpEmitter &e, OpCall &c) {
  return genPairLoss<mlir::net::EpeOp>(e, c, "flow", "gt", 4, 4,
                                       "[N, 2, H, W]");
}

Val genTriplet(OpEmitter &e, OpCall &c) {
  mlir::Value a = tensorArg(e, c, "a", 1, 8, kAnyItems, "anchor");
  mlir::Value p = tensorArg(e, c, "p", 1, 8, kAnyItems, "positive");
  mlir::Value n = tensorArg(e, c, "n", 1, 8, kAnyItems, "negative");
  std::optional<double> margin = e.getFloat(c.args, c.op(), "margin", 0.2);
  StringAttr red = reductionArg(e, c);
  if (!a || !p || !n || !margin || !red)
    return Val::poison();
  return e.create<mlir::net::TripletOp>(
      c.at(), a, p, n, e.builder.getF32FloatAttr(*margin), red);
}

Val genContrastive(OpEmitter &e, OpCall &c) {
  mlir::Value a = tensorArg(e, c, "a", 1, 8, kAnyItems, "first input");
  mlir::Value b = tensorArg(e, c, "b", 1, 8, kAnyItems, "second input");
  // `same` may be f32 or i32 (labels): its rank is checked with the shapes.
  mlir::Value same = c.args.tensor("same");
  std::optional<double> margin = e.getFloat(c.args, c.op(), "margin", 1.0);
  StringAttr red = reductionArg(e, c);
  if (!a || !b || !margin || !red)
    return Val::poison();
  return e.create<mlir::net::ContrastiveOp>(
      c.at(), a, b, same, e.builder.getF32FloatAttr(*margin), red);
}

} // namespace

void netc::registerVisionOps(OpTable &t) {
  t["gram"] = {{{"x", AK::Tensor, true}}, false, genGram};
  t["correlation"] = {{{"a", AK::Tensor, true},
                       {"b", AK::Tensor, true},
                       {"max_disp", AK::Int, false},
                       {"stride", AK::Int, false}},
                      false,
                      genCorrelation};
  t["bce"] = {{{"logit", AK::Tensor, true},
               {"target", AK::Tensor, true},
               {"reduction", AK::Str, false}},
              false,
              genBce};
  t["triplet"] = {{{"a", AK::Tensor, true},
                   {"p", AK::Tensor, true},
                   {"n", AK::Tensor, true},
                   {"margin", AK::Float, false},
                   {"reduction", AK::Str, false}},
                  false,
                  genTriplet};
  t["contrastive"] = {{{"a", AK::Tensor, true},
                       {"b", AK::Tensor, true},
                       {"same", AK::Tensor, true},
                       {"margin", AK::Float, false},
                       {"reduction", AK::Str, false}},
                      false,
                      genContrastive};
  t["content_cost"] = {{{"aC", AK::Tensor, true},
                        {"aG", AK::Tensor, true},
                        {"reduction", AK::Str, false}},
                       false,
                       genContentCost};
  t["style_cost"] = {{{"aS", AK::Tensor, true},
                      {"aG", AK::Tensor, true},
                      {"reduction", AK::Str, false}},
                     false,
                     genStyleCost};
  t["epe"] = {{{"flow", AK::Tensor, true},
               {"gt", AK::Tensor, true},
               {"reduction", AK::Str, false}},
              false,
              genEpe};
}
