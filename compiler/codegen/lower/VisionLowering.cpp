//===- VisionLowering.cpp - Halide lowering of the vision ops ------------------===//
//
// gram, correlation and the loss terms bce, triplet, contrastive, content_cost, style_cost, epe.
//
//===----------------------------------------------------------------------===//
#include "codegen/lower/LowerContext.h"

#include "net/IR/NetOps.h"

using namespace netc;
using namespace Halide;

void netc::registerVisionLowerings(LowerTable &t) {}
