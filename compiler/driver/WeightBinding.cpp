//===- WeightBinding.cpp - Values for every parameter of a model ----------===//
#include "driver/WeightBinding.h"

#include "weights/Init.h"
#include "weights/Safetensors.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"

using namespace netc;

static std::string shapeStr(llvm::ArrayRef<int64_t> shape) {
  return "[" +
         llvm::join(llvm::map_range(shape,
                                    [](int64_t d) { return std::to_string(d); }),
                    ", ") +
         "]";
}

std::optional<WeightMap> netc::bindWeights(const Source &src,
                                           const NetProgram &prog,
                                           const std::string &weightsPath,
                                           uint64_t seed, bool initialise) {
  WeightMap values;
  if (weightsPath.empty()) {
    for (const ParamInfo &p : prog.params)
      if (p.frozen)
        values[p.name] = p.value;
      else if (initialise)
        values[p.name] = initParameter(p.name, p.shape, p.init, seed);
    return values;
  }

  llvm::Expected<WeightFile> file = readSafetensors(weightsPath);
  if (!file) {
    std::string msg = llvm::toString(file.takeError());
    src.noteError();
    if (prog.weightsLoc)
      mlir::emitError(*prog.weightsLoc) << "cannot load weights: " << msg;
    else // from --weights: no place in the source to point at
      llvm::errs() << "netc: error: cannot load weights: " << msg << "\n";
    return std::nullopt;
  }
  llvm::StringSet<> used;
  bool ok = true;
  for (const ParamInfo &p : prog.params) {
    if (p.frozen) {
      values[p.name] = p.value;
      continue;
    }
    const WeightTensor *t = file->lookup(p.name);
    if (!t) {
      src.noteError();
      mlir::emitError(p.loc) << "weights file '" << weightsPath
                             << "' lacks tensor '" << p.name << "' (f32"
                             << shapeStr(p.shape) << ")";
      ok = false;
      continue;
    }
    used.insert(p.name);
    bool isFloat = t->dtype == "F32" || t->dtype == "F64" ||
                   t->dtype == "F16" || t->dtype == "BF16";
    if (!isFloat) {
      src.noteError();
      mlir::emitError(p.loc) << "tensor '" << p.name << "' in '" << weightsPath
                             << "' has dtype " << t->dtype
                             << " but a float tensor is expected";
      ok = false;
      continue;
    }
    if (t->shape != p.shape) {
      src.noteError();
      mlir::emitError(p.loc) << "tensor '" << p.name << "' in '" << weightsPath
                             << "' has shape " << shapeStr(t->shape)
                             << " but the network needs " << shapeStr(p.shape);
      ok = false;
      continue;
    }
    if (p.autoNamed)
      mlir::emitWarning(p.loc)
          << "parameter '" << p.name
          << "' has a made-up name and is loaded from the weights file; name "
             "its op with 'as \"...\"' or a statement of its own";
    values[p.name] = t->data;
  }
  for (const std::string &name : file->names)
    if (!used.count(name) && !llvm::StringRef(name).ends_with(
                                 ".num_batches_tracked"))
      mlir::emitWarning(mlir::FileLineColLoc::get(src.ctx, weightsPath, 0, 0))
          << "tensor '" << name << "' in the weights file is not used by the "
             "network";
  if (!ok)
    return std::nullopt;
  return values;
}
