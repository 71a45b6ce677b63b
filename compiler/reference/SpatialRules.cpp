//===- SpatialRules.cpp - Reference rules of the spatial ops ---------------------===//
//
// dwconv, deconv, minpool, global pools, lrn, residual, upsample.
//
//===----------------------------------------------------------------------===//
#include "reference/Evaluator.h"

#include "net/IR/NetOps.h"

using namespace netc;
using namespace mlir;

void netc::registerSpatialRules(RefTable &t) {}
