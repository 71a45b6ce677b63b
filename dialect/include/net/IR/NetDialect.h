//===- NetDialect.h - The net dialect ---------------------------*- C++ -*-===//
#ifndef NET_IR_NETDIALECT_H
#define NET_IR_NETDIALECT_H

#include "mlir/IR/Dialect.h"

#include "net/IR/NetDialect.h.inc"

#endif // NET_IR_NETDIALECT_H
