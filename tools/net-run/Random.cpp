//===- Random.cpp - Deterministic random inputs ---------------------------===//
//
// std::mt19937_64 and std::seed_seq are specified exactly by the standard,
// whereas std::normal_distribution is not, so normals come from a hand-written
// Box-Muller transform: the same seed gives the same inputs everywhere.
//
//===----------------------------------------------------------------------===//

#include "Random.h"

#include <cmath>
#include <random>

using namespace netrun;

void netrun::fillRandom(netrt_tensor &t, uint64_t seed, int32_t index) {
  std::seed_seq seq{uint32_t(seed), uint32_t(seed >> 32), uint32_t(index)};
  std::mt19937_64 gen(seq);
  int64_t n = netrt_numel(&t);
  if (t.dtype == NETRT_I32) {
    int32_t *v = static_cast<int32_t *>(t.data);
    for (int64_t i = 0; i < n; ++i)
      v[i] = int32_t(gen() >> 63);
    return;
  }
  // Uniform in (0, 1]: 53 random bits, never 0 so that log() is finite.
  auto uniform = [&] { return (double(gen() >> 11) + 1.0) * 0x1p-53; };
  float *v = static_cast<float *>(t.data);
  const double twoPi = 6.283185307179586;
  for (int64_t i = 0; i < n; i += 2) {
    double r = std::sqrt(-2.0 * std::log(uniform()));
    double theta = twoPi * uniform();
    v[i] = float(r * std::cos(theta));
    if (i + 1 < n)
      v[i + 1] = float(r * std::sin(theta));
  }
}
