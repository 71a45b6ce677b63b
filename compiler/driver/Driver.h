//===- Driver.h - The netc command line -------------------------*- C++ -*-===//
#ifndef NETC_DRIVER_DRIVER_H
#define NETC_DRIVER_DRIVER_H

#include "codegen/TargetDesc.h"

namespace mlir {
class DialectRegistry;
class PassManager;
} // namespace mlir

namespace netc {

/// Registers the dialects netc's IR uses.
void registerNetDialects(mlir::DialectRegistry &registry);

/// Adds the net-level optimisation pipeline for `optLevel`; `target` sizes
/// the register tiles (-O2).
void buildNetPipeline(mlir::PassManager &pm, int optLevel,
                      const TargetDesc &target = TargetDesc());

/// Registers the net passes with MLIR's pass registry (for net-opt).
void registerNetPasses();

/// `netc`: parses its own command line; returns the process exit status.
int netcMain(int argc, char **argv);

} // namespace netc

#endif // NETC_DRIVER_DRIVER_H
