//===- Safetensors.cpp - Reading and writing .safetensors files -----------===//

#include "weights/Safetensors.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <tuple>

using namespace llvm;

namespace netc {

int64_t WeightTensor::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

void WeightFile::add(StringRef name, WeightTensor tensor) {
  auto [it, inserted] = tensors.insert_or_assign(name, std::move(tensor));
  (void)it;
  if (inserted)
    names.push_back(name.str());
}

const WeightTensor *WeightFile::lookup(StringRef name) const {
  auto it = tensors.find(name);
  return it == tensors.end() ? nullptr : &it->second;
}

unsigned safetensorsDtypeSize(StringRef dtype) {
  return StringSwitch<unsigned>(dtype)
      .Cases("F64", "I64", "U64", 8)
      .Cases("F32", "I32", "U32", 4)
      .Cases("F16", "BF16", "I16", "U16", 2)
      .Cases("I8", "U8", "BOOL", 1)
      .Default(0);
}

namespace {

std::string shapeToString(ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

// IEEE binary16 -> binary32, exact for every input (subnormals, inf, NaN).
float halfToFloat(uint16_t h) {
  uint32_t sign = uint32_t(h >> 15) << 31;
  uint32_t exp = (h >> 10) & 0x1f;
  uint32_t mant = h & 0x3ff;
  uint32_t bits;
  if (exp == 0) {
    float mag = std::ldexp(float(mant), -24); // zero or subnormal
    return sign ? -mag : mag;
  }
  if (exp == 31)
    bits = sign | 0x7f800000u | (mant << 13); // inf / NaN
  else
    bits = sign | ((exp - 15 + 127) << 23) | (mant << 13);
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

float bitsToFloat(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

// Converts `n` little-endian elements of `dtype` at `p` (possibly unaligned).
void convertToF32(StringRef dtype, const char *p, size_t n, float *out) {
  using namespace llvm::support;
  auto rd16 = [&](size_t i) {
    return endian::read<uint16_t, llvm::endianness::little>(p + 2 * i);
  };
  auto rd32 = [&](size_t i) {
    return endian::read<uint32_t, llvm::endianness::little>(p + 4 * i);
  };
  auto rd64 = [&](size_t i) {
    return endian::read<uint64_t, llvm::endianness::little>(p + 8 * i);
  };
  if (dtype == "F32") {
    for (size_t i = 0; i < n; ++i)
      out[i] = bitsToFloat(rd32(i));
  } else if (dtype == "F64") {
    for (size_t i = 0; i < n; ++i) {
      uint64_t bits = rd64(i);
      double d;
      std::memcpy(&d, &bits, sizeof d);
      out[i] = float(d);
    }
  } else if (dtype == "F16") {
    for (size_t i = 0; i < n; ++i)
      out[i] = halfToFloat(rd16(i));
  } else if (dtype == "BF16") {
    for (size_t i = 0; i < n; ++i)
      out[i] = bitsToFloat(uint32_t(rd16(i)) << 16);
  } else if (dtype == "I64") {
    for (size_t i = 0; i < n; ++i)
      out[i] = float(int64_t(rd64(i)));
  } else if (dtype == "U64") {
    for (size_t i = 0; i < n; ++i)
      out[i] = float(rd64(i));
  } else if (dtype == "I32") {
    for (size_t i = 0; i < n; ++i)
      out[i] = float(int32_t(rd32(i)));
  } else if (dtype == "U32") {
    for (size_t i = 0; i < n; ++i)
      out[i] = float(rd32(i));
  } else if (dtype == "I16") {
    for (size_t i = 0; i < n; ++i)
      out[i] = float(int16_t(rd16(i)));
  } else if (dtype == "U16") {
    for (size_t i = 0; i < n; ++i)
      out[i] = float(rd16(i));
  } else if (dtype == "I8") {
    for (size_t i = 0; i < n; ++i)
      out[i] = float(int8_t(p[i]));
  } else if (dtype == "U8") {
    for (size_t i = 0; i < n; ++i)
      out[i] = float(uint8_t(p[i]));
  } else if (dtype == "BOOL") {
    for (size_t i = 0; i < n; ++i)
      out[i] = p[i] ? 1.0f : 0.0f;
  } else {
    llvm_unreachable("dtype checked by safetensorsDtypeSize");
  }
}

/// Builds errors of the form "FILE: [tensor 'NAME': ]MESSAGE".
struct ErrorBuilder {
  StringRef path;
  Error operator()(const Twine &msg) const {
    return createStringError(inconvertibleErrorCode(), path + ": " + msg);
  }
  Error operator()(StringRef tensor, const Twine &msg) const {
    return createStringError(inconvertibleErrorCode(),
                             path + ": tensor '" + tensor + "': " + msg);
  }
};

struct Entry {
  std::string name;
  uint64_t begin = 0, end = 0;
};

} // namespace

Expected<WeightFile> readSafetensors(StringRef path) {
  ErrorBuilder err{path};
  auto bufOrErr = MemoryBuffer::getFile(path, /*IsText=*/false,
                                        /*RequiresNullTerminator=*/false);
  if (!bufOrErr)
    return err("cannot open weights file: " + bufOrErr.getError().message());
  std::unique_ptr<MemoryBuffer> buf = std::move(*bufOrErr);
  const char *bytes = buf->getBufferStart();
  uint64_t fileSize = buf->getBufferSize();

  if (fileSize < 8)
    return err(formatv("file is {0} bytes, too short for the 8-byte header "
                       "length of a safetensors file",
                       fileSize));
  uint64_t headerLen =
      support::endian::read<uint64_t, llvm::endianness::little>(bytes);
  if (headerLen > fileSize - 8)
    return err(formatv("header length {0} exceeds the {1} bytes that follow it "
                       "(not a safetensors file, or truncated)",
                       headerLen, fileSize - 8));
  const char *data = bytes + 8 + headerLen;
  uint64_t dataSize = fileSize - 8 - headerLen;

  Expected<json::Value> header =
      json::parse(StringRef(bytes + 8, static_cast<size_t>(headerLen)));
  if (!header)
    return err("header is not valid JSON: " + toString(header.takeError()));
  json::Object *root = header->getAsObject();
  if (!root)
    return err("header is not a JSON object");

  WeightFile result;
  result.path = path.str();

  // json::Object is unordered; visit names sorted so that the first error
  // reported for a bad file is deterministic.
  std::vector<StringRef> keys;
  for (auto &kv : *root)
    keys.push_back(kv.first);
  llvm::sort(keys);

  std::vector<Entry> order;
  for (StringRef name : keys) {
    const json::Value &value = *root->get(name);
    if (name == "__metadata__") {
      // Only string values are meaningful (the format's own rule); others
      // are ignored rather than rejected.
      if (const json::Object *meta = value.getAsObject())
        for (auto &kv : *meta)
          if (std::optional<StringRef> s = kv.second.getAsString())
            result.metadata[kv.first.str()] = s->str();
      continue;
    }
    const json::Object *obj = value.getAsObject();
    if (!obj)
      return err(name, "header entry is not a JSON object");

    std::optional<StringRef> dtype = obj->getString("dtype");
    if (!dtype)
      return err(name, "missing or non-string \"dtype\"");
    const json::Array *shapeArr = obj->getArray("shape");
    if (!shapeArr)
      return err(name, "missing or non-array \"shape\"");
    const json::Array *offsets = obj->getArray("data_offsets");
    if (!offsets)
      return err(name, "missing or non-array \"data_offsets\"");

    unsigned elemSize = safetensorsDtypeSize(*dtype);
    if (elemSize == 0)
      return err(name, "unsupported dtype '" + *dtype +
                           "' (supported: F32, F64, F16, BF16, I64, I32, I16, "
                           "I8, U64, U32, U16, U8, BOOL)");

    WeightTensor tensor;
    tensor.dtype = dtype->str();
    // Saturating products: any overflow can only mean a mismatch below.
    uint64_t numel = 1;
    for (size_t i = 0; i < shapeArr->size(); ++i) {
      std::optional<int64_t> dim = (*shapeArr)[i].getAsInteger();
      if (!dim || *dim < 0)
        return err(name, formatv("shape entry {0} is not a non-negative "
                                 "integer",
                                 i));
      tensor.shape.push_back(*dim);
      numel = SaturatingMultiply<uint64_t>(numel, uint64_t(*dim));
    }
    uint64_t needed = SaturatingMultiply<uint64_t>(numel, elemSize);

    if (offsets->size() != 2)
      return err(name, "\"data_offsets\" must have exactly 2 entries");
    std::optional<uint64_t> begin = (*offsets)[0].getAsUINT64();
    std::optional<uint64_t> end = (*offsets)[1].getAsUINT64();
    if (!begin || !end)
      return err(name, "\"data_offsets\" entries must be non-negative "
                       "integers");
    if (*begin > *end)
      return err(name,
                 formatv("data_offsets [{0}, {1}] are reversed", *begin, *end));
    if (*end > dataSize)
      return err(name, formatv("data_offsets [{0}, {1}] go beyond the {2}-byte "
                               "data section (truncated file?)",
                               *begin, *end, dataSize));
    if (*end - *begin != needed)
      return err(name,
                 formatv("data_offsets [{0}, {1}] hold {2} bytes but shape {3} "
                         "of dtype {4} needs {5} bytes",
                         *begin, *end, *end - *begin,
                         shapeToString(tensor.shape), *dtype,
                         needed == UINT64_MAX ? std::string("too many")
                                              : std::to_string(needed)));

    // `needed` fits in the file here, so numel is a sane size.
    tensor.data.resize(static_cast<size_t>(numel));
    convertToF32(*dtype, data + *begin, static_cast<size_t>(numel),
                 tensor.data.data());
    result.tensors.try_emplace(name, std::move(tensor));
    order.push_back({name.str(), *begin, *end});
  }

  // File order. Sorting on `end` too puts an empty tensor before the non-empty
  // one that starts at the same offset; remaining ties keep name order.
  std::stable_sort(order.begin(), order.end(),
                   [](const Entry &a, const Entry &b) {
                     return std::tie(a.begin, a.end) < std::tie(b.begin, b.end);
                   });
  for (Entry &e : order)
    result.names.push_back(std::move(e.name));
  return result;
}

Error writeSafetensors(StringRef path, const WeightFile &file) {
  ErrorBuilder err{path};

  // Layout order: `names` first, then tensors `names` forgot, sorted.
  std::vector<StringRef> order;
  StringSet<> seen;
  for (const std::string &name : file.names) {
    if (!file.tensors.count(name))
      return err(name, "listed in names but has no tensor");
    if (seen.insert(name).second)
      order.push_back(name);
  }
  std::vector<StringRef> rest;
  for (const auto &kv : file.tensors)
    if (!seen.count(kv.first()))
      rest.push_back(kv.first());
  llvm::sort(rest);
  order.insert(order.end(), rest.begin(), rest.end());

  json::Object header;
  if (!file.metadata.empty()) {
    json::Object meta;
    for (const auto &kv : file.metadata)
      meta[kv.first] = kv.second;
    header["__metadata__"] = std::move(meta);
  }
  uint64_t offset = 0;
  for (StringRef name : order) {
    if (name == "__metadata__")
      return err(name, "name is reserved by the safetensors format");
    const WeightTensor &t = file.tensors.find(name)->second;
    json::Array shape;
    uint64_t numel = 1;
    for (int64_t d : t.shape) {
      if (d < 0)
        return err(name,
                   "negative dimension in shape " + shapeToString(t.shape));
      numel *= uint64_t(d);
      shape.push_back(d);
    }
    if (numel != t.data.size())
      return err(name, formatv("has {0} values but shape {1} needs {2}",
                               t.data.size(), shapeToString(t.shape), numel));
    uint64_t end = offset + 4 * numel;
    header[name] = json::Object{{"dtype", "F32"},
                                {"shape", std::move(shape)},
                                {"data_offsets", json::Array{offset, end}}};
    offset = end;
  }

  std::string headerText;
  raw_string_ostream(headerText) << json::Value(std::move(header));
  headerText.append((8 - headerText.size() % 8) % 8, ' ');

  std::error_code ec;
  raw_fd_ostream os(path, ec, sys::fs::OF_None);
  if (ec)
    return err("cannot open for writing: " + ec.message());
  char lenBytes[8];
  support::endian::write<uint64_t, llvm::endianness::little>(lenBytes,
                                                             headerText.size());
  os.write(lenBytes, 8);
  os << headerText;
  for (StringRef name : order) {
    for (float v : file.tensors.find(name)->second.data) {
      uint32_t bits;
      std::memcpy(&bits, &v, sizeof bits);
      char b[4];
      support::endian::write<uint32_t, llvm::endianness::little>(b, bits);
      os.write(b, 4);
    }
  }
  os.close();
  if (os.has_error()) {
    std::error_code wec = os.error();
    os.clear_error(); // else raw_fd_ostream aborts in its destructor
    return err("write failed: " + wec.message());
  }
  return Error::success();
}

} // namespace netc
