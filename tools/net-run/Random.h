//===- Random.h - Deterministic random inputs -------------------*- C++ -*-===//
#ifndef NETRUN_RANDOM_H
#define NETRUN_RANDOM_H

#include "netrt.h"

#include <cstdint>

namespace netrun {

/// Fills `t` (f32: normal(0, 1); i32: uniform in [0, 2)) from a stream that
/// depends only on `seed` and the input's index, so an input's values do not
/// change when other inputs are given from files.
void fillRandom(netrt_tensor &t, uint64_t seed, int32_t index);

} // namespace netrun

#endif // NETRUN_RANDOM_H
