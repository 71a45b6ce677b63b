//===- WeightBinding.h - Values for every parameter of a model --*- C++ -*-===//
#ifndef NETC_DRIVER_WEIGHTBINDING_H
#define NETC_DRIVER_WEIGHTBINDING_H

#include "weights/WeightMap.h"
#include "frontend/MLIRGen.h"
#include "frontend/Source.h"

#include "mlir/IR/BuiltinOps.h"

#include <optional>
#include <string>

namespace netc {

/// Gives every parameter of `prog` a value: from the `.safetensors` file
/// `weightsPath` when it is non-empty (missing tensors, wrong shapes or
/// dtypes are located errors naming the tensor; unused tensors and
/// auto-named parameters are warnings), else the deterministic
/// initialisation from `seed` (only when `initialise`: a library without
/// embedded weights needs no values). Frozen `init=` constants keep their
/// value.
std::optional<WeightMap> bindWeights(const Source &src, const NetProgram &prog,
                                     const std::string &weightsPath,
                                     uint64_t seed, bool initialise = true);

/// `netc --save-weights=FILE`: writes every parameter with a value that is
/// not a frozen constant, as the library will hold it (pruned, shared;
/// at -O2 also folded: "<weight>#bn"), to the .safetensors file `path` by
/// name, each once; written whole or not at all. False with `error`.
bool saveWeights(mlir::ModuleOp module, const std::string &path,
                 std::string &error);

} // namespace netc

#endif // NETC_DRIVER_WEIGHTBINDING_H
