//===- NetGradients.h - Gradient models of the net ops ---------*- C++ -*-===//
#ifndef NET_IR_NETGRADIENTS_H
#define NET_IR_NETGRADIENTS_H

namespace mlir {
class DialectRegistry;
namespace net {
/// Attaches the DifferentiableOp and LossTermOp models to the forward ops
/// (what net-differentiate asks); netc and net-opt register them.
void registerGradientModels(DialectRegistry &registry);
} // namespace net
} // namespace mlir

#endif // NET_IR_NETGRADIENTS_H
