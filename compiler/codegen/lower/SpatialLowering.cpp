//===- SpatialLowering.cpp - Halide lowering of the spatial ops ------------------===//
//
// dwconv, deconv, minpool, global pools, lrn, residual, upsample.
//
//===----------------------------------------------------------------------===//
#include "codegen/lower/LowerContext.h"

#include "net/IR/NetOps.h"

using namespace netc;
using namespace Halide;

void netc::registerSpatialLowerings(LowerTable &t) {}
