//===- MathLowering.cpp - Halide lowering of the math ops ------------------===//
//
// elementwise math (relu6, abs, sqrt, exp, log, square, leaky_relu), log_softmax, reductions (mean, sum), l2norm, reshape.
//
//===----------------------------------------------------------------------===//
#include "codegen/lower/LowerContext.h"

#include "net/IR/NetOps.h"

using namespace netc;
using namespace Halide;

void netc::registerMathLowerings(LowerTable &t) {}
