//===- NetVisionOps.cpp - Type inference of the vision ops ---------------------===//
//
// gram, correlation and the loss terms bce, triplet, contrastive, content_cost, style_cost, epe.
//
//===----------------------------------------------------------------------===//
#include "net/IR/NetOps.h"
#include "ShapeUtils.h"

using namespace mlir;
using namespace mlir::net;
using namespace mlir::net::detail;
