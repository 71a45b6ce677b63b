//===- MLIRGen.h - Semantic analysis and `net` dialect generation -*- C++ -*-===//
#ifndef NETC_FRONTEND_MLIRGEN_H
#define NETC_FRONTEND_MLIRGEN_H

#include "frontend/AST.h"
#include "frontend/Source.h"
#include "weights/Init.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <optional>
#include <string>
#include <vector>

namespace netc {

/// A parameter tensor the network needs, in first-use order.
struct ParamInfo {
  std::string name; // full state_dict name, e.g. "layer1.0.conv1.weight"
  std::vector<int64_t> shape;
  netc::ParamInit init = netc::ParamInit::Zeros;
  bool frozen = false;       // constant from `init=`; never loaded
  std::vector<float> value;  // the constant when frozen
  bool autoNamed = false;    // prefix was made up (`conv_0`)
  mlir::Location loc;
};

struct NetProgram {
  mlir::OwningOpRef<mlir::ModuleOp> module;
  std::string name;
  std::vector<ParamInfo> params;
  std::string weightsFile; // from a `weights "..."` statement, resolved
  std::optional<mlir::Location> weightsLoc;
};

/// Checks names, arguments, blocks and shapes of `main` (blocks of
/// `imports` are visible) and builds the `net` dialect module:
/// `func.func @forward` with one argument per model input and one result
/// per `output`, and, when there are `loss` statements, `func.func @loss`
/// with the same arguments and one scalar result per loss (layers an entry
/// does not need are pruned). Returns nothing when any error was reported.
std::optional<NetProgram> genNet(const Source &src, const Module &main,
                                 const std::vector<const Module *> &imports,
                                 int64_t fixedBatch = 0);

} // namespace netc

#endif // NETC_FRONTEND_MLIRGEN_H
