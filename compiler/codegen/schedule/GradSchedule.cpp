//===- GradSchedule.cpp - Register tiles for the gradient kernels ---------===//
//
// The gradient kernels of lower/LayerGradLowering.cpp keep their sums in a
// Func of their own (`acc`), computed per tile of the output: a vector of
// the innermost dim times a few of the tile dim (input channels of a
// convolution's input gradient, images or outputs of an fc's), so that
// each load of the other operand feeds several FMAs into registers, as
// the forward templates do. conv_grad_weight's output is tiny and its
// reduction long: it sums per vector lane of pixels, in register tiles of
// the kernel's columns x input channels x outputs with the images
// outermost, then the lanes.
//
//===----------------------------------------------------------------------===//
#include "codegen/schedule/Schedules.h"

using namespace Halide;
using namespace netc;

namespace {

/// A zero-padded copy (a helper) computed once per call: rows in
/// parallel, vectorized along them.
void schedulePadded(Func h, int vec) {
  std::vector<Var> a = h.args();
  h.compute_root();
  if (a.size() >= 2) {
    Var par("par");
    if (a.size() >= 3)
      h.fuse(a[a.size() - 2], a.back(), par).parallel(par);
    else
      h.parallel(a.back());
  }
  h.vectorize(a[0], vec, TailStrategy::GuardWithIf);
}

/// The reduction's RVars, innermost first, then `rest`.
std::vector<VarOrRVar> withReduction(const RDom &r, std::vector<VarOrRVar> inner,
                                     const std::vector<Var> &outer) {
  for (int i = 0; i < r.dimensions(); ++i)
    inner.push_back(r[i]);
  for (const Var &v : outer)
    inner.push_back(v);
  return inner;
}

/// The largest of `options` (descending) that divides `n`.
int divisorOf(int64_t n, std::initializer_list<int> options) {
  for (int t : options)
    if (n % t == 0)
      return t;
  return 1;
}

void scheduleLanes(OpStage &s, int vec, std::vector<std::string> &log) {
  // acc(lane, kx, ky..., c, o); func(kx, ky..., c, o) = sum over lanes.
  // Per block of `to` outputs (one task each), the sums of every tap and
  // channel stay in a small buffer while the images stream by once; within
  // an image a register tile is the lanes times every column tap times tc
  // channels times the block's outputs, for one row tap: each grad vector
  // loaded feeds kx * tc FMAs, each input vector `to`, and the image's
  // rows are in cache for every tile.
  const std::vector<Var> &v = s.vars;
  Func f = s.func, acc = s.acc;
  size_t n = v.size();
  Var o = v.back();
  int64_t outs = s.shape[0], chans = s.shape[1], taps = s.shape.back();
  // The accumulators the target holds (vectors of 16 lanes: one AVX-512
  // register, two AVX2 ones), leaving room for the operands.
  int budget = vec >= 16 ? 24 : 6;
  int to = divisorOf(outs, {4, 2});
  while (to > 1 && taps * to > budget)
    to /= 2;
  int tc = 1;
  for (int t : {4, 2})
    if (chans % t == 0 && taps * to * t <= budget) {
      tc = t;
      break;
    }
  Var oo("oo"), oi("oi");
  f.compute_root().parallel(o);
  f.update().split(o, oo, oi, to, TailStrategy::GuardWithIf).parallel(oo);
  std::vector<Var> args = acc.args();
  Var lane = args[0], kx = args[1], c = args[n - 1], ao = args[n];
  Var co("co"), ci("ci");
  acc.compute_at(f, oo).vectorize(lane);
  int spatial = (int)n - 2;
  std::vector<VarOrRVar> order = {lane, kx, ci, ao};
  for (int i = 0; i < spatial; ++i)
    order.push_back(s.rdom[i]); // the image's pixels (column chunks, rows)
  for (int i = 2; i < (int)n - 1; ++i)
    order.push_back(args[i]); // the other kernel taps
  order.insert(order.end(), {co, s.rdom[spatial]});
  acc.update()
      .split(c, co, ci, tc, TailStrategy::GuardWithIf)
      .reorder(order)
      .vectorize(lane)
      .unroll(kx)
      .unroll(ci)
      .unroll(ao);
  for (Func h : s.helpers)
    schedulePadded(h, vec);
  log.push_back(f.name() + ": gradient sums per vector lane of pixels, " +
                "per block of " + std::to_string(to) + " outputs (in " +
                "parallel) over the images once, register tiles of " +
                std::to_string(taps) + " column taps x " + std::to_string(tc) +
                " channels x " + std::to_string(to) + " outputs");
}

} // namespace

void netc::scheduleRegisterTile(OpStage &s, int vec, std::vector<std::string> &log) {
  if (s.regLanes) {
    scheduleLanes(s, vec, log);
    return;
  }
  const std::vector<Var> &v = s.vars;
  Func f = s.func, acc = s.acc;
  int t = std::max(1, s.regTile);
  Var x = v[0], tv = v[s.regTileVar], xo("xo"), xi("xi"), to("to"), ti("ti");
  int64_t inner = s.shape.back();
  TailStrategy tail = inner >= vec ? TailStrategy::ShiftInwards
                                   : TailStrategy::GuardWithIf;
  std::vector<VarOrRVar> order = {xi, ti, xo, to};
  std::vector<Var> outer;
  for (size_t i = 1; i < v.size(); ++i)
    if ((int)i != s.regTileVar)
      outer.push_back(v[i]);
  f.compute_root()
      .split(x, xo, xi, vec, tail)
      .split(tv, to, ti, t, TailStrategy::GuardWithIf);
  for (const Var &o : outer)
    order.push_back(o);
  f.reorder(order).vectorize(xi).unroll(ti);
  // Parallel over the outermost dims (fused with the tile dim's blocks
  // when it is the outermost, as the images of an fc gradient are).
  if (outer.empty()) {
    f.parallel(to);
  } else {
    Var par("par");
    f.fuse(to, outer.back(), par).parallel(par);
  }
  // A tile of constant size (on the stack, then in registers) even where
  // the tile dim's last block is guarded.
  acc.compute_at(f, xo).vectorize(x).unroll(tv);
  for (size_t i = 0; i < v.size(); ++i)
    acc.bound_storage(acc.args()[i],
                      i == 0 ? vec : (int)i == s.regTileVar ? t : 1);
  std::vector<Var> rest;
  for (size_t i = 1; i < v.size(); ++i)
    if ((int)i != s.regTileVar)
      rest.push_back(acc.args()[i]);
  acc.update()
      .reorder(withReduction(s.rdom, {acc.args()[0], acc.args()[s.regTileVar]},
                             rest))
      .vectorize(acc.args()[0])
      .unroll(acc.args()[s.regTileVar]);
  for (Func h : s.helpers)
    schedulePadded(h, vec);
  log.push_back(f.name() + ": register tile " + std::to_string(vec) + " x " +
                std::to_string(t) + " (" + x.name() + " vectorized, " +
                tv.name() + " unrolled), sums over the reduction in registers");
}
