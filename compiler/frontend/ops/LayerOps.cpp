//===- LayerOps.cpp - conv, fc, batchnorm ---------------------------------------------===//
//
// Built-in ops with learned parameters, named as in a PyTorch state_dict.
//
//===----------------------------------------------------------------------===//
#include "frontend/OpEmitter.h"

#include "net/IR/NetOps.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

using namespace netc;
using namespace mlir;

namespace {
/// Flattens a nested list constant, recording its shape.
static bool flattenConst(const Val &v, std::vector<int64_t> &shape,
                         std::vector<float> &data, size_t depth) {
  if (v.kind == Val::Number) {
    if (depth != shape.size())
      return false;
    data.push_back(static_cast<float>(v.number));
    return true;
  }
  if (v.kind != Val::List || v.list.empty())
    return false;
  if (depth == shape.size())
    shape.push_back(v.list.size());
  else if (shape[depth] != (int64_t)v.list.size())
    return false;
  for (const Val &e : v.list)
    if (!flattenConst(e, shape, data, depth + 1))
      return false;
  return true;
}

Val genConv(OpEmitter &e, OpCall &c) {
  Bound &b = c.args;
  const Expr &call = c.call;
  const std::string &prefix = c.prefix;
  bool autoNamed = c.autoNamed;
  SMLoc at = call.loc;
  mlir::Value x = b.named["x"].first.tensor;
  auto xt = cast<RankedTensorType>(x.getType());
  if (!e.checkTensor(x, at, "conv", 3, 5))
    return Val::poison();
  size_t spatial = xt.getRank() - 2;
  std::optional<int64_t> out = e.getInt(b, "conv", "out", 0);
  std::optional<int64_t> groups = e.getInt(b, "conv", "groups", 1);
  auto kernel = e.getInts(b, "conv", "kernel", spatial, std::nullopt);
  auto stride = e.getInts(b, "conv", "stride", spatial, 1);
  auto dilation = e.getInts(b, "conv", "dilation", spatial, 1);
  std::optional<bool> bias = e.getBool(b, "conv", "bias", true);
  if (!out || !groups || !kernel || !stride || !dilation || !bias)
    return Val::poison();
  if (*out < 1) {
    e.src.error(b.named["out"].second) << "conv: out must be >= 1, got " << *out;
    return Val::poison();
  }
  for (int64_t k : *kernel)
    if (k < 1) {
      e.src.error(b.named["kernel"].second)
          << "conv: 'kernel' must be >= 1, got " << k;
      return Val::poison();
    }
  // pad: an int, a list, "same" or "valid".
  SmallVector<int64_t> pad(spatial, 0);
  if (auto it = b.named.find("pad"); it != b.named.end()) {
    const Val &v = it->second.first;
    if (v.kind == Val::String) {
      if (v.str == "same") {
        for (size_t i = 0; i < spatial; ++i) {
          if ((*kernel)[i] % 2 == 0) {
            e.src.error(it->second.second)
                << "pad=\"same\" needs an odd kernel, got " << (*kernel)[i];
            return Val::poison();
          }
          pad[i] = (*dilation)[i] * ((*kernel)[i] - 1) / 2;
        }
      } else if (v.str != "valid") {
        e.src.error(it->second.second)
            << "pad must be an int, a list, \"same\" or \"valid\", got \""
            << v.str << "\"";
        return Val::poison();
      }
    } else {
      auto p = e.getInts(b, "conv", "pad", spatial, 0);
      if (!p)
        return Val::poison();
      pad = *p;
    }
  }
  int64_t channels = xt.getDimSize(1);
  if (ShapedType::isDynamic(channels)) {
    e.src.error(at) << "conv needs a static channel dim, got " << typeStr(x);
    return Val::poison();
  }
  if (*groups < 1 || channels % *groups != 0) {
    e.src.error(b.named.count("groups") ? b.named["groups"].second : at)
        << "conv: groups=" << *groups << " does not divide the " << channels
        << " input channels of " << typeStr(x);
    return Val::poison();
  }
  SmallVector<int64_t> wshape = {*out, channels / *groups};
  wshape.append(*kernel);

  mlir::Value w;
  if (auto it = b.named.find("init"); it != b.named.end()) {
    std::vector<int64_t> shape;
    std::vector<float> data;
    if (!flattenConst(it->second.first, shape, data, 0)) {
      e.src.error(it->second.second)
          << "init= must be a nested list of numbers with a regular shape";
      return Val::poison();
    }
    // Leading 1-dims of the weight may be left out.
    while (shape.size() < wshape.size())
      shape.insert(shape.begin(), 1);
    if (llvm::ArrayRef<int64_t>(shape) != llvm::ArrayRef<int64_t>(wshape)) {
      e.src.error(it->second.second)
          << "init= has " << data.size() << " values in shape ["
          << llvm::join(llvm::map_range(shape, [](int64_t d) {
               return std::to_string(d);
             }), ", ")
          << "] but the weight is ["
          << llvm::join(llvm::map_range(wshape, [](int64_t d) {
               return std::to_string(d);
             }), ", ")
          << "]";
      return Val::poison();
    }
    w = e.param(prefix + ".weight", wshape, netc::ParamInit::Zeros, autoNamed,
              at, std::move(data), /*isFrozen=*/true);
  } else {
    w = e.param(prefix + ".weight", wshape, netc::ParamInit::HeNormal, autoNamed,
              at);
  }
  mlir::Value bv;
  if (*bias)
    bv = e.param(prefix + ".bias", {*out}, netc::ParamInit::Zeros, autoNamed, at);
  if (!w || (*bias && !bv))
    return Val::poison();
  return e.create<mlir::net::ConvOp>(at, x, w, bv, *stride, pad, *dilation, *groups);
}

Val genFc(OpEmitter &e, OpCall &c) {
  Bound &b = c.args;
  const Expr &call = c.call;
  const std::string &prefix = c.prefix;
  bool autoNamed = c.autoNamed;
  SMLoc at = call.loc;
  mlir::Value x = b.named["x"].first.tensor;
  if (!e.checkTensor(x, at, "fc", 2, 8))
    return Val::poison();
  std::optional<int64_t> out = e.getInt(b, "fc", "out", 0);
  std::optional<bool> bias = e.getBool(b, "fc", "bias", true);
  if (!out || !bias)
    return Val::poison();
  if (*out < 1) {
    e.src.error(b.named["out"].second) << "fc: out must be >= 1, got " << *out;
    return Val::poison();
  }
  int64_t features = 1;
  for (int64_t d : cast<RankedTensorType>(x.getType()).getShape().drop_front()) {
    if (ShapedType::isDynamic(d)) {
      e.src.error(at) << "fc: only the batch dim may be symbolic, got "
                    << typeStr(x);
      return Val::poison();
    }
    features *= d;
  }
  mlir::Value w = e.param(prefix + ".weight", {*out, features},
                        netc::ParamInit::HeNormal, autoNamed, at);
  mlir::Value bv;
  if (*bias)
    bv = e.param(prefix + ".bias", {*out}, netc::ParamInit::Zeros, autoNamed, at);
  if (!w || (*bias && !bv))
    return Val::poison();
  return e.create<mlir::net::FcOp>(at, x, w, bv);
}

Val genBatchNorm(OpEmitter &e, OpCall &c) {
  Bound &b = c.args;
  const Expr &call = c.call;
  const std::string &prefix = c.prefix;
  bool autoNamed = c.autoNamed;
  SMLoc at = call.loc;
  mlir::Value x = b.named["x"].first.tensor;
  if (!e.checkTensor(x, at, "batchnorm", 2, 5))
    return Val::poison();
  std::optional<double> eps = e.getFloat(b, "batchnorm", "eps", 1e-5);
  if (!eps)
    return Val::poison();
  int64_t channels = cast<RankedTensorType>(x.getType()).getDimSize(1);
  mlir::Value g = e.param(prefix + ".weight", {channels}, netc::ParamInit::Ones,
                        autoNamed, at);
  mlir::Value bb = e.param(prefix + ".bias", {channels}, netc::ParamInit::Zeros,
                         autoNamed, at);
  mlir::Value m = e.param(prefix + ".running_mean", {channels}, netc::ParamInit::Zeros,
                        autoNamed, at);
  mlir::Value v = e.param(prefix + ".running_var", {channels}, netc::ParamInit::Ones,
                        autoNamed, at);
  if (!g || !bb || !m || !v)
    return Val::poison();
  return e.create<mlir::net::BatchNormOp>(at, x, g, bb, m, v,
                                  e.builder.getF32FloatAttr(*eps));
}

} // namespace

void netc::registerLayerOps(OpTable &t) {
  t["conv"] = {{{"x", AK::Tensor, true},
                {"out", AK::Int, true},
                {"kernel", AK::Ints, true},
                {"stride", AK::Ints, false},
                {"pad", AK::Pad, false},
                {"dilation", AK::Ints, false},
                {"groups", AK::Int, false},
                {"bias", AK::Bool, false},
                {"init", AK::Const, false}},
               true,
               genConv};
  t["fc"] = {{{"x", AK::Tensor, true},
              {"out", AK::Int, true},
              {"bias", AK::Bool, false}},
             true,
             genFc};
  t["batchnorm"] = {{{"x", AK::Tensor, true}, {"eps", AK::Float, false}},
                    true,
                    genBatchNorm};
}
