//===- WeightBinding.cpp - Values for every parameter of a model ----------===//
#include "driver/WeightBinding.h"

#include "weights/Init.h"
#include "weights/Safetensors.h"
#include "net/IR/NetOps.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"

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

bool netc::saveWeights(mlir::ModuleOp module, const std::string &path,
                       std::string &error) {
  WeightFile file;
  bool ok = true;
  module.walk([&](mlir::net::WeightOp w) {
    if (!ok || w.getFrozen() || file.lookup(w.getName()))
      return;
    std::optional<std::vector<float>> values = w.getValues();
    if (!values) {
      error = "--save-weights: parameter '" + w.getName().str() +
              "' has no value (--no-embed-weights)";
      ok = false;
      return;
    }
    WeightTensor t;
    auto type = llvm::cast<mlir::RankedTensorType>(w.getType());
    t.shape.assign(type.getShape().begin(), type.getShape().end());
    t.data = std::move(*values);
    file.add(w.getName(), std::move(t));
  });
  if (!ok)
    return false;
  std::string tmp = path + ".tmp";
  if (llvm::Error e = writeSafetensors(tmp, file)) {
    error = llvm::toString(std::move(e));
    llvm::sys::fs::remove(tmp);
    return false;
  }
  if (std::error_code ec = llvm::sys::fs::rename(tmp, path)) {
    error = "cannot write '" + path + "': " + ec.message();
    llvm::sys::fs::remove(tmp);
    return false;
  }
  return true;
}
