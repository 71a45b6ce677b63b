//===- GradSchedule.cpp - Register tiles for the gradient kernels ---------===//
//
// The gradient kernels of lower/LayerGradLowering.cpp keep their sums in a
// Func of their own (`acc`), computed per tile of the output: a vector of
// the innermost dim times a few of the tile dim (input channels of a
// convolution's input gradient, images or outputs of an fc's), so that
// each load of the other operand feeds several FMAs into registers, as
// the forward templates do. conv_grad_weight's output is tiny and its
// reduction long: it sums per vector lane of pixels (tiled over the
// kernel's columns, each grad vector used once per column tap), then the
// lanes.
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

void scheduleLanes(OpStage &s, int vec, std::vector<std::string> &log) {
  // acc(lane, kx, ky..., c, o); func(kx, ky..., c, o) = sum over lanes.
  const std::vector<Var> &v = s.vars;
  Func f = s.func, acc = s.acc;
  Var o = v.back();
  f.compute_root().parallel(o);
  f.update().parallel(o);
  std::vector<Var> args = acc.args();
  Var lane = args[0], kx = args[1];
  // The tile: the lanes times every column tap, for one (row tap, channel).
  acc.compute_at(f, v.size() >= 3 ? v[1] : o);
  acc.vectorize(lane).unroll(kx);
  std::vector<Var> rest(args.begin() + 2, args.end());
  acc.update()
      .reorder(withReduction(s.rdom, {lane, kx}, rest))
      .vectorize(lane)
      .unroll(kx);
  for (Func h : s.helpers)
    schedulePadded(h, vec);
  log.push_back(f.name() + ": gradient sums per vector lane of pixels, " +
                std::to_string(s.regTile) + " column taps unrolled, " +
                "outputs in parallel");
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
