//===- WeightCoding.h - Shared weights stored compressed --------*- C++ -*-===//
//
// `netc --compress` stores each weight net-share-weights clustered as its
// codebook, the codebook index of every nonzero and the zero positions,
// the last two entropy-coded by zstd (Debian's libzstd), and the library's
// executor decodes them once when it is opened (executor/Runtime.c,
// decode_coded). The layout, little endian:
//
//   int32 entries, int32 0, int64 nonzeros, int64 gap_bytes, int64 index_bytes
//   float codebook[entries]                  (increasing)
//   gap_bytes:   zstd frame of the gaps: before each nonzero, the count of
//                zeros since the previous one as a byte, 255 meaning "255
//                zeros, no value yet"; empty when every value is nonzero
//   index_bytes: zstd frame of one byte per nonzero, its codebook index
//
//===----------------------------------------------------------------------===//
#ifndef NETC_CODEGEN_WEIGHTCODING_H
#define NETC_CODEGEN_WEIGHTCODING_H

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <optional>
#include <string>

namespace netc {

/// Size of the fixed header (must match NETC_CODED_HEADER in Runtime.c).
inline constexpr int64_t kCodedHeaderBytes = 32;

/// The coded form of `values`, or nullopt when they have more than 256
/// distinct nonzero values (then they are stored as f32).
std::optional<std::string> encodeSharedWeight(llvm::ArrayRef<float> values);

} // namespace netc

#endif // NETC_CODEGEN_WEIGHTCODING_H
