//===- net-opt.cpp - mlir-opt for the net dialect -------------------------===//
//
// Registers the net dialect, its passes and MLIR's core passes so that lit tests can run
// `net-opt in.mlir --canonicalize | FileCheck %s`.
//
//===----------------------------------------------------------------------===//
#include "driver/Driver.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::registerTransformsPasses();
  netc::registerNetPasses();
  mlir::DialectRegistry registry;
  netc::registerNetDialects(registry);
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "net dialect optimizer\n", registry));
}
