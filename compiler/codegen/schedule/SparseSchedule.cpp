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
