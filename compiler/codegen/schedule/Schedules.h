//===- Schedules.h - The x86 schedule templates (internal) ------*- C++ -*-===//
#ifndef NETC_CODEGEN_SCHEDULE_SCHEDULES_H
#define NETC_CODEGEN_SCHEDULE_SCHEDULES_H

#include "codegen/Lowered.h"

#include <optional>

namespace netc {

/// A convolution stage with a register tile (OpStage::tile), computed at
/// `strip` of `consumer` and stored there or, if given, at `store`
/// further out (undefined consumer: compute_root, with its own parallel
/// loops).
void scheduleTiledConv(OpStage &s, std::vector<std::string> &log,
                       Halide::Func consumer = Halide::Func(),
                       Halide::Var strip = Halide::Var(),
                       std::optional<Halide::LoopLevel> store = std::nullopt);

/// A convolution with the convolutions before it fused (OpStage::producer,
/// NetFuseExpand: a depthwise conv's 1x1 expansion, a projection's
/// depthwise conv, in `stages`): parallel tasks of stripRows output rows,
/// each producer's rows computed as the output rows need them.
void scheduleConvWithProducers(OpStage &conv, std::vector<OpStage> &stages,
                               std::vector<std::string> &log);

/// A convolution with a sparse kernel (OpStage::sparse).
void scheduleSparseConv(OpStage &s, std::vector<std::string> &log);
/// A 1x1 convolution with a sparse kernel on a flattened map
/// (OpStage::sparse.flatTile).
void scheduleFlatSparseConv(OpStage &s, std::vector<std::string> &log);
/// A dense 1x1 convolution as a GEMM on a flattened map (OpStage::tile
/// with pixels > 0, net-tile-gemm): tasks of oc channels x pixels.
void scheduleGemmConv(OpStage &s, std::vector<std::string> &log);
/// A fully connected layer with a sparse kernel (OpStage::sparse.fc).
void scheduleSparseFc(OpStage &s, std::vector<std::string> &log);

/// A convolution lowered as Winograd F(m x m, 3 x 3) (OpStage::wino).
void scheduleWinogradConv(OpStage &s, std::vector<std::string> &log);

/// A pool fused with the tiled convolution it reads (OpStage::producer):
/// parallel strips of rows, the convolution computed per strip.
void schedulePoolWithProducer(OpStage &pool, OpStage &conv, int vec,
                              std::vector<std::string> &log);

/// A 4-D stage stored channels-innermost: channels vectorized (when there
/// are at least `vec`), rows and images in parallel.
void scheduleChannelsInnermost(OpStage &s, int vec,
                               std::vector<std::string> &log);

/// A gradient kernel computed by register tiles (OpStage::regTileVar):
/// vars[0] vectorized, the tile dim unrolled, the reduction inside the
/// tile; or, with regLanes, partial sums per vector lane tiled over the
/// kernel's columns, then summed (GradSchedule.cpp).
void scheduleRegisterTile(OpStage &s, int vec, std::vector<std::string> &log);

} // namespace netc

#endif // NETC_CODEGEN_SCHEDULE_SCHEDULES_H
