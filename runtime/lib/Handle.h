//===- Handle.h - libnetrt internals shared by its source files -*- C++ -*-===//
#ifndef NETRT_LIB_HANDLE_H
#define NETRT_LIB_HANDLE_H

#include "netrt.h"

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

/// An opened model library. Immutable after netrt_open but for its bound
/// weights (guarded), so it can be shared by threads.
struct netrt_handle {
  void *dl = nullptr;
  std::string path;
  const netrt_model_info *info = nullptr;
  const netrt_tensor_info *grads = nullptr; ///< from NETRT_GRADS_SYMBOL
  int32_t numGrads = 0;
  bool hasForwardMask = false; ///< from NETRT_FORWARD_INPUTS_SYMBOL
  uint64_t forwardMask = 0;
  /// The library's functions that run with a set of weights and release
  /// one (set when a set is bound).
  netrt_run_with_weights_fn runWithWeights = nullptr;
  netrt_weights_destroy_fn destroyWeights = nullptr;

  /// The weights runs use: bound by netrt_open_with_weights or by a train
  /// step (null: the library's own). A run holds the set it started with
  /// while a train step swaps in the next one.
  std::shared_ptr<void> weights() const {
    std::lock_guard<std::mutex> g(weightsLock);
    return boundWeights;
  }
  /// Makes `w` (from the library's weights_create) the set runs use.
  void bindWeights(void *w) {
    std::shared_ptr<void> next(w, [fn = destroyWeights](void *p) {
      if (p && fn)
        fn(p);
    });
    std::lock_guard<std::mutex> g(weightsLock);
    boundWeights.swap(next);
  }

private:
  mutable std::mutex weightsLock;
  std::shared_ptr<void> boundWeights;
};

namespace netrt {

/// The entry points, by the names the C API takes.
enum class Entry { Forward, Loss, Backward, Unknown };
Entry parseEntry(const char *which);

/// Copies `msg` into a caller's buffer (if any), always NUL-terminated.
void setError(char *err, size_t errSize, const std::string &msg);

/// Checks inputs for `entry` (shape.cpp); on success sets `batch` (-1 if the
/// model has no symbolic dims).
bool checkInputs(const netrt_handle *h, Entry entry, const netrt_tensor *inputs,
                 int32_t numInputs, int64_t &batch, std::string &err);

/// "f32[N, 1, 32, 32]" plus " (N = 4)" if batch >= 0 and a dim is symbolic.
std::string formatInfo(const netrt_tensor_info &info, int64_t batch);

/// Formats a tensor's actual type: "f32[4, 1, 32, 32]".
std::string formatTensor(const netrt_tensor &t);

/// Reads the raw parameters `h`'s library lists (NETRT_WEIGHTS_SYMBOL) from
/// the .safetensors file `path` and prepares them in the library: on
/// success h->weights is set (Weights.cpp).
bool bindWeightsFile(netrt_handle *h, const char *path, std::string &err);
/// Binds deterministic weights made from `seed` (netrt_open_synthetic).
bool bindSyntheticWeights(netrt_handle *h, uint64_t seed, std::string &err);

/// The concrete shape of `info` for batch N (-1 dims become N).
void concreteShape(const netrt_tensor_info &info, int64_t batch,
                   int64_t *shape);

} // namespace netrt

#endif // NETRT_LIB_HANDLE_H
