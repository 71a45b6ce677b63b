//===- SparseLowering.cpp - Pruned conv and fc layers as sparse x dense ---===//
//
// A convolution net-sparse marked `#net.kernel<format = sparse>` computes
// only its nonzero weights. The weights are a preparation (PrepKind::
// SparseConv, applied when the library is opened, batchnorm folded): per
// output channel o, its count of nonzeros, then each nonzero as (value,
// input channel) for a 1x1 kernel or (value, input channel, kx, ky),
// rows padded to the most nonzeros of any channel (`row_max`). Indices are
// stored as the bits of a float (the buffer is f32 like every weight).
//
// The output is computed in tiles of `vec` columns x 4 rows. A tile's
// input (with its halo) is transposed once into `xt`, columns innermost;
// then for each output channel the sums of the tile are vectors over
// columns: each nonzero broadcasts its weight and adds it times one input
// row vector per tile row, the loop running just that channel's count
// (Halide trims the `where`). The tile's sums, `vec` output channels at a
// time, are transposed back into the channels-innermost output, where the
// bias, residual and activation are applied. See SparseSchedule.cpp.
//
// A fully connected layer's sparse kernel takes blocks of 16 output
// features (PrepKind::SparseFcBlocks): slot k of a block holds the k-th
// nonzero of each of its 16 rows (weight and input index), so the 16 sums
// are one vector, the weights and indices vector loads and the inputs a
// gather. At batch 1 the dense kernel streams every weight from memory;
// this one reads 8 bytes per nonzero (and the rows' padding to row_max).
//
// 1x1 stride-1 layers whose map lowerGroup flattened to one row take the
// flat kernel (lowerFlatSparseConv below) instead of the 2-D tiles.
//
//===----------------------------------------------------------------------===//
#include "codegen/lower/ConvSpec.h"

#include "net/IR/NetAttrs.h"

using namespace netc;
using namespace Halide;

namespace {

/// The sparse weights of `c` prepared with `slots` floats per nonzero.
Func sparseWeights(LowerContext &cx, const ConvSpec &c, int64_t O, int slots,
                   int rowMax) {
  PrepSpec spec;
  spec.kind = PrepKind::SparseConv;
  spec.sources = {paramName(c.weight), paramName(c.bn[0]), paramName(c.bn[3])};
  spec.eps = c.eps;
  spec.param = rowMax;
  spec.extents = {1 + (int64_t)slots * rowMax, O};
  spec.strides = {1, spec.extents[0]};
  return cx.prepared(spec, "sparse_" + spec.sources[0]);
}

/// The conv's output from its `sums` at (x, y, o, n): the folded bias, the
/// residual and the activation, defined as the result's stage.
OpStage &defineEpilogue(LowerContext &cx, const ConvSpec &c, int64_t O,
                        const std::vector<Var> &v, Expr sums) {
  Expr value = sums;
  if (c.bias || c.bn[0])
    value = foldedBias(cx, c, O)(v[2]) + value;
  if (c.residual)
    value = value + cx.get(c.residual).f(cx.asExprs(v));
  Func out(cx.fresh(layerName(c)));
  out(cx.asExprs(v)) = activation(c, value);
  cx.define(c.op->getResult(0), out, v, OpStage::Conv, false);
  return cx.model.stages.back();
}

/// A 1x1 stride-1 convolution on a map of one row (lowerGroup flattens
/// such a layer's H x W pixels, see NetToHalide.cpp): the pixels are one
/// sequence of chunks of `vec` (the last one padded with copies of the
/// last pixel), cut into tiles of `tile` chunks, so no row is padded to a
/// vector and a 7x7 map wastes no more than a 224x224 one. Between the
/// channels-innermost input and output and the pixels-innermost sums,
/// vec x vec blocks are transposed through small dense buffers: Halide 14
/// turns a 2-D vectorized load that spans a few vectors into a dense load
/// and a shuffle, and stores only dense vectors without a scatter.
mlir::LogicalResult lowerFlatSparseConv(LowerContext &cx, const ConvSpec &c,
                                        int64_t O, int64_t C, int vec,
                                        int tile, int rowMax) {
  const HTensor &x = cx.get(c.input);
  int64_t P = x.shape[3];
  // Rows padded to an even length: the sums run over pairs of nonzeros.
  rowMax = (rowMax + 1) / 2 * 2;
  Func sp = sparseWeights(cx, c, O, 2, rowMax);
  std::string layer = layerName(c);
  Var pw("pw"), q("q"), ch("c"), o("o"), n("n");
  // The input by chunk: xt0 a block with channels innermost, xt the same
  // transposed (pixels innermost).
  Func xt0(cx.fresh(layer + "_in"));
  xt0(ch, pw, q, n) = x.f(min(q * vec + pw, (int)P - 1), 0, ch, n);
  Func xt(cx.fresh(layer + "_planar"));
  xt(pw, ch, q, n) = xt0(ch, pw, q, n);
  // Two partial sums per chunk, of a channel's even and odd nonzeros: one
  // chain of dependent FMAs per chunk would wait on the FMA latency. A
  // row's padding slot is weight 0 at channel 0 (as the dense kernel, a
  // pruned weight times an input).
  Var h("h");
  RDom r(0, rowMax / 2, cx.fresh("r_nz"));
  r.where(2 * r < reinterpret<int>(sp(0, o)));
  Expr k = 2 * r + h;
  // The index is in range by construction (the preparation wrote it).
  Expr ci = unsafe_promise_clamped(reinterpret<int>(sp(2 + 2 * k, o)), 0,
                                   (int)C - 1);
  Func acc(cx.fresh(layer + "_sparse_sum"));
  acc(pw, q, h, o, n) = 0.0f;
  acc(pw, q, h, o, n) += sp(1 + 2 * k, o) * xt(pw, ci, q, n);
  // The sums of a block of output channels, stored: `acc` is computed per
  // channel, its few vectors in registers; `tr` transposes them back.
  Func blk(cx.fresh(layer + "_sums"));
  blk(pw, q, o, n) = acc(pw, q, 0, o, n) + acc(pw, q, 1, o, n);
  Func tr(cx.fresh(layer + "_out"));
  tr(o, pw, q, n) = blk(pw, q, o, n);
  std::vector<Var> v = cx.makeVars(4); // x (the pixel), y (0), o, n
  OpStage &s =
      defineEpilogue(cx, c, O, v, tr(v[2], v[0] % vec, v[0] / vec, v[3]));
  // The stage computes the flattened map lowerGroup gave it.
  cx.values[c.op->getResult(0)].shape = {x.shape[0], O, 1, P};
  s.shape = cx.values[c.op->getResult(0)].shape;
  s.sparse.vec = vec;
  s.sparse.flatTile = tile;
  s.sparse.xt0 = xt0;
  s.sparse.xt = xt;
  s.sparse.acc = acc;
  s.sparse.blk = blk;
  s.sparse.tr = tr;
  s.sparse.r = r;
  return mlir::success();
}

} // namespace

bool netc::flatSparseConv(mlir::Operation *op) {
  auto kernel = op->getAttrOfType<mlir::net::KernelAttr>(mlir::net::kKernelAttr);
  auto target = mlir::net::targetOf(op);
  return kernel && kernel.isSparse() && mlir::net::isNhwc(op) &&
         mlir::net::flatSparseShape(op, target ? target.getFloatLanes() : 8);
}

mlir::LogicalResult netc::lowerSparseConv(LowerContext &cx, const ConvSpec &c,
                                          mlir::net::KernelAttr kernel,
                                          std::string &error) {
  const HTensor &x = cx.get(c.input);
  std::vector<int64_t> ws = shapeOf(c.weight); // O, C, kh, kw
  if (ws.size() != 4 || c.groups != 1 || x.rank() != 4) {
    error = "a sparse kernel needs a 2-D convolution with groups 1";
    return mlir::failure();
  }
  if (!paramsAreWeights(c, error))
    return mlir::failure();
  int64_t O = ws[0], C = ws[1], kh = ws[2], kw = ws[3];
  int vec = 8;
  if (auto target = mlir::net::targetOf(c.op))
    vec = (int)target.getFloatLanes();
  int rowMax = std::max<int>(1, (int)kernel.getRowMax());
  // A map lowerGroup flattened (flatGroup), or a row already.
  if (x.shape[2] == 1 && flatSparseConv(c.op))
    return lowerFlatSparseConv(cx, c, O, C, vec,
                               (int)mlir::net::flatSparseTile(x.shape[3], vec),
                               rowMax);
  // Rows per tile. More rows give each loaded weight more independent FMA
  // chains, but the tile's transposed input outgrows L1: 8 rows (from 16
  // rows up) made mobilenet_v1 at S = 0.9 9% slower than 4.
  const int rows = 4;
  // Columns per tile: a whole vector even where the width is not a
  // multiple (the tile's last columns read zeros and are not stored).
  // Narrower vectors (14 lanes for a 14-wide map) were measured 2-3x
  // slower: LLVM splits them into 8 + 4 + 2.
  int slots = kh * kw == 1 ? 2 : 4;
  Func sp = sparseWeights(cx, c, O, slots, rowMax);

  Var xi("xi"), yi("yi"), o("o"), xo("xo"), yo("yo"), n("n");
  std::string layer = layerName(c);
  // The input tile, zero outside the image (padding, and the columns and
  // rows a partial tile computes past the edge).
  Func xt(cx.fresh(layer + "_tile"));
  std::vector<Var> tv = cx.makeVars(4); // x, y, c, n
  std::vector<int64_t> all = {1, 1};
  xt(tv) = LowerContext::padded(x, cx.asExprs(tv), all);

  RDom r(0, rowMax, cx.fresh("r_nz"));
  r.where(r < reinterpret<int>(sp(0, o)));
  auto field = [&](int k) { return sp(1 + slots * r + k, o); };
  Expr ci = clamp(reinterpret<int>(field(1)), 0, (int)C - 1);
  Expr kx = 0, ky = 0;
  if (slots == 4) {
    kx = clamp(reinterpret<int>(field(2)), 0, (int)kw - 1);
    ky = clamp(reinterpret<int>(field(3)), 0, (int)kh - 1);
  }
  int sx = (int)c.stride[1], sy = (int)c.stride[0];
  int dx = (int)c.dil[1], dy = (int)c.dil[0];
  Expr ix = (xo * vec + xi) * sx + kx * dx - (int)c.pad[1];
  Expr iy = (yo * rows + yi) * sy + ky * dy - (int)c.pad[0];
  Func acc(cx.fresh(layer + "_sparse_sum"));
  acc(xi, yi, o, xo, yo, n) = 0.0f;
  acc(xi, yi, o, xo, yo, n) += field(0) * xt(ix, iy, ci, n);
  // The tile's sums, stored per block of output channels.
  Func blk(cx.fresh(layer + "_sums"));
  blk(xi, yi, o, xo, yo, n) = acc(xi, yi, o, xo, yo, n);

  std::vector<Var> v = cx.makeVars(4); // x, y, o, n
  OpStage &s = defineEpilogue(
      cx, c, O, v,
      blk(v[0] % vec, v[1] % rows, v[2], v[0] / vec, v[1] / rows, v[3]));
  s.sparse.vec = vec;
  s.sparse.rows = rows;
  s.sparse.xt = xt;
  s.sparse.acc = acc;
  s.sparse.blk = blk;
  s.sparse.r = r;
  s.sparse.tileVars = {xi, yi, o, xo, yo, n};
  // Input columns and rows one tile reads.
  s.sparse.inWidth = (vec - 1) * sx + ((int)kw - 1) * dx + 1;
  s.sparse.inRows = (rows - 1) * sy + ((int)kh - 1) * dy + 1;
  return mlir::success();
}

mlir::LogicalResult netc::lowerSparseFc(LowerContext &cx, mlir::net::FcOp op,
                                        mlir::net::KernelAttr kernel,
                                        std::string &error) {
  const HTensor &x = cx.get(op.getInput());
  std::vector<int64_t> ws = shapeOf(op.getWeight()); // O, I
  std::string name = paramName(op.getWeight());
  if (name.empty() || (op.getBias() && paramName(op.getBias()).empty())) {
    error = "net.fc: a sparse kernel needs net.weight weights and bias";
    return mlir::failure();
  }
  int rowMax = std::max<int>(1, (int)kernel.getRowMax());
  const int lanes = kFcBlock;
  int64_t blocks = (ws[0] + lanes - 1) / lanes;
  PrepSpec spec;
  spec.kind = PrepKind::SparseFcBlocks;
  spec.sources = {name};
  spec.param = rowMax;
  spec.extents = {lanes, 2, rowMax, blocks}; // lane, value|index, slot, block
  spec.strides = stridesFor(spec.extents, {0, 1, 2, 3});
  Func sp = cx.prepared(spec, "sparse_" + name);
  Func flat = cx.flattened(x, cx.fresh("flatten"));
  Var o("x"), n("y"), oi("oi"), ob("ob");
  // Per block of 16 outputs and image, 16 sums (one vector) over the
  // block's slots: each slot is 16 weights and 16 input indices, the
  // inputs gathered. Rows are padded with zero weights to row_max.
  RDom r(0, rowMax, cx.fresh("r_nz"));
  Expr i = clamp(reinterpret<int>(sp(oi, 1, r, ob)), 0, (int)ws[1] - 1);
  Func sum(cx.fresh("fc_sparse_sum"));
  sum(oi, ob, n) = 0.0f;
  sum(oi, ob, n) += sp(oi, 0, r, ob) * flat(i, n);
  Func f(cx.fresh("fc"));
  f(o, n) = (op.getBias() ? cx.get(op.getBias()).f(o) : Expr(0.0f)) +
            sum(o % lanes, o / lanes, n);
  cx.define(op.getResult(), f, {o, n}, OpStage::Fc, false, {}, r);
  OpStage &s = cx.model.stages.back();
  s.sparse.fc = true;
  s.sparse.xt = flat;
  s.sparse.acc = sum;
  return mlir::success();
}

