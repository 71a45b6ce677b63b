//===- X86Schedule.cpp - The first CPU schedule ---------------------------===//
//
// Every op is its own compute_root stage. At -O1/-O2 the innermost dim is
// vectorized at the target's natural float width and the outer dims are
// fused and run in parallel over the thread pool (both cores); reductions
// keep their taps inside the vector loop. -O0 is plain serial loops: the
// correctness baseline. Stages the net passes tiled or stored channels
// innermost (-O2) use the templates of ConvSchedule.cpp instead.
//
//===----------------------------------------------------------------------===//
#include "codegen/schedule/Schedules.h"
#include "codegen/schedule/TargetSchedule.h"

using namespace Halide;
using namespace netc;

namespace {

/// Vectorizes `x` and parallelises the fused outer dims of one definition.
template <typename StageT>
void vectorizeAndParallelize(StageT stage, const netc::OpStage &s, int vec,
                             bool innerIsWide, std::vector<std::string> &log,
                             const std::string &what) {
  const std::vector<Var> &v = s.vars;
  Var xo("xo"), xi("xi");
  std::vector<VarOrRVar> order;
  if (innerIsWide) {
    stage.split(v[0], xo, xi, vec, TailStrategy::GuardWithIf);
    order.push_back(xi);
  }
  // Reduction taps sit between the vector lanes and the rest of the nest.
  if (s.rdom.defined() && what == "update")
    for (int i = 0; i < s.rdom.dimensions(); ++i)
      order.push_back(s.rdom[i]);
  order.push_back(innerIsWide ? xo : v[0]);
  for (size_t i = 1; i < v.size(); ++i)
    order.push_back(v[i]);
  if (order.size() > 1)
    stage.reorder(order);
  if (innerIsWide)
    stage.vectorize(xi);
  std::string par;
  if (v.size() >= 3) {
    // Fuse channels and batch: enough parallel work at batch 1.
    Var cn("cn");
    stage.fuse(v[v.size() - 2], v.back(), cn).parallel(cn);
    par = v[v.size() - 2].name() + "*" + v.back().name();
  } else if (v.size() == 2) {
    stage.parallel(v[1]);
    par = v[1].name();
  } else if (innerIsWide && s.shape[0] >= 2 * vec) {
    // A per-channel vector (a batchnorm's statistics, a bias's gradient):
    // its vectors of channels in parallel, each with its whole reduction.
    stage.parallel(xo);
    par = xo.name();
  }
  log.push_back("  " + what + ": " +
                (innerIsWide ? "vectorize " + v[0].name() + " by " +
                                   std::to_string(vec) + "; "
                             : std::string()) +
                (par.empty() ? "serial" : "parallel " + par));
}

/// A fully connected layer of at least kFcBlock outputs (the last block
/// is guarded): blocks of outputs in parallel; within a block the sums of
/// one image stay in registers while its weights stream by, and the next
/// image finds the block's weights in cache (a block of a ResNet or
/// GoogLeNet classifier is 128 KB or less). Each output vector keeps
/// kFcPartials partial sums over interleaved inputs (rfactor), merged at
/// the end: with one, every FMA waited on the one before it, 2048 of them
/// per image in resnet50's classifier (at batch 8 it took 1.08 ms against
/// ONNX Runtime's 0.37; at batch 1 the weights' 8 MB from memory hide it).
void scheduleFc(netc::OpStage &s, int vec, std::vector<std::string> &log) {
  constexpr int kFcPartials = 4;
  Var o = s.vars[0], n = s.vars[1], ob("ob"), oi("oi"), u("u");
  RVar r = s.rdom.x, ro("ro"), ri("ri");
  int lanes = std::min(vec, kFcBlock);
  s.func.compute_root()
      .split(o, ob, oi, kFcBlock, TailStrategy::GuardWithIf)
      .vectorize(oi, lanes)
      .parallel(ob);
  Func partial = s.func.update()
                     .split(r, ro, ri, kFcPartials, TailStrategy::GuardWithIf)
                     .rfactor(ri, u);
  // The merge and the partial sums take the whole block as one vector (two
  // on AVX2): the merge is an update, and the guarded tail block, split
  // again into target vectors, added its last vector twice (Halide 14).
  s.func.update()
      .split(o, ob, oi, kFcBlock, TailStrategy::GuardWithIf)
      .reorder(ri, oi, n, ob)
      .vectorize(oi)
      .unroll(ri)
      .parallel(ob);
  Var pi("pi"), po("po");
  partial.compute_at(s.func, n)
      .split(o, po, pi, kFcBlock, TailStrategy::GuardWithIf)
      .vectorize(pi)
      .unroll(u);
  partial.update()
      .split(o, po, pi, kFcBlock, TailStrategy::GuardWithIf)
      .reorder(pi, u, po, ro)
      .vectorize(pi)
      .unroll(u);
  log.push_back(s.func.name() + ": fc, blocks of " +
                std::to_string(kFcBlock) + " outputs in parallel, then " +
                "images, inputs innermost in " + std::to_string(kFcPartials) +
                " interleaved partial sums, vectorize by " +
                std::to_string(lanes));
}

/// Applies the CPU schedule for `optLevel` to every stage.
void scheduleX86(LoweredModel &model, const Target &target, int optLevel,
                 std::vector<std::string> &log) {
  const int vec = target.natural_vector_size<float>();
  for (LoweredEntry &entry : model.entries)
    for (netc::OpStage &s : entry.stages) {
    if (s.inlined)
      continue; // computed inside a consumer's schedule
    if (s.producer >= 0 && s.kind == netc::OpStage::Pool) {
      schedulePoolWithProducer(s, entry.stages[s.producer], vec, log);
      continue;
    }
    if (s.producer >= 0) {
      scheduleConvWithProducers(s, entry.stages, log);
      continue;
    }
    if (s.wino.m) {
      scheduleWinogradConv(s, log);
      continue;
    }
    if (s.sparse.flatTile) {
      scheduleFlatSparseConv(s, log);
      continue;
    }
    if (s.sparse.vec) {
      scheduleSparseConv(s, log);
      continue;
    }
    if (s.sparse.fc) {
      scheduleSparseFc(s, log);
      continue;
    }
    if (optLevel >= 1 && (s.regTileVar >= 0 || s.regLanes)) {
      scheduleRegisterTile(s, vec, log);
      continue;
    }
    if (optLevel >= 1 && s.tile.vec && s.tile.pixels) {
      scheduleGemmConv(s, log);
      continue;
    }
    if (optLevel >= 1 && s.tile.vec) {
      scheduleTiledConv(s, log);
      continue;
    }
    if (optLevel >= 1 && s.kind == OpStage::Fc && s.shape[1] >= kFcBlock) {
      scheduleFc(s, vec, log);
      continue;
    }
    if (optLevel >= 1 && s.channelsInnermost) {
      scheduleChannelsInnermost(s, vec, log);
      continue;
    }
    s.func.compute_root();
    for (Func h : s.helpers)
      h.compute_root();
    if (s.acc.defined()) // a gradient kernel's sums (-O0)
      s.acc.compute_root();
    log.push_back(s.func.name() + ": compute_root");
    // Scalars (losses) and -O0 stay serial.
    if (optLevel == 0 || s.vars.empty())
      continue;
    // The innermost dim is NCHW's last; vectorize only when it fills a
    // vector (small tails are guarded, never read out of bounds).
    int64_t inner = s.shape.back();
    bool wide = inner >= vec;
    vectorizeAndParallelize(s.func, s, vec, wide, log, "pure");
    if (s.hasUpdate)
      vectorizeAndParallelize(s.func.update(), s, vec, wide, log, "update");
  }
}

class X86Schedule final : public TargetSchedule {
  llvm::StringRef name() const override { return "x86"; }
  bool handles(const Target &target) const override {
    return target.arch == Target::X86 && !target.has_gpu_feature();
  }
  void schedule(LoweredModel &model, const Target &target, int optLevel,
                std::vector<std::string> &log) const override {
    scheduleX86(model, target, optLevel, log);
  }
};

} // namespace

const TargetSchedule &netc::x86Schedule() {
  static const X86Schedule instance;
  return instance;
}
