//===- VisionOps.cpp - Built-in ops of the vision family -----------------------===//
//
// gram, correlation and the loss terms bce, triplet, contrastive, content_cost, style_cost, epe.
//
//===----------------------------------------------------------------------===//
#include "frontend/OpEmitter.h"

#include "net/IR/NetOps.h"

using namespace netc;
using namespace mlir;

void netc::registerVisionOps(OpTable &t) {}
