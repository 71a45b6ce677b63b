//===- GpuTarget.cpp - The GPU model (#net.gpu) ---------------------------===//
//
// What the net passes ask a GPU target. The x86 choices are CPU ones:
// channels-innermost storage feeds vector registers across channels,
// register tiles and Winograd are sized for a core's register file, the
// sparse kernels for its caches. On a GPU, threads along W read
// consecutive floats of an NCHW map (coalesced loads), so layouts stay
// NCHW and convolutions are left to the GPU templates (GpuSchedule.cpp).
// Concat crops would need device sub-buffers (OpenCL aligns their origins),
// so every concat is its own kernel.
//
//===----------------------------------------------------------------------===//
#include "net/IR/NetAttrs.h"

using namespace mlir;
using namespace mlir::net;

int64_t GpuTargetAttr::getFloatLanes() const { return getWarp(); }

int64_t GpuTargetAttr::getCacheBytes() const { return getShared(); }

bool GpuTargetAttr::storesChannelsInnermost(Operation *) const { return false; }

Attribute GpuTargetAttr::chooseConvTile(Operation *, bool) const { return {}; }

Attribute GpuTargetAttr::chooseGemmTile(Operation *) const { return {}; }

Attribute GpuTargetAttr::chooseWeightFormat(Operation *, int64_t, int64_t) const {
  return {};
}

bool GpuTargetAttr::cropsConcatParts() const { return false; }

bool X86TargetAttr::cropsConcatParts() const { return true; }
