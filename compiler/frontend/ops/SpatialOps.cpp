//===- SpatialOps.cpp - Built-in ops of the spatial family -----------------------===//
//
// dwconv, deconv, minpool, global pools, lrn, residual, upsample.
//
//===----------------------------------------------------------------------===//
#include "frontend/OpEmitter.h"

#include "net/IR/NetOps.h"

using namespace netc;
using namespace mlir;

void netc::registerSpatialOps(OpTable &t) {}
