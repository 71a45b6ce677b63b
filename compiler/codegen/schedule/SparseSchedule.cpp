//===- SparseSchedule.cpp - Sparse x dense convolution tiles --------------===//
//
// The schedule of a convolution lowered with a sparse kernel (see
// lower/SparseLowering.cpp). Tasks are rows of tiles (and images), in
// parallel. Per tile of `vec` columns x `rows` rows:
//   - the input tile with its halo is transposed into `xt` (columns
//     innermost), vectorized over both channels and columns so the
//     transpose is register shuffles rather than gathers;
//   - per block of `vec` output channels, per channel, the tile's sums are
//     `rows` vectors kept in registers while that channel's nonzeros run
//     (each: one broadcast weight, `rows` loads and FMAs), then stored in
//     `blk`;
//   - the epilogue reads `blk` vectorized over channels and columns (the
//     transpose back) and writes the channels-innermost output.
// Keeping a channel's sums in registers is what makes it pay: with the
// sums of a whole channel block in memory, every FMA waited on the store
// of the previous one (measured 3x slower).
//
//===----------------------------------------------------------------------===//
#include "codegen/schedule/Schedules.h"

using namespace Halide;
using namespace netc;

void netc::scheduleSparseConv(OpStage &s, std::vector<std::string> &log) {
  const OpStage::Sparse &sp = s.sparse;
  const std::vector<Var> &v = s.vars; // x, y, o, n
  Var x = v[0], y = v[1], o = v[2], n = v[3];
  Var xi = sp.tileVars[0], yi = sp.tileVars[1], ko = sp.tileVars[2];
  int vec = sp.vec, rows = sp.rows;
  Var xo("xo"), xii("xii"), yo("yo"), yii("yii"), ob("ob"), oi("oi"), t("t");

  Func out = s.func;
  out.compute_root()
      .reorder_storage(o, x, y, n)
      .split(x, xo, xii, vec, TailStrategy::GuardWithIf)
      .split(y, yo, yii, rows, TailStrategy::GuardWithIf)
      .split(o, ob, oi, vec, TailStrategy::GuardWithIf)
      .reorder(oi, xii, yii, ob, xo, yo, n)
      .vectorize(oi)
      .vectorize(xii)
      .unroll(yii)
      .fuse(yo, n, t)
      .parallel(t);

  Func blk = sp.blk;
  // Stored row by row, each row a (channels x columns) block: the epilogue
  // loads one block whole and transposes it in registers.
  blk.compute_at(out, ob)
      .bound_extent(xi, vec)
      .bound_extent(yi, rows)
      .reorder_storage(xi, ko, yi)
      .reorder(xi, yi, ko)
      .vectorize(xi)
      .unroll(yi);

  Func acc = sp.acc;
  acc.compute_at(blk, ko)
      .bound_extent(xi, vec)
      .bound_extent(yi, rows)
      .vectorize(xi)
      .unroll(yi);
  acc.update().reorder(xi, yi, sp.r.x, ko).vectorize(xi).unroll(yi);

  // The transposed input tile: channels by vectors, columns whole (or by
  // vectors when a strided or wide kernel reads many).
  Func xt = sp.xt;
  const std::vector<Var> tv = xt.args(); // x, y, c, n
  Var cb("cb"), cv("cv"), xb("xb"), xv("xv");
  xt.compute_at(out, xo)
      .bound_extent(tv[0], sp.inWidth)
      .bound_extent(tv[1], sp.inRows)
      .reorder(tv[2], tv[0], tv[1], tv[3])
      .split(tv[2], cb, cv, vec, TailStrategy::GuardWithIf);
  if (sp.inWidth <= 2 * vec) {
    xt.reorder(cv, tv[0], cb, tv[1]).vectorize(cv).vectorize(tv[0]);
  } else {
    xt.split(tv[0], xb, xv, vec, TailStrategy::GuardWithIf)
        .reorder(cv, xv, cb, xb, tv[1])
        .vectorize(cv)
        .vectorize(xv);
  }
  log.push_back(s.func.name() + ": sparse conv, tiles of " +
                std::to_string(vec) + " columns x " + std::to_string(rows) +
                " rows in parallel, per output channel its nonzeros with " +
                std::to_string(rows) +
                " vector sums in registers, transposed in and out by "
                "vectors of " +
                std::to_string(vec));
}

void netc::scheduleFlatSparseConv(OpStage &s, std::vector<std::string> &log) {
  const OpStage::Sparse &sp = s.sparse;
  Var p = s.vars[0], y = s.vars[1], o = s.vars[2], n = s.vars[3];
  int vec = sp.vec, tile = sp.flatTile;
  Var pc("pc"), pw("pw"), pt("pt"), pu("pu"), ob("ob"), oi("oi"), t("t");
  // Tiles of `tile` chunks in parallel (the last one shifted inwards, so
  // every tile is whole; only the stores of the map's last chunk are
  // guarded); per tile and block of `vec` output channels, the block's
  // sums, transposed back chunk by chunk.
  Func out = s.func;
  out.compute_root()
      .reorder_storage(o, p, y, n)
      .split(p, pc, pw, vec, TailStrategy::GuardWithIf)
      .split(pc, pt, pu, tile, TailStrategy::ShiftInwards)
      .split(o, ob, oi, vec)
      .reorder(oi, pw, pu, ob, pt, y, n)
      .vectorize(oi)
      .unroll(pw)
      .fuse(pt, y, t)
      .fuse(t, n, t)
      .parallel(t);
  // vec x vec sums transposed: a load over a few vectors and a shuffle,
  // one dense store.
  Func tr = sp.tr;
  std::vector<Var> tv = tr.args(); // o, pw, q, n
  tr.compute_at(out, ob)
      .store_in(MemoryType::Stack)
      .bound_extent(tv[0], vec)
      .bound_extent(tv[1], vec)
      .bound_extent(tv[2], tile)
      .reorder(tv[0], tv[1], tv[2], tv[3])
      .vectorize(tv[0])
      .vectorize(tv[1]);
  // Per output channel its nonzeros, the tile's chunks as vector sums in
  // registers: each nonzero is one broadcast weight and a load and FMA
  // per chunk.
  Func blk = sp.blk;
  std::vector<Var> bv = blk.args(); // pw, q, o, n
  blk.compute_at(out, ob)
      .bound_extent(bv[0], vec)
      .bound_extent(bv[1], tile)
      .bound_extent(bv[2], vec)
      .reorder(bv[0], bv[1], bv[2])
      .vectorize(bv[0])
      .unroll(bv[1]);
  Func acc = sp.acc;
  std::vector<Var> av = acc.args(); // pw, q, h, o, n
  acc.compute_at(blk, bv[2])
      .bound_extent(av[0], vec)
      .bound_extent(av[1], tile)
      .bound_extent(av[2], 2)
      .vectorize(av[0])
      .unroll(av[1])
      .unroll(av[2]);
  acc.update()
      .reorder(av[0], av[1], av[2], sp.r.x, av[3])
      .vectorize(av[0])
      .unroll(av[1])
      .unroll(av[2]);
  // The tile's input: per chunk and block of `vec` channels, one vector of
  // channels per pixel into `xt0`, transposed into `xt`.
  Func xt = sp.xt, xt0 = sp.xt0;
  std::vector<Var> xv = xt.args(); // pw, c, q, n
  Var cb("cb"), cv("cv");
  xt.compute_at(out, t)
      .bound_extent(xv[0], vec)
      .bound_extent(xv[2], tile)
      .split(xv[1], cb, cv, vec)
      .reorder(xv[0], cv, cb, xv[2])
      .vectorize(xv[0])
      .vectorize(cv);
  std::vector<Var> x0 = xt0.args(); // c, pw, q, n
  xt0.compute_at(xt, cb)
      .bound_extent(x0[0], vec)
      .bound_extent(x0[1], vec)
      .vectorize(x0[0])
      .unroll(x0[1]);
  log.push_back(s.func.name() + ": flat sparse conv, tiles of " +
                std::to_string(tile) + " x " + std::to_string(vec) +
                " pixels in parallel, per output channel its nonzeros in pairs with " +
                std::to_string(2 * tile) +
                " vector sums in registers, transposed in and out by " +
                std::to_string(vec) + " x " + std::to_string(vec) +
                " blocks");
}

void netc::scheduleSparseFc(OpStage &s, std::vector<std::string> &log) {
  Var o = s.vars[0], n = s.vars[1], ob("ob"), oi("oi");
  // The input, flattened once: read at each nonzero's index, its index
  // arithmetic (a 4-D input's coordinates) would cost more than the FMA.
  s.sparse.xt.compute_root();
  // Blocks of outputs in parallel; per block and image the 16 sums stay in
  // one vector register while the block's slots run.
  s.func.compute_root()
      .split(o, ob, oi, kFcBlock, TailStrategy::GuardWithIf)
      .reorder(oi, n, ob)
      .vectorize(oi)
      .parallel(ob);
  Func sum = s.sparse.acc;
  std::vector<Var> sv = sum.args(); // oi, ob, n
  sum.compute_at(s.func, n).bound_extent(sv[0], kFcBlock).vectorize(sv[0]);
  sum.update().reorder(sv[0], s.rdom.x).vectorize(sv[0]);
  log.push_back(s.func.name() + ": sparse fc, blocks of " +
                std::to_string(kFcBlock) +
                " outputs in parallel, per block and image a vector of sums "
                "over the block's slots, inputs gathered");
}
