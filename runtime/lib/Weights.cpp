//===- Weights.cpp - A model library's weights from a .safetensors file ---===//
//
// safetensors: an 8-byte little-endian header length N, N bytes of JSON
// mapping tensor names to {"dtype", "shape", "data_offsets"}, then the raw
// little-endian tensor bytes (offsets from the first byte after the header).
// The JSON is parsed with nlohmann-json (Debian's nlohmann-json3-dev).
//
//===----------------------------------------------------------------------===//
#include "Handle.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <dlfcn.h>
#include <fstream>
#include <iterator>
#include <vector>

namespace {

/// IEEE half and bfloat16 to float.
float halfToFloat(uint16_t h) {
  uint32_t sign = (h >> 15) & 1, exp = (h >> 10) & 31, man = h & 1023, bits;
  if (exp == 0) {
    float v = std::ldexp((float)man, -24);
    return sign ? -v : v;
  }
  if (exp == 31)
    bits = (sign << 31) | 0x7f800000u | (man << 13);
  else
    bits = (sign << 31) | ((exp + 112) << 23) | (man << 13);
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

bool convert(const std::string &dtype, const char *p, size_t n,
             std::vector<float> &out) {
  out.resize(n);
  for (size_t i = 0; i < n; ++i) {
    if (dtype == "F32") {
      std::memcpy(&out[i], p + 4 * i, 4);
    } else if (dtype == "F64") {
      double d;
      std::memcpy(&d, p + 8 * i, 8);
      out[i] = (float)d;
    } else if (dtype == "F16" || dtype == "BF16") {
      uint16_t h;
      std::memcpy(&h, p + 2 * i, 2);
      if (dtype == "F16") {
        out[i] = halfToFloat(h);
      } else {
        uint32_t bits = (uint32_t)h << 16;
        std::memcpy(&out[i], &bits, 4);
      }
    } else {
      return false;
    }
  }
  return true;
}

size_t dtypeSize(const std::string &dtype) {
  return dtype == "F64" ? 8 : dtype == "F32" ? 4 : dtype == "F16" || dtype == "BF16" ? 2 : 0;
}

} // namespace

namespace {

/// The library's weights-as-data entry points and the tensors it wants;
/// false (with `err`) when it has none or holds its own weights.
bool weightsApi(netrt_handle *h, netrt_weights_create_fn &create,
                const netrt_tensor_info *&want, int32_t &count, std::string &err) {
  auto list = reinterpret_cast<netrt_weights_fn>(dlsym(h->dl, NETRT_WEIGHTS_SYMBOL));
  create = reinterpret_cast<netrt_weights_create_fn>(
      dlsym(h->dl, NETRT_WEIGHTS_CREATE_SYMBOL));
  h->destroyWeights = reinterpret_cast<netrt_weights_destroy_fn>(
      dlsym(h->dl, NETRT_WEIGHTS_DESTROY_SYMBOL));
  h->runWithWeights = reinterpret_cast<netrt_run_with_weights_fn>(
      dlsym(h->dl, NETRT_RUN_WITH_WEIGHTS_SYMBOL));
  if (!list || !create || !h->destroyWeights || !h->runWithWeights) {
    err = "'" + h->path + "' does not take a weights file (it was built by "
          "an older netc)";
    return false;
  }
  int32_t embedded = 0;
  want = list(&count, &embedded);
  if (embedded) {
    err = "'" + h->path + "' holds its weights (netc may have folded them "
          "into others); build it with --no-embed-weights to give a weights "
          "file when it is opened";
    return false;
  }
  return true;
}

/// Prepares `tensors` (in the library's order) as the handle's weights.
bool prepare(netrt_handle *h, netrt_weights_create_fn create,
             std::vector<netrt_tensor> &tensors, const std::string &what,
             std::string &err) {
  void *w = create(tensors.data());
  h->bindWeights(w);
  if (!w) {
    const char *msg = h->info->last_error ? h->info->last_error() : nullptr;
    err = "cannot prepare the weights of " + what + ": " +
          (msg && *msg ? msg : "unknown error");
    return false;
  }
  return true;
}

} // namespace

bool netrt::bindWeightsFile(netrt_handle *h, const char *path, std::string &err) {
  netrt_weights_create_fn create = nullptr;
  const netrt_tensor_info *want = nullptr;
  int32_t count = 0;
  if (!weightsApi(h, create, want, count, err))
    return false;
  std::string file = path ? path : "";
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    err = "cannot open weights file '" + file + "'";
    return false;
  }
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                          std::istreambuf_iterator<char>());
  uint64_t headerLen = 0;
  if (bytes.size() < 8 ||
      (std::memcpy(&headerLen, bytes.data(), 8), headerLen > bytes.size() - 8)) {
    err = "'" + file + "' is not a safetensors file (bad header length)";
    return false;
  }
  nlohmann::json header = nlohmann::json::parse(
      bytes.begin() + 8, bytes.begin() + 8 + (long)headerLen, nullptr,
      /*allow_exceptions=*/false);
  if (!header.is_object()) {
    err = "'" + file + "' is not a safetensors file (its header is not a JSON "
          "object)";
    return false;
  }
  const char *data = bytes.data() + 8 + headerLen;
  size_t dataSize = bytes.size() - 8 - headerLen;
  std::vector<std::vector<float>> values(count);
  std::vector<netrt_tensor> tensors(count);
  for (int32_t i = 0; i < count; ++i) {
    const netrt_tensor_info &w = want[i];
    std::string where = "'" + file + "': tensor '" + w.name + "'";
    auto it = header.find(w.name);
    if (it == header.end() || !it->is_object()) {
      err = where + " is missing";
      return false;
    }
    const nlohmann::json &t = *it;
    if (!t.contains("dtype") || !t["dtype"].is_string() || !t.contains("shape") ||
        !t["shape"].is_array() || !t.contains("data_offsets") ||
        !t["data_offsets"].is_array() || t["data_offsets"].size() != 2) {
      err = where + " has a malformed header entry";
      return false;
    }
    std::string dtype = t["dtype"];
    std::vector<int64_t> shape;
    for (const auto &d : t["shape"])
      shape.push_back(d.is_number_integer() ? d.get<int64_t>() : -1);
    bool same = (int32_t)shape.size() == w.rank;
    for (int32_t k = 0; same && k < w.rank; ++k)
      same = shape[k] == w.shape[k];
    if (!same) {
      netrt_tensor_info got = w;
      got.rank = (int32_t)std::min<size_t>(shape.size(), NETRT_MAX_RANK);
      for (int32_t k = 0; k < got.rank; ++k)
        got.shape[k] = shape[k];
      err = where + " has shape " + formatInfo(got, -1).substr(3) +
            " but the model needs " + formatInfo(w, -1).substr(3);
      return false;
    }
    size_t n = 1;
    for (int64_t d : shape)
      n *= (size_t)d;
    uint64_t begin = t["data_offsets"][0].is_number_unsigned() ? t["data_offsets"][0].get<uint64_t>() : ~0ull;
    uint64_t end = t["data_offsets"][1].is_number_unsigned() ? t["data_offsets"][1].get<uint64_t>() : ~0ull;
    size_t elem = dtypeSize(dtype);
    if (!elem) {
      err = where + " has dtype " + dtype + " (expected F32, F64, F16 or BF16)";
      return false;
    }
    if (begin > end || end > dataSize || end - begin != n * elem) {
      err = where + " has data outside the file or of the wrong size";
      return false;
    }
    convert(dtype, data + begin, n, values[i]);
    tensors[i].data = values[i].data();
    tensors[i].dtype = NETRT_F32;
    tensors[i].rank = w.rank;
    for (int32_t k = 0; k < w.rank; ++k)
      tensors[i].shape[k] = w.shape[k];
  }
  return prepare(h, create, tensors, "'" + file + "'", err);
}

namespace {

uint64_t splitmix64(uint64_t &state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

bool endsWith(const std::string &s, const char *tail) {
  size_t n = std::strlen(tail);
  return s.size() >= n && s.compare(s.size() - n, n, tail) == 0;
}

} // namespace

bool netrt::bindSyntheticWeights(netrt_handle *h, uint64_t seed, std::string &err) {
  netrt_weights_create_fn create = nullptr;
  const netrt_tensor_info *want = nullptr;
  int32_t count = 0;
  if (!weightsApi(h, create, want, count, err))
    return false;
  std::vector<std::vector<float>> values(count);
  std::vector<netrt_tensor> tensors(count);
  for (int32_t i = 0; i < count; ++i) {
    const netrt_tensor_info &w = want[i];
    std::string name = w.name;
    size_t n = 1;
    for (int32_t k = 0; k < w.rank; ++k)
      n *= (size_t)w.shape[k];
    // Convolution and fc weights He-uniform (variance 2 / fan-in: the
    // activations of a ReLU network stay of order one at any depth);
    // batchnorm near the identity; biases small.
    double fanIn = w.rank >= 2 && w.shape[0] > 0 ? double(n) / double(w.shape[0]) : 1;
    double scale = w.rank >= 2 ? std::sqrt(6.0 / fanIn) : 0.1;
    double offset = 0;
    if (endsWith(name, "running_var"))
      offset = 1.0, scale = 0.5;
    else if (w.rank == 1 && endsWith(name, "weight"))
      offset = 1.0, scale = 0.1;
    uint64_t state = seed * 0x100000001b3ull + (uint64_t)i;
    values[i].resize(n);
    for (size_t j = 0; j < n; ++j) {
      double u = double(splitmix64(state) >> 11) * (2.0 / 9007199254740992.0) - 1.0;
      values[i][j] = float(offset + scale * u);
    }
    tensors[i].data = values[i].data();
    tensors[i].dtype = NETRT_F32;
    tensors[i].rank = w.rank;
    for (int32_t k = 0; k < w.rank; ++k)
      tensors[i].shape[k] = w.shape[k];
  }
  return prepare(h, create, tensors,
                 "synthetic weights (seed " + std::to_string(seed) + ")", err);
}
