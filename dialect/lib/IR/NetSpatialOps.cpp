//===- NetSpatialOps.cpp - Type inference of the spatial ops ---------------------===//
//
// dwconv, deconv, minpool, global pools, lrn, residual, upsample.
//
//===----------------------------------------------------------------------===//
#include "net/IR/NetOps.h"
#include "ShapeUtils.h"

using namespace mlir;
using namespace mlir::net;
using namespace mlir::net::detail;
