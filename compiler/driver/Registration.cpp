//===- Registration.cpp - Dialects and net pass pipeline ------------------===//
//
// Shared by netc and net-opt; free of command-line options so that net-opt
// (which has MlirOptMain's) can link it.
//
//===----------------------------------------------------------------------===//
#include "driver/Driver.h"

#include "net/IR/NetDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

void netc::registerNetDialects(mlir::DialectRegistry &registry) {
  registry.insert<mlir::net::NetDialect, mlir::func::FuncDialect>();
}

void netc::buildNetPipeline(mlir::PassManager &pm, int optLevel) {
  // Dead layers (those no output needs) go away at every level.
  pm.addPass(mlir::createCanonicalizerPass());
  if (optLevel >= 1)
    pm.addPass(mlir::createCSEPass());
}
