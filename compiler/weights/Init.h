//===- Init.h - Deterministic parameter initialisation ----------*- C++ -*-===//
//
// The initialisation used when netc is given no weights file. Values depend
// only on (seed, parameter name, shape, kind): each parameter draws from its
// own random stream keyed by a hash of its full name, so adding or renaming a
// layer leaves every other parameter unchanged. The generator (splitmix64 +
// Box-Muller) is implemented here rather than taken from <random>, whose
// distributions differ between standard libraries.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_WEIGHTS_INIT_H
#define NETC_WEIGHTS_INIT_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <vector>

namespace netc {

enum class ParamInit {
  /// Conv / fully-connected weights: normal(0, sqrt(2 / fan_in)) with
  /// fan_in = prod(shape[1:]) (PyTorch layouts [out, in/groups, kh, kw] and
  /// [out, in]); fan_in is 1 for rank <= 1.
  HeNormal,
  /// Biases, batchnorm bias and running_mean.
  Zeros,
  /// Batchnorm weight and running_var.
  Ones,
};

/// 64-bit FNV-1a hash of `s`.
uint64_t fnv1a64(llvm::StringRef s);

/// Returns prod(shape) values (row-major) for the parameter `fullName`
/// (e.g. "layer1.0.conv1.weight"). Negative dimensions count as 0. Large
/// tensors are drawn on `threads` threads (0: one per core), with the same
/// values as on one.
std::vector<float> initParameter(llvm::StringRef fullName,
                                 llvm::ArrayRef<int64_t> shape, ParamInit kind,
                                 uint64_t seed, unsigned threads = 0);

} // namespace netc

#endif // NETC_WEIGHTS_INIT_H
