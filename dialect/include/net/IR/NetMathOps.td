//===- NetMathOps.td - elementwise math (relu6, abs, sqrt, exp, -*- tablegen -*-===//
//
// Ops of the math family: elementwise math (relu6, abs, sqrt, exp, log, square, leaky_relu), log_softmax, reductions (mean, sum), l2norm, reshape.
// Included by NetOps.td.
//
//===----------------------------------------------------------------------===//
#ifndef NET_MATH_OPS_TD
#define NET_MATH_OPS_TD

#endif // NET_MATH_OPS_TD
