//===- WeightCoding.h - Shared weights stored compressed --------*- C++ -*-===//
//
// `netc --compress` stores each weight net-share-weights clustered as its
// codebook, the codebook index of every nonzero and the zero positions,
// the last two entropy-coded by zstd (Debian's libzstd), and an int8
// weight (net-quantize's) as its per-channel scales and its int8 codes; the
// library's executor decodes them once when it is opened
// (executor/Runtime.c, decode_coded). The layouts, little endian:
//
// shared (format 0):
//   int32 entries, int32 0, int64 nonzeros, int64 gap_bytes, int64 index_bytes
//   float codebook[entries]                  (increasing)
//   gap_bytes:   zstd frame of the gaps: before each nonzero, the count of
//                zeros since the previous one as a byte, 255 meaning "255
//                zeros, no value yet"; empty when every value is nonzero
//   index_bytes: zstd frame of one byte per nonzero, its codebook index
// int8 (format 1): value = code * scale[row], rows along dim 0:
//   int32 rows, int32 1, int64 numel, int64 0, int64 code_bytes
//   float scale[rows]
//   code_bytes:  zstd frame of the numel int8 codes
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

/// The int8 form of `values` quantized per row with `scales` (each value
/// code * scale[row], |code| <= 127), or nullopt when one is not.
std::optional<std::string> encodeInt8Weight(llvm::ArrayRef<float> values,
                                            llvm::ArrayRef<float> scales);

} // namespace netc

#endif // NETC_CODEGEN_WEIGHTCODING_H
