//===- NetDialect.cpp - The net dialect -----------------------------------===//
#include "net/IR/NetDialect.h"
#include "net/IR/NetAttrs.h"
#include "net/IR/NetOps.h"

using namespace mlir;
using namespace mlir::net;

#include "net/IR/NetDialect.cpp.inc"

void NetDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "net/IR/NetOps.cpp.inc"
      >();
  registerAttributes();
}
