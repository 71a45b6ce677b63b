//===- ConvSchedule.cpp - Register-tiled convolution, channels innermost --===//
//
// The schedule template for a convolution with a `net.tile` (see the
// NetTile pass), in the spirit of Halide's apps/conv_layer: the output is
// stored channels-innermost and walked in (oc x ow) blocks; each block's
// sums live in vector registers while the reduction runs input channels
// innermost, then the kernel taps. Per input channel and tap the kernel
// loads oc/vec weight vectors (the weights are stored output-channel
// fastest) and broadcasts ow inputs. Rows and images (and, when the tile's
// order puts channel blocks outermost, the blocks) run in parallel.
// The same template serves 1x1 convolutions (a GEMM: the reduction is just
// the input channels) and depthwise ones (one input channel per output, so
// the inputs are vector loads too).
//
//===----------------------------------------------------------------------===//
#include "codegen/schedule/Schedules.h"

#include <algorithm>
#include <optional>

using namespace Halide;
using namespace netc;

namespace {

/// The register tile's sums, computed at `at`: initialised from the bias,
/// then the reduction with input channels innermost and the block fully
/// unrolled.
void scheduleSums(Func acc, const RDom &r, const std::vector<Var> &v, int vec,
                  LoopLevel at, int int8Dot) {
  Var x = v[0], y = v[1], c = v[2], n = v[3];
  acc.compute_at(at)
      .reorder_storage(c, x, y, n)
      .vectorize(c, vec)
      .unroll(c)
      .unroll(x);
  if (int8Dot) {
    // r = (k < int8Dot, kx, ky, channel group): k innermost, vectorized
    // atomically inside the vectorized output channels: a VectorReduce of
    // int8Dot products per int32 lane (vpdpbusd, vpmaddwd).
    Var co("co"), ci("ci");
    acc.update()
        .split(c, co, ci, vec)
        .reorder(r[0], ci, co, x, r[3], r[1], r[2], y, n)
        .atomic()
        .vectorize(r[0])
        .vectorize(ci)
        .unroll(co)
        .unroll(x);
    return;
  }
  Stage update = acc.update();
  update.reorder(c, x, r[2], r[0], r[1], y, n) // kx, ky, input channel
      .vectorize(c, vec)
      .unroll(c)
      .unroll(x);
  // One input channel per output (depthwise, or a one-channel input): the
  // taps unrolled too, so a row's input vectors, shared by neighbouring
  // columns' windows, are loaded once rather than once per tap.
  const int64_t *cin = Internal::as_const_int(r[2].extent());
  const int64_t *kw = Internal::as_const_int(r[0].extent());
  const int64_t *kh = Internal::as_const_int(r[1].extent());
  if (cin && *cin == 1 && kw && kh && *kw * *kh <= 25)
    update.unroll(r[0]).unroll(r[1]);
}

/// The channel blocks of a depthwise convolution computed on its own (one
/// input channel per output, nothing fused into it, f32), else 0.
int depthwiseBlocks(const OpStage &s) {
  if (s.producer >= 0 || s.tile.int8Dot || s.stripRows > 0 ||
      !s.rdom.defined() || s.rdom.dimensions() < 3)
    return 0;
  const int64_t *cin = Internal::as_const_int(s.rdom[2].extent());
  if (!cin || *cin != 1 || s.shape[1] < 2)
    return 0;
  return (int)((s.shape[1] + s.tile.oc - 1) / s.tile.oc);
}

/// The zero-padded copy of a convolution's input, if it has one.
std::string schedulePad(Func p, const std::vector<Var> &v, int vec) {
  if (!p.defined())
    return "";
  Var x = v[0], y = v[1], c = v[2], n = v[3], pyn("pyn");
  p.compute_root().reorder_storage(c, x, y, n).reorder(c, x, y, n);
  p.vectorize(x, vec, TailStrategy::GuardWithIf);
  p.fuse(y, n, pyn).parallel(pyn);
  return "; zero-padded input " + p.name() + " compute_root";
}

std::string describe(const OpStage::Tile &t) {
  return std::string(t.int8Dot == 4   ? "int8 (vpdpbusd), "
                     : t.int8Dot == 2 ? "int8 (vpmaddwd), "
                                      : "") +
         "block " + std::to_string(t.oc) + " channels x " +
         std::to_string(t.ow) + " columns (vec " + std::to_string(t.vec) +
         "), sums in registers, " +
         (t.blocksOuter ? "parallel oc-blocks, y" : "parallel n*y");
}

} // namespace

void netc::scheduleTiledConv(OpStage &s, std::vector<std::string> &log,
                             Func consumer, Var strip,
                             std::optional<LoopLevel> store) {
  const std::vector<Var> &v = s.vars; // x, y, c, n
  Var x = v[0], y = v[1], c = v[2], n = v[3];
  int vec = s.tile.vec, oc = s.tile.oc, ow = s.tile.ow;
  Var co("co"), ci("ci"), cio("cio"), cii("cii"), xo("xo"), xi("xi"),
      yn("yn"), yo("yo"), yi("yi");

  Func out = s.func;
  bool root = !consumer.defined();
  std::string depthwiseTasks;
  LoopLevel at = root ? LoopLevel::root() : LoopLevel(consumer, strip);
  out.compute_at(at)
      .reorder_storage(c, x, y, n)
      .split(c, co, ci, oc, TailStrategy::ShiftInwards)
      .split(x, xo, xi, ow, TailStrategy::ShiftInwards);
  if (!root) {
    // Inside a consumer's parallel strip: serial, rows outermost. Stored
    // further out, the rows slide: each is computed once per task.
    if (store)
      out.store_at(*store);
    out.reorder(ci, xi, xo, co, y, n);
  } else if (s.tile.blocksOuter) {
    // One channel block's weights stay in cache across rows and images.
    // Blocks and rows are nested parallel loops: fusing them would hide the
    // row from bounds inference and make each block's sums span all rows.
    out.reorder(ci, xi, xo, y, n, co).parallel(co).parallel(y);
  } else if (int blocks = depthwiseBlocks(s); blocks > 0) {
    // Depthwise: a channel block needs only its own input channels, so the
    // tasks are channel blocks x strips, as few strips as give 8 tasks per
    // image. Each task pads its rows once, sliding; the strips of H/8 rows
    // below padded the late layers' few rows up to 3 times (14x14: one-row
    // tasks, each padding 3 input rows of every channel).
    int strips = std::min<int>((8 + blocks - 1) / blocks, (int)s.shape[2]);
    int rows = ((int)s.shape[2] + strips - 1) / strips;
    Var task("task");
    depthwiseTasks = " (depthwise: tasks of " + std::to_string(oc) +
                     " channels x " + std::to_string(rows) + " rows)";
    out.split(y, yo, yi, rows, TailStrategy::GuardWithIf)
        .reorder(ci, xi, xo, yi, co, yo, n)
        .fuse(co, yo, task)
        .fuse(task, n, yn)
        .parallel(yn);
  } else {
    // Tasks of H/8 rows (8 per image: enough for the cores at batch 1), so
    // the padded input rows slide from one output row to the next instead
    // of being padded again for each (mobilenet_v2's depthwise layers: 6%
    // faster at batch 1, 10% at batch 8).
    int rows = s.stripRows > 0 ? s.stripRows
                               : std::max<int>(1, (int)s.shape[2] / 8);
    out.split(y, yo, yi, rows, TailStrategy::GuardWithIf)
        .reorder(ci, xi, xo, co, yi, yo, n)
        .fuse(yo, n, yn)
        .parallel(yn);
  }
  out.split(ci, cio, cii, vec).vectorize(cii).unroll(cio).unroll(xi);
  scheduleSums(s.acc, s.rdom, v, vec, LoopLevel(out, xo), s.tile.int8Dot);
  std::string pad;
  Func p = s.paddedInput;
  // The padded rows, stored per `store` and computed per `compute` (where
  // the two differ, Halide's sliding window pads each row once).
  auto padRows = [&](LoopLevel store, LoopLevel compute,
                     const std::string &where) {
    p.store_at(store)
        .compute_at(compute)
        .reorder_storage(c, x, y, n)
        .reorder(c, x, y, n)
        .vectorize(c, vec, TailStrategy::GuardWithIf);
    pad = "; zero-padded input rows " + p.name() + " computed per " + where;
  };
  if (p.defined() && !root && store) {
    // Sliding with this stage's rows: each input row padded once per task.
    padRows(*store, at, "row of " + consumer.name() + ", sliding within its tasks");
  } else if (p.defined() && !root) {
    // The input rows the strip reads, padded once per strip.
    padRows(at, at, "strip");
  } else if (p.defined() && !s.tile.blocksOuter) {
    // Rows outermost: each task pads just the input rows its output rows
    // read, into a small buffer that stays in cache (a whole padded copy
    // would be one more pass over memory; depthwise layers, which are
    // memory-bound, run ~30% faster so), stored per task and computed per
    // output row, sliding within the task.
    padRows(LoopLevel(out, yn), LoopLevel(out, yi),
            "output row, sliding within a task");
  } else {
    pad = schedulePad(s.paddedInput, v, vec);
  }
  log.push_back(s.func.name() + ": tiled conv, channels innermost, " +
                (s.requantized ? "requantized to u8, " : "") +
                (root ? describe(s.tile) + depthwiseTasks
                 : !store
                     ? "block " + std::to_string(oc) + " channels x " +
                           std::to_string(ow) + " columns, per strip of " +
                           consumer.name() + "'s rows"
                     : "block " + std::to_string(oc) + " channels x " +
                           std::to_string(ow) + " columns, rows computed as " +
                           consumer.name() + "'s output rows need them, "
                           "sliding within its tasks") +
                pad);
}

void netc::scheduleGemmConv(OpStage &s, std::vector<std::string> &log) {
  const std::vector<Var> &v = s.vars; // x (pixel), y (one row), c, n
  Var x = v[0], y = v[1], c = v[2], n = v[3];
  int vec = s.tile.vec, oc = s.tile.oc, ow = s.tile.ow, px = s.tile.pixels;
  Var co("co"), ci("ci"), cio("cio"), cii("cii"), xt("xt"), xb("xb"),
      xo("xo"), xi("xi"), t0("t0"), t1("t1"), task("task");
  Func out = s.func;
  // Blocks of ow pixels (the last shifted inwards), then chunks of px/ow
  // blocks (the last one shorter, its missing blocks skipped). Chunks cut
  // first and shifted inwards would leave Halide unable to prove a block's
  // sums a constant size where the chunks do not divide the map: it put
  // them on the heap, one malloc per block and no registers (256->64 on
  // 56x56: 1.7x slower).
  out.compute_root()
      .reorder_storage(c, x, y, n)
      .split(c, co, ci, oc, TailStrategy::ShiftInwards)
      .split(x, xo, xi, ow, TailStrategy::ShiftInwards)
      .split(xo, xt, xb, px / ow, TailStrategy::GuardWithIf)
      .reorder(ci, xi, xb, co, xt, y, n)
      .fuse(co, xt, t0)
      .fuse(t0, y, t1)
      .fuse(t1, n, task)
      .parallel(task);
  out.split(ci, cio, cii, vec).vectorize(cii).unroll(cio).unroll(xi);
  scheduleSums(s.acc, s.rdom, v, vec, LoopLevel(out, xb), 0);
  log.push_back(s.func.name() + ": 1x1 as GEMM on the flattened map, block " +
                std::to_string(oc) + " channels x " + std::to_string(ow) +
                " pixels (vec " + std::to_string(vec) +
                "), parallel tasks of " + std::to_string(oc) +
                " channels x " + std::to_string(px) + " pixels");
}

void netc::scheduleConvWithProducers(OpStage &conv,
                                     std::vector<OpStage> &stages,
                                     std::vector<std::string> &log) {
  // The consumer's tasks (yn) of stripRows output rows (yi): its loop
  // names in scheduleTiledConv's rows-outermost schedule. Every producer
  // up the chain (projection <- depthwise <- expansion) is computed per
  // output row and stored per task, so its rows slide.
  scheduleTiledConv(conv, log);
  Var yn("yn"), yi("yi");
  for (int p = conv.producer; p >= 0; p = stages[p].producer)
    scheduleTiledConv(stages[p], log, conv.func, yi, LoopLevel(conv.func, yn));
}

void netc::schedulePoolWithProducer(OpStage &pool, OpStage &conv, int vec,
                                    std::vector<std::string> &log) {
  const std::vector<Var> &v = pool.vars; // x, y, c, n
  Var x = v[0], y = v[1], c = v[2], n = v[3];
  Var yo("yo"), yi("yi"), co("co"), ci("ci"), strip("strip");
  Func f = pool.func;
  f.compute_root()
      .reorder_storage(c, x, y, n)
      .split(y, yo, yi, pool.stripRows, TailStrategy::GuardWithIf)
      .split(c, co, ci, vec, TailStrategy::GuardWithIf)
      .reorder(ci, co, x, yi, yo, n)
      .vectorize(ci)
      .fuse(yo, n, strip)
      .parallel(strip);
  log.push_back(f.name() + ": pool in parallel strips of " +
                std::to_string(pool.stripRows) +
                " rows, channels innermost, vectorize c by " +
                std::to_string(vec) + "; computes " + conv.func.name() +
                " per strip");
  scheduleTiledConv(conv, log, f, strip);
}

void netc::scheduleChannelsInnermost(OpStage &s, int vec,
                                     std::vector<std::string> &log) {
  const std::vector<Var> &v = s.vars; // x, y, c, n
  Var x = v[0], y = v[1], c = v[2], n = v[3];
  int64_t channels = s.shape[1];
  bool wide = channels >= vec;
  auto schedule = [&](Func f) {
    f.compute_root().reorder_storage(c, x, y, n);
    int updates = f.num_update_definitions();
    for (int u = -1; u < updates; ++u) {
      Stage st = u < 0 ? Stage(f) : f.update(u);
      Var co("co"), ci("ci"), yn("yn");
      std::vector<VarOrRVar> order;
      if (wide) {
        st.split(c, co, ci, vec, TailStrategy::GuardWithIf);
        order.push_back(ci);
      }
      if (u >= 0 && s.rdom.defined())
        for (int i = 0; i < s.rdom.dimensions(); ++i)
          order.push_back(s.rdom[i]);
      if (wide)
        order.push_back(co);
      order.push_back(x);
      if (!wide)
        order.push_back(c);
      order.push_back(y);
      order.push_back(n);
      st.reorder(order);
      if (wide)
        st.vectorize(ci);
      st.fuse(y, n, yn).parallel(yn);
    }
  };
  schedule(s.func);
  for (Func h : s.helpers)
    if (h.dimensions() == 4)
      schedule(h);
    else
      h.compute_root();
  log.push_back(s.func.name() + ": channels innermost, " +
                (wide ? "vectorize c by " + std::to_string(vec)
                      : std::string("scalar c")) +
                ", parallel y*n");
}
