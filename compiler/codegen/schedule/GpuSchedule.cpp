//===- GpuSchedule.cpp - The GPU schedule templates (CUDA, OpenCL) --------===//
//
// Every stage of a GPU kernel runs on the device: the executor keeps
// activations there between kernels (executor/Runtime.c), so no stage may
// touch host memory. Each op is its own compute_root stage whose pure
// dims become a grid: a block of threads covers a tile of W (threads
// along W read consecutive floats of an NCHW map: coalesced) by H, and
// the remaining dims (channels, batch) are fused into blocks. Each thread
// computes one output and keeps its reduction (taps, input channels) in a
// register. Updates over reduction domains keep the same grid; an update
// that writes through a reduction variable (a scatter) or a scalar runs
// on one device thread. CUDA and OpenCL share the templates.
//
//===----------------------------------------------------------------------===//
#include "codegen/schedule/TargetSchedule.h"

#include "llvm/ADT/STLExtras.h"

#include <map>

using namespace Halide;
using namespace netc;

namespace {

int64_t pow2AtLeast(int64_t n) {
  int64_t p = 1;
  while (p < n)
    p *= 2;
  return p;
}

/// The thread-block shape of a stage with `extents` (innermost first):
/// up to a warp along dim 0, then dim 1, at most `threads` in all; no
/// extents (unknown): a full block. `rank` is the stage's dims.
std::pair<int, int> blockShape(const std::vector<int64_t> &extents, int rank,
                               int warp, int threads) {
  auto extent = [&](size_t i) {
    return i < extents.size() ? std::max<int64_t>(extents[i], 1)
                              : int64_t(threads);
  };
  if (rank < 2)
    return {(int)std::min<int64_t>(pow2AtLeast(extent(0)), threads), 1};
  int64_t e0 = extent(0), e1 = extent(1);
  int tx = (int)std::min<int64_t>(pow2AtLeast(e0), warp);
  int ty = (int)std::min<int64_t>(pow2AtLeast(e1), threads / tx);
  return {tx, ty};
}

/// Whether update `u` of `f` writes at its pure vars (so its grid is the
/// pure definition's).
bool updateAtPureVars(Func f, int u) {
  std::vector<Var> pure = f.args();
  const std::vector<Expr> &args = f.update_args(u);
  if (args.size() != pure.size())
    return false;
  for (size_t i = 0; i < args.size(); ++i) {
    const auto *v = args[i].as<Internal::Variable>();
    if (!v || v->name != pure[i].name())
      return false;
  }
  return true;
}

/// Maps one definition of a Func over `vars` (innermost first) to a grid.
template <typename StageT>
std::string gridOf(StageT stage, const std::vector<Var> &vars,
                   const std::vector<int64_t> &extents, int warp,
                   int threads) {
  if (vars.empty()) {
    stage.gpu_single_thread();
    return "single thread";
  }
  auto [tx, ty] = blockShape(extents, (int)vars.size(), warp, threads);
  Var bx("bx"), by("by"), txv("tx"), tyv("ty");
  if (vars.size() == 1) {
    stage.gpu_tile(vars[0], bx, txv, tx, TailStrategy::GuardWithIf);
    return "blocks of " + std::to_string(tx) + " threads along " +
           vars[0].name();
  }
  stage.gpu_tile(vars[0], vars[1], bx, by, txv, tyv, tx, ty,
                 TailStrategy::GuardWithIf);
  std::string rest;
  if (vars.size() >= 3) {
    // The outer dims (channels, batch, ...) fused into the third block dim.
    Var outer = vars[2];
    for (size_t i = 3; i < vars.size(); ++i) {
      Var fused(outer.name() + "_" + vars[i].name());
      stage.fuse(outer, vars[i], fused);
      outer = fused;
    }
    stage.gpu_blocks(outer);
    rest = ", blocks over " + outer.name();
  }
  return "blocks of " + std::to_string(tx) + "x" + std::to_string(ty) +
         " threads over " + vars[0].name() + "," + vars[1].name() + rest;
}

/// compute_root on the device, every definition on a grid.
void scheduleOnDevice(Func f, const std::vector<int64_t> &extents, int warp,
                      int threads, std::vector<std::string> &log) {
  std::vector<Var> vars = f.args();
  f.compute_root();
  std::string line = f.name() + ": gpu, " +
                     gridOf(Stage(f), vars, extents, warp, threads);
  for (int u = 0; u < f.num_update_definitions(); ++u) {
    if (updateAtPureVars(f, u)) {
      line += "; update " + std::to_string(u) + ": " +
              gridOf(f.update(u), vars, extents, warp, threads) +
              ", reduction per thread";
    } else {
      f.update(u).gpu_single_thread();
      line += "; update " + std::to_string(u) + ": single thread";
    }
  }
  log.push_back(line);
}

/// A 2-D convolution's epilogue `out` (Halide dims x, y, c, n) over its
/// sums `out.sums` (reduction `r`: taps, then input channels), conv_layer
/// style. A block of tx x ty threads computes tx * rx columns by ty rows by
/// rc output channels of one image: each thread an rx x rc register tile,
/// its sums in registers. The input channels are walked in chunks of `ci`:
/// per chunk the block stages the input window its outputs read in shared
/// memory (each thread loads part of it), then every thread runs its taps
/// and chunk channels out of shared memory, rx inputs and rc weights for
/// rx * rc FMAs (the weights are the same for the whole block: cached).
/// Tile sizes divide the map (exact splits, so the tiles unroll into
/// registers); the grid over columns and rows is guarded.
void scheduleConvOnDevice(OpStage &out, const RDom &r, int warp,
                          std::vector<std::string> &log) {
  const std::vector<Var> &v = out.vars;
  Var x = v[0], y = v[1], c = v[2], n = v[3];
  int64_t width = out.shape[3], height = out.shape[2], channels = out.shape[1];
  int rx = width % 2 == 0 ? 2 : 1;
  int rc = channels % 4 == 0 ? 4 : channels % 2 == 0 ? 2 : 1;
  // At most 128 threads a block: each holds rx * rc sums in registers.
  int tx = (int)std::min<int64_t>(pow2AtLeast(width / rx), warp / 2);
  int ty = (int)std::min<int64_t>(pow2AtLeast(height), 128 / tx);
  // Input channels staged at a time: a divisor of the group's channels,
  // so that every window has one constant size.
  int channelDim = r.dimensions() - 1;
  const int64_t *groupChannels = Internal::as_const_int(r[channelDim].extent());
  int64_t cg = groupChannels ? *groupChannels : 1;
  int ci = cg % 8 == 0 ? 8 : cg % 4 == 0 ? 4 : cg % 2 == 0 ? 2 : cg <= 8 ? (int)cg : 1;
  Func f = out.func, sums = out.sums;
  Var xq("xq"), xr("xr"), co("co"), cc("cc"), xo("xo"), yo("yo"), xi("xi"),
      yi("yi"), cn("cn");
  f.compute_root()
      .split(x, xq, xr, rx)
      .split(c, co, cc, rc)
      .reorder(xr, cc, xq, y, co, n)
      .gpu_tile(xq, y, xo, yo, xi, yi, tx, ty, TailStrategy::GuardWithIf)
      .fuse(co, n, cn)
      .gpu_blocks(cn)
      .unroll(xr)
      .unroll(cc);
  // The block's sums, each thread's part in its registers.
  Var sq("sq"), sr("sr");
  RVar rco("rco"), rci("rci");
  sums.compute_at(f, xo)
      .store_in(MemoryType::Register)
      .split(x, sq, sr, rx)
      .reorder(sr, c, sq, y, n)
      .gpu_threads(sq, y)
      .unroll(sr)
      .unroll(c);
  std::vector<VarOrRVar> order = {sr, c};
  for (int i = 0; i < channelDim; ++i)
    order.push_back(r[i]);
  order.insert(order.end(), {rci, sq, y, n, rco});
  sums.update()
      .split(x, sq, sr, rx)
      .split(r[channelDim], rco, rci, ci)
      .reorder(order)
      .gpu_threads(sq, y)
      .unroll(sr)
      .unroll(c);
  // The input window of a chunk, in shared memory, loaded by the block.
  Func staged = out.sumsInput;
  std::vector<Var> sv = staged.args();
  Var sxo("sxo"), sxi("sxi"), syo("syo"), syi("syi");
  staged.compute_at(sums, rco)
      .store_in(MemoryType::GPUShared)
      .split(sv[0], sxo, sxi, tx, TailStrategy::GuardWithIf)
      .split(sv[1], syo, syi, ty, TailStrategy::GuardWithIf)
      .reorder(sxi, syi, sxo, syo)
      .gpu_threads(sxi, syi);
  log.push_back(f.name() + ": gpu conv, threads " + std::to_string(tx) + "x" +
                std::to_string(ty) + " over columns x rows, each a register " +
                "tile of " + std::to_string(rx) + " columns x " +
                std::to_string(rc) + " channels (" + sums.name() +
                " in registers), input staged in shared memory " +
                std::to_string(ci) + " channels at a time, blocks over " +
                "channel blocks x images");
}

/// The extents of a stage's Halide dims (innermost first) from its NCHW
/// shape; the batch (-1) counts as 1.
std::vector<int64_t> halideExtents(const std::vector<int64_t> &shape) {
  std::vector<int64_t> e(shape.rbegin(), shape.rend());
  for (int64_t &d : e)
    d = d < 0 ? 1 : d;
  return e;
}

class GpuSchedule final : public TargetSchedule {
  llvm::StringRef name() const override { return "gpu"; }
  bool handles(const Target &target) const override {
    return target.has_feature(Target::CUDA) || target.has_feature(Target::OpenCL);
  }
  void schedule(LoweredModel &model, const Target &target, int,
                std::vector<std::string> &log) const override {
    // 256 threads a block: enough warps to hide latency on a CUDA SM and
    // within every OpenCL device's work-group limit netc targets.
    const int warp = 32, threads = 256;
    for (LoweredEntry &entry : model.entries) {
      // The sums an epilogue computes per thread are no stage of their own.
      std::vector<std::string> perThread;
      std::map<std::string, RDom> reductions;
      for (OpStage &s : entry.stages)
        if (s.kind == OpStage::Conv && s.hasUpdate)
          reductions[s.func.name()] = s.rdom;
      for (OpStage &s : entry.stages)
        if (s.sums.defined() && s.vars.size() == 4 &&
            reductions.count(s.sums.name()))
          perThread.push_back(s.sums.name());
      for (OpStage &s : entry.stages) {
        if (llvm::is_contained(perThread, s.func.name()))
          continue;
        if (s.sums.defined() && llvm::is_contained(perThread, s.sums.name())) {
          scheduleConvOnDevice(s, reductions[s.sums.name()], warp, log);
          continue;
        }
        std::vector<int64_t> extents = halideExtents(s.shape);
        for (Func h : s.helpers) {
          std::vector<int64_t> he =
              h.dimensions() == (int)extents.size() ? extents
                                                    : std::vector<int64_t>();
          scheduleOnDevice(h, he, warp, threads, log);
        }
        scheduleOnDevice(s.func, extents, warp, threads, log);
      }
    }
    (void)target;
  }
};

} // namespace

const TargetSchedule &netc::gpuSchedule() {
  static const GpuSchedule instance;
  return instance;
}
