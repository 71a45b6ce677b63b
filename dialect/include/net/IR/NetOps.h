//===- NetOps.h - Operations of the net dialect -----------------*- C++ -*-===//
#ifndef NET_IR_NETOPS_H
#define NET_IR_NETOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "net/IR/NetAttrs.h"
#include "net/IR/NetDialect.h"
#include "net/IR/NetInterfaces.h.inc"

#define GET_OP_CLASSES
#include "net/IR/NetOps.h.inc"

namespace mlir::net {
/// The net.qdq whose u8 grid `v` lies on: `v` is its result, or an int8
/// max pool's (net-quantize moves a qdq above a max pool) of such a value.
/// Null when `v` is not on a grid.
QdqOp quantizedSource(Value v);
} // namespace mlir::net

#endif // NET_IR_NETOPS_H
