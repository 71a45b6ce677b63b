//===- Schedules.h - The x86 schedule templates (internal) ------*- C++ -*-===//
#ifndef NETC_CODEGEN_SCHEDULE_SCHEDULES_H
#define NETC_CODEGEN_SCHEDULE_SCHEDULES_H

#include "codegen/Lowered.h"

namespace netc {

/// A convolution stage with a register tile (OpStage::tile).
void scheduleTiledConv(OpStage &s, std::vector<std::string> &log);

/// A concat whose parts are tiled convolutions written in place.
void scheduleConcatInPlace(OpStage &s, std::vector<std::string> &log);

/// A 4-D stage stored channels-innermost: channels vectorized (when there
/// are at least `vec`), rows and images in parallel.
void scheduleChannelsInnermost(OpStage &s, int vec,
                               std::vector<std::string> &log);

} // namespace netc

#endif // NETC_CODEGEN_SCHEDULE_SCHEDULES_H
