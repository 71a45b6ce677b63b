//===- NetMathOps.cpp - Type inference of the math ops ---------------------===//
//
// elementwise math (relu6, abs, sqrt, exp, log, square, leaky_relu), log_softmax, reductions (mean, sum), l2norm, reshape.
//
//===----------------------------------------------------------------------===//
#include "net/IR/NetOps.h"
#include "ShapeUtils.h"

using namespace mlir;
using namespace mlir::net;
using namespace mlir::net::detail;
