//===- Safetensors.h - Reading and writing .safetensors files ---*- C++ -*-===//
//
// A self-contained reader and writer for the safetensors format
// (https://github.com/huggingface/safetensors): an 8-byte little-endian header
// length N, N bytes of JSON header mapping tensor names to
// {"dtype", "shape", "data_offsets"}, then the raw little-endian tensor bytes.
// Offsets are relative to the first byte after the header.
//
// Every tensor is converted to f32 on reading; `dtype` keeps the file's dtype
// so that callers can reject or warn about unexpected ones.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_WEIGHTS_SAFETENSORS_H
#define NETC_WEIGHTS_SAFETENSORS_H

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace netc {

struct WeightTensor {
  /// The dtype in the file: "F32", "F64", "F16", "BF16", "I64", "I32", ...
  std::string dtype = "F32";
  std::vector<int64_t> shape;
  /// The values converted to f32, row-major (C order).
  std::vector<float> data;

  /// Product of `shape` (1 for a scalar).
  int64_t numElements() const;
};

struct WeightFile {
  std::string path;
  llvm::StringMap<WeightTensor> tensors;
  /// Every key of `tensors`, in file order (ascending data offset) when read;
  /// the order in which `writeSafetensors` lays the tensors out.
  std::vector<std::string> names;
  /// The optional "__metadata__" string map of the header.
  std::map<std::string, std::string> metadata;

  /// Adds (or replaces) a tensor, keeping `names` in sync.
  void add(llvm::StringRef name, WeightTensor tensor);
  /// The tensor called `name`, or null.
  const WeightTensor *lookup(llvm::StringRef name) const;
};

/// Element size in bytes of a safetensors dtype string, or 0 if the dtype is
/// not one this reader converts (F32, F64, F16, BF16, I64, I32, I16, I8, U64,
/// U32, U16, U8, BOOL).
unsigned safetensorsDtypeSize(llvm::StringRef dtype);

/// Reads and validates a whole .safetensors file. Never crashes on malformed
/// input: every problem is an llvm::StringError naming the file and, where it
/// applies, the tensor.
llvm::Expected<WeightFile> readSafetensors(llvm::StringRef path);

/// Writes `file` as a .safetensors file with every tensor stored as F32 (the
/// `dtype` fields are ignored), in the order of `file.names` followed by any
/// tensor missing from `names` (sorted by name). The header is padded with
/// spaces to a multiple of 8 bytes, like the reference implementation.
llvm::Error writeSafetensors(llvm::StringRef path, const WeightFile &file);

} // namespace netc

#endif // NETC_WEIGHTS_SAFETENSORS_H
