//===- WeightMap.h - Parameter values by name -------------------*- C++ -*-===//
#ifndef NETC_WEIGHTS_WEIGHTMAP_H
#define NETC_WEIGHTS_WEIGHTMAP_H

#include "llvm/ADT/StringMap.h"

#include <vector>

namespace netc {

/// Parameter values by state_dict name, C-ordered (PyTorch layout), as the
/// front end binds them before they join the IR (net.weight's value).
using WeightMap = llvm::StringMap<std::vector<float>>;

} // namespace netc

#endif // NETC_WEIGHTS_WEIGHTMAP_H
