//===- Passes.h - Optimisation passes on the net dialect -------*- C++ -*-===//
#ifndef NET_TRANSFORMS_PASSES_H
#define NET_TRANSFORMS_PASSES_H

#include "net/IR/NetDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::net {

#define GEN_PASS_DECL
#include "net/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "net/Transforms/Passes.h.inc"

} // namespace mlir::net

#endif // NET_TRANSFORMS_PASSES_H
