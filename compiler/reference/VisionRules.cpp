//===- VisionRules.cpp - Reference rules of the vision ops ---------------------===//
//
// gram, correlation and the loss terms bce, triplet, contrastive, content_cost, style_cost, epe.
//
//===----------------------------------------------------------------------===//
#include "reference/Evaluator.h"

#include "net/IR/NetOps.h"

using namespace netc;
using namespace mlir;

void netc::registerVisionRules(RefTable &t) {}
