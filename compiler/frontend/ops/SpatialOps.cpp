//===- SpatialOps.cpp - Built-in ops of the spatial family ----------------===//
//
// dwconv, deconv, minpool, global_avgpool/global_maxpool, lrn, residual and
// upsample. deconv, lrn and upsample are ops of their own; the others are
// composed here of core ops:
//   dwconv          -> net.conv with groups = C, out = C * multiplier
//   minpool         -> -maxpool(-x) (net.affine, net.maxpool, net.affine)
//   global_*pool    -> avgpool/maxpool whose kernel is the spatial dims
//   residual        -> net.add, after a 1x1 net.conv (+ net.batchnorm)
//                      downsample when the shapes differ
// Their arguments are checked here so that errors name the op written.
//
//===----------------------------------------------------------------------===//
#include "frontend/OpEmitter.h"

#include "net/IR/NetOps.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

using namespace netc;
using namespace mlir;

namespace {

using Ints = SmallVector<int64_t>;

int64_t spatialDims(mlir::Value x) {
  return cast<RankedTensorType>(x.getType()).getRank() - 2;
}

/// Every entry of the list argument `name` must be >= `min`.
bool checkMin(OpEmitter &e, OpCall &c, StringRef name, ArrayRef<int64_t> v,
              int64_t min) {
  for (int64_t x : v)
    if (x < min) {
      e.src.error(c.args.where(name, c.at()))
          << c.op() << ": '" << name << "' must be >= " << min << ", got "
          << x;
      return false;
    }
  return true;
}

/// The channel dim of `x`, which must be static.
std::optional<int64_t> staticChannels(OpEmitter &e, OpCall &c,
                                      mlir::Value x) {
  int64_t ch = cast<RankedTensorType>(x.getType()).getDimSize(1);
  if (ShapedType::isDynamic(ch)) {
    e.src.error(c.at()) << c.op() << " needs a static channel dim, got "
                        << typeStr(x);
    return std::nullopt;
  }
  return ch;
}

/// Output sizes of a sliding window over the spatial dims of `x` (the
/// language's formula; `ceil` rounds up as PyTorch's pooling does), or an
/// error naming the dim when one is below 1.
std::optional<Ints> windowSizes(OpEmitter &e, OpCall &c, mlir::Value x,
                                ArrayRef<int64_t> k, ArrayRef<int64_t> s,
                                ArrayRef<int64_t> p, ArrayRef<int64_t> d,
                                bool ceil) {
  ArrayRef<int64_t> shape = cast<RankedTensorType>(x.getType()).getShape();
  Ints out;
  for (size_t i = 0; i < k.size(); ++i) {
    int64_t n = shape[2 + i];
    if (ShapedType::isDynamic(n)) {
      out.push_back(n);
      continue;
    }
    int64_t span = n + 2 * p[i] - d[i] * (k[i] - 1) - 1;
    if (span < 0) {
      e.src.error(c.at()) << c.op() << ": spatial dim " << i << " of size "
                          << n << " with kernel " << k[i] << ", dilation "
                          << d[i] << " and pad " << p[i]
                          << " gives an output size below 1";
      return std::nullopt;
    }
    int64_t o = (ceil ? (span + s[i] - 1) / s[i] : span / s[i]) + 1;
    if (ceil && (o - 1) * s[i] >= n + p[i])
      --o;
    out.push_back(o);
  }
  return out;
}

/// pad: an int, a list, "same" or "valid" (as conv takes it).
std::optional<Ints> getPad(OpEmitter &e, OpCall &c, size_t spatial,
                           ArrayRef<int64_t> kernel,
                           ArrayRef<int64_t> dilation) {
  Bound &b = c.args;
  auto it = b.named.find("pad");
  if (it == b.named.end())
    return Ints(spatial, 0);
  const Val &v = it->second.first;
  if (v.kind != Val::String) {
    auto p = e.getInts(b, c.op(), "pad", spatial, 0);
    if (!p || !checkMin(e, c, "pad", *p, 0))
      return std::nullopt;
    return p;
  }
  Ints pad(spatial, 0);
  if (v.str == "same") {
    for (size_t i = 0; i < spatial; ++i) {
      if (kernel[i] % 2 == 0) {
        e.src.error(it->second.second)
            << c.op() << ": pad=\"same\" needs an odd kernel, got "
            << kernel[i];
        return std::nullopt;
      }
      pad[i] = dilation[i] * (kernel[i] - 1) / 2;
    }
  } else if (v.str != "valid") {
    e.src.error(it->second.second)
        << c.op()
        << ": pad must be an int, a list, \"same\" or \"valid\", got \""
        << v.str << "\"";
    return std::nullopt;
  }
  return pad;
}

//===----------------------------------------------------------------------===//
// dwconv: nn.Conv{1,2,3}d(C, C * multiplier, groups=C)
//===----------------------------------------------------------------------===//

Val genDwconv(OpEmitter &e, OpCall &c) {
  Bound &b = c.args;
  mlir::Value x = b.tensor("x");
  if (!e.checkTensor(x, c.at(), "dwconv", 3, 5))
    return Val::poison();
  size_t spatial = spatialDims(x);
  auto kernel = e.getInts(b, "dwconv", "kernel", spatial, std::nullopt);
  auto stride = e.getInts(b, "dwconv", "stride", spatial, 1);
  auto dilation = e.getInts(b, "dwconv", "dilation", spatial, 1);
  std::optional<int64_t> mult = e.getInt(b, "dwconv", "multiplier", 1);
  std::optional<bool> bias = e.getBool(b, "dwconv", "bias", true);
  if (!kernel || !stride || !dilation || !mult || !bias ||
      !checkMin(e, c, "kernel", *kernel, 1) ||
      !checkMin(e, c, "stride", *stride, 1) ||
      !checkMin(e, c, "dilation", *dilation, 1) ||
      !checkMin(e, c, "multiplier", {*mult}, 1))
    return Val::poison();
  auto pad = getPad(e, c, spatial, *kernel, *dilation);
  std::optional<int64_t> ch = staticChannels(e, c, x);
  if (!pad || !ch ||
      !windowSizes(e, c, x, *kernel, *stride, *pad, *dilation, false))
    return Val::poison();
  int64_t out = *ch * *mult;
  Ints wshape = {out, 1};
  wshape.append(*kernel);
  mlir::Value w = e.param(c.prefix + ".weight", wshape, ParamInit::HeNormal,
                          c.autoNamed, c.at());
  mlir::Value bv;
  if (*bias)
    bv = e.param(c.prefix + ".bias", {out}, ParamInit::Zeros, c.autoNamed,
                 c.at());
  if (!w || (*bias && !bv))
    return Val::poison();
  return e.create<net::ConvOp>(c.at(), x, w, bv, *stride, *pad, *dilation,
                               *ch);
}

//===----------------------------------------------------------------------===//
// deconv: nn.ConvTranspose{1,2,3}d
//===----------------------------------------------------------------------===//

Val genDeconv(OpEmitter &e, OpCall &c) {
  Bound &b = c.args;
  mlir::Value x = b.tensor("x");
  if (!e.checkTensor(x, c.at(), "deconv", 3, 5))
    return Val::poison();
  size_t spatial = spatialDims(x);
  std::optional<int64_t> out = e.getInt(b, "deconv", "out", 0);
  auto kernel = e.getInts(b, "deconv", "kernel", spatial, std::nullopt);
  auto stride = e.getInts(b, "deconv", "stride", spatial, 1);
  auto pad = e.getInts(b, "deconv", "pad", spatial, 0);
  auto outPad = e.getInts(b, "deconv", "output_pad", spatial, 0);
  auto dilation = e.getInts(b, "deconv", "dilation", spatial, 1);
  std::optional<bool> bias = e.getBool(b, "deconv", "bias", true);
  if (!out || !kernel || !stride || !pad || !outPad || !dilation || !bias ||
      !checkMin(e, c, "out", {*out}, 1) ||
      !checkMin(e, c, "kernel", *kernel, 1) ||
      !checkMin(e, c, "stride", *stride, 1) ||
      !checkMin(e, c, "pad", *pad, 0) ||
      !checkMin(e, c, "output_pad", *outPad, 0) ||
      !checkMin(e, c, "dilation", *dilation, 1))
    return Val::poison();
  for (size_t i = 0; i < spatial; ++i)
    if ((*outPad)[i] >= (*stride)[i] && (*outPad)[i] >= (*dilation)[i]) {
      e.src.error(b.where("output_pad", c.at()))
          << "deconv: output_pad " << (*outPad)[i] << " of spatial dim " << i
          << " must be smaller than its stride " << (*stride)[i]
          << " or its dilation " << (*dilation)[i];
      return Val::poison();
    }
  std::optional<int64_t> ch = staticChannels(e, c, x);
  if (!ch)
    return Val::poison();
  // Weight [C, out, k...]: checked by the op's shape inference (sizes
  // below 1 included), whose errors land at the call.
  Ints wshape = {*ch, *out};
  wshape.append(*kernel);
  mlir::Value w = e.param(c.prefix + ".weight", wshape, ParamInit::HeNormal,
                          c.autoNamed, c.at());
  mlir::Value bv;
  if (*bias)
    bv = e.param(c.prefix + ".bias", {*out}, ParamInit::Zeros, c.autoNamed,
                 c.at());
  if (!w || (*bias && !bv))
    return Val::poison();
  return e.create<net::DeconvOp>(c.at(), x, w, bv, *stride, *pad, *outPad,
                                 *dilation);
}

//===----------------------------------------------------------------------===//
// minpool = -maxpool(-x), global pools
//===----------------------------------------------------------------------===//

Val genMinpool(OpEmitter &e, OpCall &c) {
  Bound &b = c.args;
  mlir::Value x = b.tensor("x");
  if (!e.checkTensor(x, c.at(), "minpool", 3, 5))
    return Val::poison();
  size_t spatial = spatialDims(x);
  auto kernel = e.getInts(b, "minpool", "kernel", spatial, std::nullopt);
  if (!kernel)
    return Val::poison();
  auto stride = e.getInts(b, "minpool", "stride", spatial, std::nullopt);
  if (!b.named.count("stride"))
    stride = *kernel;
  auto pad = e.getInts(b, "minpool", "pad", spatial, 0);
  std::optional<bool> ceil = e.getBool(b, "minpool", "ceil", false);
  if (!stride || !pad || !ceil || !checkMin(e, c, "kernel", *kernel, 1) ||
      !checkMin(e, c, "stride", *stride, 1) || !checkMin(e, c, "pad", *pad, 0))
    return Val::poison();
  for (size_t i = 0; i < spatial; ++i)
    if ((*pad)[i] * 2 > (*kernel)[i]) {
      e.src.error(b.where("pad", c.at()))
          << "minpool: pad " << (*pad)[i] << " is more than half the kernel "
          << (*kernel)[i];
      return Val::poison();
    }
  if (!windowSizes(e, c, x, *kernel, *stride, *pad, Ints(spatial, 1), *ceil))
    return Val::poison();
  auto negate = [&](mlir::Value v) {
    return e.builder
        .create<net::AffineOp>(e.loc(c.at()), v.getType(), v,
                               e.builder.getF32FloatAttr(-1.0f),
                               e.builder.getF32FloatAttr(0.0f))
        .getResult();
  };
  Val m = e.create<net::MaxPoolOp>(c.at(), negate(x), *kernel, *stride, *pad,
                                   *ceil);
  if (!m.ok())
    return m;
  return Val::ofTensor(negate(m.tensor));
}

Val genGlobalPool(OpEmitter &e, OpCall &c) {
  mlir::Value x = c.args.tensor("x");
  if (!e.checkTensor(x, c.at(), c.op(), 3, 5))
    return Val::poison();
  Ints kernel(
      cast<RankedTensorType>(x.getType()).getShape().drop_front(2));
  for (int64_t k : kernel)
    if (ShapedType::isDynamic(k)) {
      e.src.error(c.at()) << c.op() << " needs static spatial dims, got "
                          << typeStr(x);
      return Val::poison();
    }
  Ints pad(kernel.size(), 0);
  if (c.op() == "global_maxpool")
    return e.create<net::MaxPoolOp>(c.at(), x, kernel, kernel, pad, false);
  return e.create<net::AvgPoolOp>(c.at(), x, kernel, kernel, pad, false);
}

//===----------------------------------------------------------------------===//
// lrn, upsample
//===----------------------------------------------------------------------===//

Val genLrn(OpEmitter &e, OpCall &c) {
  Bound &b = c.args;
  mlir::Value x = b.tensor("x");
  if (!e.checkTensor(x, c.at(), "lrn", 3, 5))
    return Val::poison();
  std::optional<int64_t> size = e.getInt(b, "lrn", "size", 5);
  std::optional<double> alpha = e.getFloat(b, "lrn", "alpha", 1e-4);
  std::optional<double> beta = e.getFloat(b, "lrn", "beta", 0.75);
  std::optional<double> k = e.getFloat(b, "lrn", "k", 2.0);
  if (!size || !alpha || !beta || !k || !checkMin(e, c, "size", {*size}, 1))
    return Val::poison();
  OpBuilder &bl = e.builder;
  return e.create<net::LrnOp>(c.at(), x, bl.getI64IntegerAttr(*size),
                              bl.getF32FloatAttr(*alpha),
                              bl.getF32FloatAttr(*beta),
                              bl.getF32FloatAttr(*k));
}

Val genUpsample(OpEmitter &e, OpCall &c) {
  Bound &b = c.args;
  mlir::Value x = b.tensor("x");
  if (!e.checkTensor(x, c.at(), "upsample", 3, 5))
    return Val::poison();
  size_t spatial = spatialDims(x);
  auto scale = e.getInts(b, "upsample", "scale", spatial, 2);
  std::optional<std::string> mode = e.getStr(b, "upsample", "mode", "nearest");
  if (!scale || !mode || !checkMin(e, c, "scale", *scale, 1))
    return Val::poison();
  static const char *linear[] = {"linear", "bilinear", "trilinear"};
  if (*mode != "nearest" && *mode != linear[spatial - 1]) {
    auto d = e.src.error(b.where("mode", c.at()));
    if (llvm::is_contained(linear, *mode))
      d << "upsample: mode \"" << *mode << "\" does not fit the "
        << spatial << " spatial dims of " << typeStr(x)
        << "; use \"nearest\" or \"" << linear[spatial - 1] << "\"";
    else
      d << "upsample: mode must be \"nearest\" or \"" << linear[spatial - 1]
        << "\", got \"" << *mode << "\"";
    return Val::poison();
  }
  return e.create<net::UpsampleOp>(c.at(), x, *scale, *mode);
}

//===----------------------------------------------------------------------===//
// residual(y, x, bn): y + x, or y + downsample(x)
//===----------------------------------------------------------------------===//

Val genResidual(OpEmitter &e, OpCall &c) {
  Bound &b = c.args;
  mlir::Value y = b.tensor("y"), x = b.tensor("x");
  if (!e.checkTensor(y, c.at(), "residual", 2, 8, "first input (y)") ||
      !e.checkTensor(x, c.at(), "residual", 2, 8, "second input (x)"))
    return Val::poison();
  std::optional<bool> bn = e.getBool(b, "residual", "bn", true);
  if (!bn)
    return Val::poison();
  auto yt = cast<RankedTensorType>(y.getType());
  auto xt = cast<RankedTensorType>(x.getType());
  if (yt.getShape() == xt.getShape())
    return e.create<net::AddOp>(c.at(), y, x);

  // Shapes differ: x is brought to y's shape by a 1x1 conv whose stride is
  // the spatial ratio (torchvision's BasicBlock / Bottleneck downsample).
  auto mismatch = [&](const std::string &why) {
    e.src.error(c.at()) << "residual: cannot add " << typeStr(x) << " to "
                        << typeStr(y) << ": " << why;
    return Val::poison();
  };
  if (yt.getRank() != xt.getRank() || yt.getRank() < 3 || yt.getRank() > 5)
    return mismatch("a downsample needs two tensors [N, C, spatial...] of "
                    "the same rank with 1 to 3 spatial dims");
  if (yt.getDimSize(0) != xt.getDimSize(0))
    return mismatch("the batch dims differ");
  int64_t cy = yt.getDimSize(1), cx = xt.getDimSize(1);
  if (ShapedType::isDynamic(cy) || ShapedType::isDynamic(cx))
    return mismatch("a downsample needs static channel dims");
  size_t spatial = yt.getRank() - 2;
  Ints stride;
  for (size_t i = 0; i < spatial; ++i) {
    int64_t ny = yt.getDimSize(2 + i), nx = xt.getDimSize(2 + i);
    if (ShapedType::isDynamic(ny) || ShapedType::isDynamic(nx))
      return mismatch("a downsample needs static spatial dims");
    // The stride s with floor((nx - 1) / s) + 1 == ny, if any.
    int64_t s = (nx + ny - 1) / ny;
    if (ny > nx || (nx - 1) / s + 1 != ny)
      return mismatch(("no 1x1 conv stride takes spatial dim " +
                       std::to_string(i) + " from " + std::to_string(nx) +
                       " to " + std::to_string(ny)));
    stride.push_back(s);
  }
  // torchvision names, relative to the enclosing block instance:
  // PREFIX.downsample.0.weight, PREFIX.downsample.1.{weight,bias,...}.
  std::string base = c.call.asName ? *c.call.asName : "downsample";
  if (!c.scopePrefix.empty())
    base = c.scopePrefix + "." + base;
  Ints wshape = {cy, cx};
  wshape.append(spatial, 1);
  mlir::Value w = e.param(base + ".0.weight", wshape, ParamInit::HeNormal,
                          false, c.at());
  if (!w)
    return Val::poison();
  Val ds = e.create<net::ConvOp>(c.at(), x, w, mlir::Value(), stride,
                                 Ints(spatial, 0), Ints(spatial, 1), 1);
  if (!ds.ok())
    return ds;
  if (*bn) {
    mlir::Value g = e.param(base + ".1.weight", {cy}, ParamInit::Ones, false,
                            c.at());
    mlir::Value bb = e.param(base + ".1.bias", {cy}, ParamInit::Zeros, false,
                             c.at());
    mlir::Value m = e.param(base + ".1.running_mean", {cy}, ParamInit::Zeros,
                            false, c.at());
    mlir::Value v = e.param(base + ".1.running_var", {cy}, ParamInit::Ones,
                            false, c.at());
    if (!g || !bb || !m || !v)
      return Val::poison();
    ds = e.create<net::BatchNormOp>(c.at(), ds.tensor, g, bb, m, v,
                                    e.builder.getF32FloatAttr(1e-5f));
    if (!ds.ok())
      return ds;
  }
  return e.create<net::AddOp>(c.at(), y, ds.tensor);
}

} // namespace

void netc::registerSpatialOps(OpTable &t) {
  t["dwconv"] = {{{"x", AK::Tensor, true},
                  {"kernel", AK::Ints, true},
                  {"stride", AK::Ints, false},
                  {"pad", AK::Pad, false},
                  {"multiplier", AK::Int, false},
                  {"bias", AK::Bool, false},
                  {"dilation", AK::Ints, false}},
                 true,
                 genDwconv};
  t["deconv"] = {{{"x", AK::Tensor, true},
                  {"out", AK::Int, true},
                  {"kernel", AK::Ints, true},
                  {"stride", AK::Ints, false},
                  {"pad", AK::Ints, false},
                  {"output_pad", AK::Ints, false},
                  {"bias", AK::Bool, false},
                  {"dilation", AK::Ints, false}},
                 true,
                 genDeconv};
  t["minpool"] = {{{"x", AK::Tensor, true},
                   {"kernel", AK::Ints, true},
                   {"stride", AK::Ints, false},
                   {"pad", AK::Ints, false},
                   {"ceil", AK::Bool, false}},
                  false,
                  genMinpool};
  OpSig global{{{"x", AK::Tensor, true}}, false, genGlobalPool};
  t["global_avgpool"] = global;
  t["global_maxpool"] = global;
  t["lrn"] = {{{"x", AK::Tensor, true},
               {"size", AK::Int, false},
               {"alpha", AK::Float, false},
               {"beta", AK::Float, false},
               {"k", AK::Float, false}},
              false,
              genLrn};
  // The downsample's parameters are named from the enclosing instance (and
  // `as`), not by the statement rule: no prefix is asked for.
  t["residual"] = {{{"y", AK::Tensor, true},
                    {"x", AK::Tensor, true},
                    {"bn", AK::Bool, false}},
                   false,
                   genResidual};
  t["upsample"] = {{{"x", AK::Tensor, true},
                    {"scale", AK::Ints, false},
                    {"mode", AK::Str, false}},
                   false,
                   genUpsample};
}
