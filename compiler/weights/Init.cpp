//===- Init.cpp - Deterministic parameter initialisation ------------------===//

#include "weights/Init.h"

#include <algorithm>
#include <cmath>
#include <thread>

namespace netc {

uint64_t fnv1a64(llvm::StringRef s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

namespace {

struct SplitMix64 {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  /// Uniform in (0, 1]: never 0, so log() below is finite.
  double uniformOpen0() { return double((next() >> 11) + 1) * 0x1.0p-53; }
  /// Uniform in [0, 1).
  double uniform() { return double(next() >> 11) * 0x1.0p-53; }
};

} // namespace

std::vector<float> initParameter(llvm::StringRef fullName,
                                 llvm::ArrayRef<int64_t> shape, ParamInit kind,
                                 uint64_t seed, unsigned threads) {
  uint64_t numel = 1;
  for (int64_t d : shape)
    numel *= d > 0 ? uint64_t(d) : 0;

  switch (kind) {
  case ParamInit::Zeros:
    return std::vector<float>(numel, 0.0f);
  case ParamInit::Ones:
    return std::vector<float>(numel, 1.0f);
  case ParamInit::HeNormal:
    break;
  }

  uint64_t fanIn = 1;
  for (int64_t d : shape.drop_front(shape.empty() ? 0 : 1))
    fanIn *= d > 0 ? uint64_t(d) : 0;
  double stddev = std::sqrt(2.0 / double(fanIn ? fanIn : 1));

  // Box-Muller in double, rounded to float at the end: a last-bit difference
  // between libm implementations of log/sin/cos almost never survives the
  // rounding, so results match across machines.
  std::vector<float> out(numel);
  const double twoPi = 6.283185307179586476925;
  const uint64_t state0 = seed ^ fnv1a64(fullName);
  // Pairs [begin, end): pair p takes the generator's draws 2p and 2p + 1,
  // and SplitMix64's state after k draws is state0 + k * gamma, so chunks
  // can start anywhere and give the same values as one sequential pass.
  auto pairs = [&](uint64_t begin, uint64_t end) {
    SplitMix64 rng{state0 + 2 * begin * 0x9e3779b97f4a7c15ull};
    for (uint64_t p = begin; p < end; ++p) {
      uint64_t i = 2 * p;
      double r = std::sqrt(-2.0 * std::log(rng.uniformOpen0()));
      double theta = twoPi * rng.uniform();
      out[i] = float(stddev * r * std::cos(theta));
      if (i + 1 < numel)
        out[i + 1] = float(stddev * r * std::sin(theta));
    }
  };
  uint64_t total = (numel + 1) / 2;
  if (!threads)
    threads = total >= (1u << 20) ? std::thread::hardware_concurrency() : 1;
  threads = (unsigned)std::min<uint64_t>(threads, total);
  if (threads <= 1) {
    pairs(0, total);
    return out;
  }
  // Large tensors (vgg16's classifier: 103 M values) on every core.
  std::vector<std::thread> pool;
  uint64_t chunk = (total + threads - 1) / threads;
  for (unsigned t = 1; t < threads; ++t)
    pool.emplace_back(pairs, std::min(total, t * chunk),
                      std::min(total, (t + 1) * chunk));
  pairs(0, std::min(total, chunk));
  for (std::thread &t : pool)
    t.join();
  return out;
}

} // namespace netc
