//===- WeightCoding.cpp - Shared weights stored compressed ----------------===//
#include "codegen/WeightCoding.h"

#include "llvm/ADT/StringRef.h"

#include <zstd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

using namespace netc;

namespace {

/// zstd's strongest regular level for small streams; large ones (alexnet's
/// dense fc6: 38 MB of indices, 70 s at level 19) take a fast level: these
/// bytes are nearly independent, so the entropy coder, not the match
/// finder, does the work (level 3 came within 2% of level 19's size).
int levelFor(size_t bytes) { return bytes <= (4u << 20) ? 19 : 3; }

bool compress(const std::vector<uint8_t> &in, std::string &out) {
  std::string buf(ZSTD_compressBound(in.size()), '\0');
  size_t n = ZSTD_compress(buf.data(), buf.size(), in.data(), in.size(),
                           levelFor(in.size()));
  if (ZSTD_isError(n))
    return false;
  buf.resize(n);
  out = std::move(buf);
  return true;
}

template <typename T> void put(std::string &s, T v) {
  s.append(reinterpret_cast<const char *>(&v), sizeof v);
}

} // namespace

std::optional<std::string> netc::encodeSharedWeight(llvm::ArrayRef<float> values) {
  std::vector<float> book;
  for (float v : values)
    if (v != 0.0f)
      book.push_back(v);
  std::sort(book.begin(), book.end());
  book.erase(std::unique(book.begin(), book.end()), book.end());
  if (book.size() > 256)
    return std::nullopt;
  std::vector<uint8_t> gaps, index;
  int64_t zeros = 0, nonzeros = 0;
  for (float v : values) {
    if (v == 0.0f) {
      ++zeros;
      continue;
    }
    for (; zeros >= 255; zeros -= 255)
      gaps.push_back(255);
    gaps.push_back((uint8_t)zeros);
    zeros = 0;
    index.push_back((uint8_t)(std::lower_bound(book.begin(), book.end(), v) -
                              book.begin()));
    ++nonzeros;
  }
  std::string gapFrame, indexFrame;
  bool dense = nonzeros == (int64_t)values.size();
  if ((!dense && !compress(gaps, gapFrame)) || !compress(index, indexFrame))
    return std::nullopt;
  std::string out;
  put<int32_t>(out, (int32_t)book.size());
  put<int32_t>(out, 0);
  put<int64_t>(out, nonzeros);
  put<int64_t>(out, (int64_t)gapFrame.size());
  put<int64_t>(out, (int64_t)indexFrame.size());
  out.append(reinterpret_cast<const char *>(book.data()), book.size() * 4);
  out += gapFrame;
  out += indexFrame;
  return out;
}

std::optional<std::string> netc::encodeInt8Weight(llvm::ArrayRef<float> values,
                                                  llvm::ArrayRef<float> scales) {
  if (scales.empty() || values.size() % scales.size())
    return std::nullopt;
  size_t per = values.size() / scales.size();
  std::vector<uint8_t> codes(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    float s = scales[i / per], q = std::nearbyint(values[i] / s);
    if (!(std::fabs(q) <= 127.0f) || q * s != values[i])
      return std::nullopt; // not on the grid: stored as f32
    codes[i] = (uint8_t)(int8_t)q;
  }
  std::string frame;
  if (!compress(codes, frame))
    return std::nullopt;
  std::string out;
  put<int32_t>(out, (int32_t)scales.size());
  put<int32_t>(out, 1);
  put<int64_t>(out, (int64_t)values.size());
  put<int64_t>(out, 0);
  put<int64_t>(out, (int64_t)frame.size());
  out.append(reinterpret_cast<const char *>(scales.data()), scales.size() * 4);
  out += frame;
  return out;
}
