//===- ConvLowering.cpp - net.conv and net.fused_conv ---------------------===//
//
// One lowering for both ops: a reduction Func `acc` (bias, then the taps
// and the group's input channels) and, when there is an epilogue
// (residual, activation), an elementwise Func after it. A folded batchnorm
// and the register-tile weight layout are weight preparations (WeightPrep.h)
// the executor applies when the library is opened:
//   w'[o] = w[o] * s[o], b'[o] = (b[o] - mean[o]) * s[o] + beta[o],
//   s[o] = gamma[o] / sqrt(var[o] + eps).
// A convolution with a `net.tile` attribute becomes one stage whose
// schedule (schedule/ConvSchedule.cpp) computes `acc` per register tile.
//
//===----------------------------------------------------------------------===//
#include "codegen/lower/ConvSpec.h"

#include "net/IR/NetOps.h"

#include "mlir/IR/BuiltinAttributes.h"

#include <cmath>

using namespace netc;
using namespace Halide;
using mlir::cast;
using mlir::dyn_cast;

bool netc::paramsAreWeights(const ConvSpec &c, std::string &error) {
  bool bnOk = !c.bn[0] || llvm::all_of(c.bn, [](mlir::Value v) {
    return !paramName(v).empty();
  });
  if (!paramName(c.weight).empty() && (!c.bias || !paramName(c.bias).empty()) &&
      bnOk)
    return true;
  error = c.op->getName().getStringRef().str() +
          ": the weights, bias and batchnorm parameters must be net.weight "
          "values";
  return false;
}

Func netc::foldedBias(LowerContext &cx, const ConvSpec &c, int64_t outCh) {
  PrepSpec bias;
  bias.kind = PrepKind::ConvBias;
  bias.sources = {paramName(c.bias), paramName(c.bn[0]), paramName(c.bn[1]),
                  paramName(c.bn[2]), paramName(c.bn[3])};
  bias.eps = c.eps;
  bias.extents = {outCh};
  bias.strides = {1};
  return cx.prepared(bias, "bias_folded");
}

namespace {

/// The folded weights as a weight argument over Halide's reversed dims;
/// with `block` 1 the buffer stores output channels fastest, then input
/// channels, then the taps (what the tiled kernel loads as vectors); with
/// `block` B > 1 (a multiple of the vector, dividing the output channels)
/// the same per block of B output channels, blocks outermost. The plain
/// layout puts one input channel's weights of a register tile O floats
/// after the previous one's: with O a power of two (256 to 2048 in ResNet),
/// those loads all fall in the same L1 sets and thrash it; blocked, each
/// vector of the tile streams contiguously.
Func foldedWeights(LowerContext &cx, const ConvSpec &c,
                   const std::vector<std::string> &sources, int block) {
  std::vector<int64_t> shape = shapeOf(c.weight); // [O, cg, k...]
  int rank = (int)shape.size();
  PrepSpec spec;
  spec.kind = PrepKind::Conv;
  spec.sources = sources;
  spec.eps = c.eps;
  spec.param = block;
  spec.extents.assign(shape.rbegin(), shape.rend());
  std::vector<int> order;
  if (block > 1) {
    // Dims: channel in block, taps..., input channel, block.
    int64_t O = shape[0];
    spec.extents.back() = O / block;
    spec.extents.insert(spec.extents.begin(), block);
    order = {0, rank - 1};
    for (int d = 1; d < rank - 1; ++d)
      order.push_back(d);
    order.push_back(rank);
    spec.strides = stridesFor(spec.extents, order);
    Func buf = cx.prepared(spec, "param_" + sources[0]);
    std::vector<Var> v = cx.makeVars(rank); // taps..., input channel, o
    std::vector<Expr> at = {v[rank - 1] % block};
    for (int d = 0; d < rank - 1; ++d)
      at.push_back(v[d]);
    at.push_back(v[rank - 1] / block);
    Func f(cx.fresh("weights_" + sources[0]));
    f(v) = buf(at);
    return f;
  }
  if (block == 1) {
    order = {rank - 1, rank - 2};
    for (int d = 0; d < rank - 2; ++d)
      order.push_back(d);
  } else {
    for (int d = 0; d < rank; ++d)
      order.push_back(d);
  }
  spec.strides = stridesFor(spec.extents, order);
  return cx.prepared(spec, "param_" + sources[0]);
}

mlir::LogicalResult lowerConvSpec(LowerContext &cx, const ConvSpec &c,
                                  std::string &error) {
  if (auto kernel =
          c.op->getAttrOfType<mlir::net::KernelAttr>(mlir::net::kKernelAttr))
    if (kernel.isSparse())
      return lowerSparseConv(cx, c, kernel, error);
  const HTensor &x = cx.get(c.input);
  std::vector<int64_t> ws = shapeOf(c.weight);
  size_t spatial = x.rank() - 2;
  int64_t outCh = ws[0];
  int cg = (int)ws[1];
  int og = (int)(outCh / c.groups);
  auto tileAttr = c.op->getAttrOfType<mlir::net::TileAttr>(mlir::net::kTileAttr);
  // Fewer output channels than a vector: the plain schedule does better.
  bool tiled = tileAttr && spatial == 2 && outCh >= tileAttr.getVec();
  // Winograd F(m x m, 3 x 3) where net-tile chose it.
  int wino = tiled ? tileAttr.winogradM() : 0;
  auto ones = [](llvm::ArrayRef<int64_t> a) {
    return llvm::all_of(a, [](int64_t v) { return v == 1; });
  };
  if (tiled && tileAttr.int8Dot() && x.hasCodes() && c.groups == 1 &&
      !c.bn[0] && ws.size() == 4)
    return lowerInt8Conv(cx, c, tileAttr, error);
  // A 1x1 GEMM (net-tile-gemm) on the map lowerGroup flattened to one row
  // of H*W pixels (flatGroup); elsewhere its tile is a row tile.
  bool gemm = tiled && !wino && x.shape[2] == 1 && flatGemmConv(c.op);
  // Only what net-tile would choose it for: a dense stride-1 3x3 kernel.
  if (wino && !(ws.size() == 4 && ws[2] == 3 && ws[3] == 3 && c.groups == 1 &&
                ones(c.stride) && ones(c.dil)))
    wino = 0;

  // Weight arguments: prepared (folded, re-laid out) when there is a
  // batchnorm or a tile layout to apply.
  Func w;
  PrepSpec filter; // Winograd: the transformed filter
  Expr init = 0.0f;
  if (c.bn[0] || tiled) {
    if (!paramsAreWeights(c, error))
      return mlir::failure();
    std::string g = paramName(c.bn[0]), var = paramName(c.bn[3]);
    std::vector<std::string> sources = {paramName(c.weight), g, var};
    if (wino) {
      filter.kind = PrepKind::Winograd;
      filter.sources = sources;
      filter.eps = c.eps;
      filter.param = wino;
    } else {
      // Blocks of one vector of output channels; a GEMM's of its whole
      // register block, so one input channel's weights are one stream.
      int vec = tiled ? (int)tileAttr.getVec() : 0;
      int block = gemm && outCh % tileAttr.getOc() == 0 ? (int)tileAttr.getOc()
                  : tiled && outCh % vec == 0            ? vec
                  : tiled                                ? 1
                                                         : 0;
      w = foldedWeights(cx, c, sources, block);
    }
    if (c.bias || c.bn[0])
      init = foldedBias(cx, c, outCh)(cx.makeVars(x.rank())[spatial]);
  } else {
    w = cx.get(c.weight).f;
    if (c.bias)
      init = cx.get(c.bias).f(cx.makeVars(x.rank())[spatial]);
  }

  // Stages are named after the layer ("layer1.0.conv1.weight" ->
  // layer1_0_conv1_N), which is what --profile and --emit=halide show.
  std::string layer = layerName(c);
  mlir::Value result = c.op->getResult(0);
  if (wino) {
    std::vector<Var> v = cx.makeVars(4); // x, y, k, n
    OpStage::Winograd parts;
    Expr value = init + lowerWinograd(cx, x, filter, (int)outCh, c.pad, wino,
                                      v, layer, parts);
    if (c.residual)
      value = value + cx.get(c.residual).f(cx.asExprs(v));
    Func out(cx.fresh(layer));
    out(cx.asExprs(v)) = activation(c, value);
    cx.define(result, out, v, OpStage::Conv, false);
    OpStage &s = cx.model.stages.back();
    parts.perImage = tileAttr.getOrder() == mlir::net::TileOrder::per_image;
    s.wino = parts;
    s.tile = {(int)tileAttr.getVec(), (int)tileAttr.getOc(),
              (int)tileAttr.getOw(), false};
    return mlir::success();
  }

  // Reduction over kernel taps (innermost first) and the group's channels.
  Region dom;
  for (size_t i = 0; i < spatial; ++i)
    dom.push_back(Range(0, (int)ws[ws.size() - 1 - i]));
  dom.push_back(Range(0, cg));
  RDom r(dom, cx.fresh("r_conv"));

  std::vector<Var> v = cx.makeVars(x.rank()); // v[spatial] = o, v[spatial+1] = n
  Var o = v[spatial], n = v[spatial + 1];
  std::vector<Expr> inAt, wAt;
  for (size_t i = 0; i < spatial; ++i) {
    size_t d = spatial - 1 - i; // NCHW spatial index of Halide dim i
    inAt.push_back(v[i] * (int)c.stride[d] + r[i] * (int)c.dil[d] -
                   (int)c.pad[d]);
    wAt.push_back(r[i]);
  }
  Expr channel = c.groups == 1 ? Expr(r[spatial]) : (o / og) * cg + r[spatial];
  inAt.push_back(channel);
  inAt.push_back(n);
  wAt.push_back(r[spatial]);
  wAt.push_back(o);

  bool epilogue =
      c.residual || c.act != mlir::net::Activation::none || cx.sumsApart;
  std::vector<int64_t> pad(c.pad.begin(), c.pad.end());
  bool hasPad = llvm::any_of(pad, [](int64_t p) { return p != 0; });
  Func padded;
  Expr tap;
  // x86's untiled kernels (channels fewer than a vector: LeNet's first
  // layers) vectorize along the rows: a guard per tap made each load a
  // gather (the Fashion-MNIST LeNet-5's first conv 2.7 -> ms).
  bool paddedCopy = tiled ? hasPad : cx.sumsApart || hasPad;
  if (paddedCopy) {
    // A zero-padded copy of the input: the kernel's loads need no guard.
    // A GPU template stages windows of it in shared memory: defined
    // everywhere (zero outside the map, whatever the conv's padding), a
    // block's window has a constant size.
    padded = Func(cx.fresh(layer + "_pad"));
    std::vector<Var> pv = cx.makeVars(x.rank());
    std::vector<int64_t> all(spatial, 1);
    padded(pv) = LowerContext::padded(x, cx.asExprs(pv), all);
    tap = padded(inAt);
  } else {
    tap = LowerContext::padded(x, inAt, pad);
  }

  Func acc(cx.fresh(layer + (tiled || epilogue ? "_sum" : "")));
  acc(cx.asExprs(v)) = init;
  acc(cx.asExprs(v)) += w(wAt) * tap;

  if (!tiled) {
    // On x86 the padded copy is a stage of its own (computed once per
    // call); GPU templates stage windows of it themselves (sumsInput).
    std::vector<Func> helpers;
    if (padded.defined() && !cx.sumsApart)
      helpers.push_back(padded);
    if (!epilogue && cx.sumsApart) {
      cx.define(result, acc, v, OpStage::Conv, true, helpers, r);
      return mlir::success();
    }
    std::vector<int64_t> shape = shapeOf(result);
    cx.model.stages.push_back(
        {OpStage::Conv, acc, v, shape, true, helpers, r});
  }
  Func out(cx.fresh(layer));
  Expr value = acc(cx.asExprs(v));
  if (c.residual)
    value = value + cx.get(c.residual).f(cx.asExprs(v));
  out(cx.asExprs(v)) = activation(c, value);
  int producer = cx.stageOf(x.f); // before define: `x` may move
  Func input = x.f;
  cx.define(result, out, v, tiled ? OpStage::Conv : OpStage::Elementwise,
            false, {}, tiled ? r : RDom());
  if (!tiled) {
    cx.model.stages.back().sums = acc;
    cx.model.stages.back().sumsInput = padded.defined() ? padded : input;
  }
  if (!tiled && !cx.sumsApart) {
    // x86: the sums per register tile of the epilogue (a vector of
    // columns times up to 4 output channels), not a stage of their own.
    OpStage &s = cx.model.stages.back();
    s.acc = acc;
    s.rdom = r;
    s.regTileVar = (int)spatial;
    s.regTile = (int)std::min<int64_t>(4, shapeOf(result)[1]);
    s.helpers = cx.model.stages[cx.model.stages.size() - 2].helpers;
    cx.model.stages[cx.model.stages.size() - 2].inlined = true;
  }
  if (tiled) {
    OpStage &s = cx.model.stages.back();
    s.acc = acc;
    s.paddedInput = padded;
    s.tile = {(int)tileAttr.getVec(), (int)tileAttr.getOc(),
              (int)tileAttr.getOw(),
              tileAttr.getOrder() == mlir::net::TileOrder::blocks_outer};
    if (gemm) {
      s.tile.pixels = (int)tileAttr.getPixels();
      // The stage computes the flattened map lowerGroup gave it.
      cx.values[result].shape = {x.shape[0], outCh, 1, x.shape[3]};
      s.shape = cx.values[result].shape;
    } else if (tileAttr.getOrder() == mlir::net::TileOrder::pixels) {
      // Not flattened after all (net-tile-gemm marks only convolutions
      // whose group flatGroup flattens; kept so that a tile set by hand
      // still compiles): the same block along rows, no wider than they are.
      s.tile.ow = std::min<int>(s.tile.ow, (int)x.shape[3]);
    }
    // A depthwise convolution with its 1x1 expansion fused (NetFuseExpand):
    // the expansion's rows are computed inside this stage's tasks.
    if (auto fuse = c.op->getAttrOfType<mlir::net::StripAttr>(
            mlir::net::kFuseProducerAttr)) {
      if (producer >= 0 && cx.model.stages[producer].tile.vec &&
          !cx.model.stages[producer].wino.m &&
          !cx.model.stages[producer].tile.int8Dot) {
        cx.model.stages[producer].inlined = true;
        OpStage &st = cx.model.stages.back();
        st.producer = producer;
        st.stripRows = (int)fuse.getRows();
      }
    }
  }
  return mlir::success();
}

} // namespace

bool netc::flatGemmConv(mlir::Operation *op) {
  auto tile = op->getAttrOfType<mlir::net::TileAttr>(mlir::net::kTileAttr);
  return tile && tile.getOrder() == mlir::net::TileOrder::pixels &&
         mlir::net::isNhwc(op) &&
         mlir::net::flatPointwiseShape(op, tile.getVec());
}

void netc::registerConvLowerings(LowerTable &t) {
  t[mlir::net::ConvOp::getOperationName()] =
      [](LowerContext &cx, mlir::Operation *op, std::string &error) {
        auto conv = cast<mlir::net::ConvOp>(op);
        ConvSpec c;
        c.op = op, c.input = conv.getInput(), c.weight = conv.getWeight();
        c.bias = conv.getBias();
        c.stride = conv.getStride(), c.pad = conv.getPad();
        c.dil = conv.getDilation(), c.groups = conv.getGroups();
        return lowerConvSpec(cx, c, error);
      };
  t[mlir::net::FusedConvOp::getOperationName()] =
      [](LowerContext &cx, mlir::Operation *op, std::string &error) {
        auto f = cast<mlir::net::FusedConvOp>(op);
        ConvSpec c;
        c.op = op, c.input = f.getInput(), c.weight = f.getWeight();
        c.bias = f.getBias(), c.residual = f.getResidual();
        c.bn[0] = f.getBnWeight(), c.bn[1] = f.getBnBias();
        c.bn[2] = f.getBnMean(), c.bn[3] = f.getBnVar();
        if (auto eps = f.getBnEps())
          c.eps = eps->convertToFloat();
        c.act = f.getAct();
        if (auto slope = f.getSlope())
          c.slope = slope->convertToFloat();
        c.stride = f.getStride(), c.pad = f.getPad();
        c.dil = f.getDilation(), c.groups = f.getGroups();
        return lowerConvSpec(cx, c, error);
      };
}
