//===- WinogradSchedule.cpp - Winograd F(m x m, 3 x 3) convolutions -------===//
//
// The stages of lower/WinogradLowering.cpp, placed so the transformed
// tiles stay in cache:
// - "n,tiles,e" (the default): a parallel task is a block of tiles of one
//   image; it transforms its input tiles (V), runs the t*t GEMMs over them
//   (M) and transforms the results into the output. V and M are a few
//   hundred KB; the transformed filter U streams once per task.
// - "n,e,oc,tiles" (U of 16 x L2 or more: 512 channels): per image,
//   V for the whole image, then the GEMMs in parallel by frequency and
//   channel block (each block of U is read once per image), then the
//   output transform in parallel by tile rows.
// Inside a GEMM the sums of an (oc channels x ow tiles) block stay in
// vector registers while the input channels run innermost: per channel,
// oc/vec vector loads of U, ow broadcasts of V and (oc/vec)*ow FMAs.
//
//===----------------------------------------------------------------------===//
#include "codegen/schedule/Schedules.h"

using namespace Halide;
using namespace netc;

void netc::scheduleWinogradConv(OpStage &s, std::vector<std::string> &log) {
  OpStage::Winograd &w = s.wino;
  Var x = s.vars[0], y = s.vars[1], k = s.vars[2], n = s.vars[3];
  const std::vector<Var> &wv = w.vars;
  Var c = wv[0], tx = wv[1], ty = wv[2], a = wv[4], b = wv[5], e = wv[6],
      i = wv[7], j = wv[8];
  int m = w.m, vec = s.tile.vec;
  int tilesX = (int)(s.shape[3] + m - 1) / m;
  int tilesY = (int)(s.shape[2] + m - 1) / m;
  Var xt("xt"), xi("xi"), yt("yt"), yi("yi"), ko("ko"), ki("ki"),
      txo("txo"), txi("txi"), tyo("tyo"), tyi("tyi"), task("task"),
      kb("kb"), kbi("kbi"), tb("tb"), tbi("tbi"), co("co"), ci("ci");

  // The output: each m x m tile's vector of channels, written from the
  // output transform (x % m and y % m are constants once unrolled, so the
  // transform's mux picks one row).
  Func out = s.func;
  out.compute_root()
      .reorder_storage(k, x, y, n)
      .split(x, xt, xi, m, TailStrategy::GuardWithIf)
      .split(y, yt, yi, m, TailStrategy::GuardWithIf)
      .split(k, ko, ki, vec)
      .reorder(ki, xi, yi, ko, xt, yt, n)
      .vectorize(ki)
      .unroll(xi)
      .unroll(yi);
  w.ot.compute_at(out, ko).reorder(k, i, b).vectorize(k, vec).unroll(i)
      .unroll(b);

  int gemmTiles;
  std::string how;
  if (!w.perImage) {
    int blockX = std::min(16, tilesX), blockY = std::min(2, tilesY);
    out.split(xt, txo, txi, blockX, TailStrategy::GuardWithIf)
        .split(yt, tyo, tyi, blockY, TailStrategy::GuardWithIf)
        .reorder(ki, xi, yi, ko, txi, tyi, txo, tyo, n)
        .fuse(txo, tyo, task)
        .fuse(task, n, task)
        .parallel(task);
    gemmTiles = std::min(s.tile.ow, blockX);
    w.gemm.compute_at(out, task)
        .split(k, kb, kbi, s.tile.oc)
        .split(tx, tb, tbi, gemmTiles, TailStrategy::ShiftInwards)
        .reorder(kbi, tbi, tb, ty, kb, e)
        .vectorize(kbi, vec);
    w.v.compute_at(out, task)
        .split(c, co, ci, vec)
        .reorder(ci, e, co, tx, ty)
        .vectorize(ci)
        .unroll(e);
    how = "parallel blocks of " + std::to_string(blockX) + " x " +
          std::to_string(blockY) + " tiles, each transforming its input, " +
          "its GEMMs and its output";
  } else {
    out.parallel(yt);
    gemmTiles = std::min(s.tile.ow, tilesX);
    w.gemm.compute_at(out, n)
        .split(k, kb, kbi, s.tile.oc)
        .split(tx, tb, tbi, gemmTiles, TailStrategy::ShiftInwards)
        .reorder(kbi, tbi, tb, ty, kb, e)
        .vectorize(kbi, vec)
        .fuse(kb, e, task)
        .parallel(task);
    w.v.compute_at(out, n)
        .split(c, co, ci, vec)
        .reorder(ci, e, co, tx, ty)
        .vectorize(ci)
        .unroll(e)
        .parallel(ty);
    how = "per image: input transform by tile rows, GEMMs by frequency x "
          "channel block, output by tile rows, each in parallel";
  }
  // The register block: oc channels x gemmTiles tiles of one frequency.
  w.acc.compute_at(w.gemm, tb)
      .reorder(k, tx, e)
      .vectorize(k, vec)
      .unroll(k)
      .unroll(tx);
  w.acc.update()
      .reorder(k, tx, w.rc.x, e)
      .vectorize(k, vec)
      .unroll(k)
      .unroll(tx);
  w.bx.compute_at(w.v, co).reorder(c, a, j).vectorize(c, vec).unroll(a)
      .unroll(j);
  log.push_back(s.func.name() + ": Winograd F(" + std::to_string(m) + "x" +
                std::to_string(m) + ", 3x3), " + how + "; GEMM block " +
                std::to_string(s.tile.oc) + " channels x " +
                std::to_string(gemmTiles) + " tiles (vec " +
                std::to_string(vec) + ")");
}
