//===- Reference.h - Naive reference evaluator of the net dialect -*- C++ -*-===//
//
// Plain loops over @forward, written for clarity, not speed: the oracle the
// tests compare compiled libraries with, and a debugging aid for users
// (`netc MODEL.net --run-reference --input x=x.npy --output-dir DIR`).
//
//===----------------------------------------------------------------------===//
#ifndef NETC_REFERENCE_REFERENCE_H
#define NETC_REFERENCE_REFERENCE_H


#include "mlir/IR/BuiltinOps.h"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace netc {

/// A dense C-ordered f32 tensor (i32 inputs are converted).
struct RefTensor {
  std::vector<int64_t> shape;
  std::vector<float> data;
  int64_t numel() const;
};

/// Evaluates the entry function `entry` ("forward" or "loss") on `inputs`,
/// the parameters' values taken from the IR (net.weight's value)
/// (by input name; inputs the entry does not read may be absent). Fills
/// `outputs` in declaration order (name, tensor). `observe`, when given,
/// sees each op with the value of its first operand just before the op is
/// evaluated (calibration: the inputs of the layers). On failure returns
/// false with `error`.
using RefObserver = std::function<void(mlir::Operation *, const RefTensor &)>;
bool evaluateReference(mlir::ModuleOp module, llvm::StringRef entry,
                       const std::map<std::string, RefTensor> &inputs,
                       std::vector<std::pair<std::string, RefTensor>> &outputs,
                       std::string &error, const RefObserver &observe = {});

} // namespace netc

#endif // NETC_REFERENCE_REFERENCE_H
