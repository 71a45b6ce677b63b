//===- MathOps.cpp - Built-in ops of the math family -----------------------===//
//
// elementwise math (relu6, abs, sqrt, exp, log, square, leaky_relu), log_softmax, reductions (mean, sum), l2norm, reshape.
//
//===----------------------------------------------------------------------===//
#include "frontend/OpEmitter.h"

#include "net/IR/NetOps.h"

using namespace netc;
using namespace mlir;

void netc::registerMathOps(OpTable &t) {}
