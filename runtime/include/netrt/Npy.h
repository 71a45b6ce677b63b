//===- Npy.h - NumPy .npy reader and writer
//--------------------------------===//
//
// Reads and writes the NumPy .npy format (versions 1.0, 2.0 and 3.0), C order,
// little endian. In memory every array is f32 or i32 (the two netrt dtypes);
// '<f8' and '<i8' files are converted on reading, since they are NumPy's
// defaults. Every malformed file yields an error message naming the file.
//
//===----------------------------------------------------------------------===//
#ifndef NETRT_NPY_H
#define NETRT_NPY_H

#include "netrt.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace netrt {

/// A dense, C-ordered array: 4 bytes per element, little endian.
struct NpyArray {
  netrt_dtype dtype = NETRT_F32;
  std::vector<int64_t> shape; ///< empty for a scalar
  std::vector<char> data;     ///< numel() * 4 bytes

  int64_t numel() const;
  float *f32() { return reinterpret_cast<float *>(data.data()); }
  const float *f32() const {
    return reinterpret_cast<const float *>(data.data());
  }
  int32_t *i32() { return reinterpret_cast<int32_t *>(data.data()); }
  const int32_t *i32() const {
    return reinterpret_cast<const int32_t *>(data.data());
  }
};

/// "f32" or "i32".
const char *dtypeName(netrt_dtype dtype);

/// Formats a type the way the tools print it: "f32[4, 10]", "f32[]".
std::string formatType(netrt_dtype dtype, const std::vector<int64_t> &shape);

/// Parses the bytes of a whole .npy file; `name` (usually the path) is used
/// in error messages. Returns false with `err` set on any problem.
bool parseNpy(const void *bytes, size_t size, const std::string &name,
              NpyArray &out, std::string &err);

/// Reads a .npy file. Returns false with `err` set (naming the file).
bool readNpy(const std::string &path, NpyArray &out, std::string &err);

/// Encodes an array as a complete .npy file (version 1.0, or 2.0 when the
/// header does not fit). `data` holds numel(shape) elements of `dtype`.
std::string encodeNpy(netrt_dtype dtype, const int64_t *shape, size_t rank,
                      const void *data);

/// Writes a .npy file. The file appears complete or not at all (it is written
/// beside `path` and renamed). Returns false with `err` set.
bool writeNpy(const std::string &path, netrt_dtype dtype, const int64_t *shape,
              size_t rank, const void *data, std::string &err);
bool writeNpy(const std::string &path, const NpyArray &array, std::string &err);

} // namespace netrt

#endif // NETRT_NPY_H
