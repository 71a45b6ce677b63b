//===- Evaluator.h - State of the reference evaluator (internal) -*- C++ -*-===//
//
// The naive evaluator keeps one dense tensor per SSA value. Ops are
// evaluated by rules: the core ones in Reference.cpp, the others in a table
// filled per family (reference/*Rules.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef NETC_REFERENCE_EVALUATOR_H
#define NETC_REFERENCE_EVALUATOR_H

#include "reference/Reference.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"

#include <functional>
#include <optional>

namespace netc {

/// Row-major strides of a shape.
inline std::vector<int64_t> stridesOf(const std::vector<int64_t> &shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;)
    s[i - 1] = s[i] * shape[i];
  return s;
}

/// Calls fn(index vector) for every index of `shape`, in row-major order.
template <typename Fn>
inline void forEachIndex(const std::vector<int64_t> &shape, Fn fn) {
  std::vector<int64_t> idx(shape.size(), 0);
  int64_t total = 1;
  for (int64_t d : shape)
    total *= d;
  for (int64_t k = 0; k < total; ++k) {
    fn(idx);
    for (size_t d = shape.size(); d-- > 0;) {
      if (++idx[d] < shape[d])
        break;
      idx[d] = 0;
    }
  }
}

class Evaluator;

/// Evaluates one op whose operands are in `ev`; nullopt (with ev.error set)
/// on failure.
using RefRule =
    std::function<std::optional<RefTensor>(Evaluator &ev, mlir::Operation *op)>;
using RefTable = llvm::StringMap<RefRule>;

/// Rules beyond the core ops, by operation name.
const RefTable &referenceRules();
// One registration function per family (reference/*Rules.cpp).
void registerMathRules(RefTable &t);
void registerSpatialRules(RefTable &t);
void registerVisionRules(RefTable &t);

class Evaluator {
public:
  llvm::DenseMap<mlir::Value, RefTensor> env;
  std::string error;

  /// The concrete shape of a result: its static dims, the batch from `like`.
  std::vector<int64_t> shapeOf(mlir::Value v, int64_t batch) {
    std::vector<int64_t> s;
    for (int64_t d : llvm::cast<mlir::RankedTensorType>(v.getType()).getShape())
      s.push_back(mlir::ShapedType::isDynamic(d) ? batch : d);
    return s;
  }

  const RefTensor &get(mlir::Value v) { return env[v]; }
  bool eval(mlir::Operation *op);
  std::optional<RefTensor> evalCore(mlir::Operation *op);
};

} // namespace netc

#endif // NETC_REFERENCE_EVALUATOR_H
