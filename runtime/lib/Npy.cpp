//===- Npy.cpp - NumPy .npy reader and writer
//------------------------------===//
//
// Format reference: numpy/lib/format.py. A file is the magic "\x93NUMPY", a
// version (major, minor), a little-endian header length (2 bytes in 1.0, 4 in
// 2.0 and 3.0), then a Python dict literal with 'descr', 'fortran_order' and
// 'shape', padded with spaces and '\n', then the raw data.
//
// The data is copied as-is, which assumes a little-endian host (x86, arm64).
//
//===----------------------------------------------------------------------===//

#include "netrt/Npy.h"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace netrt;

static const char kMagic[] = "\x93NUMPY";
static const size_t kMagicLen = 6;

int64_t NpyArray::numel() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

const char *netrt::dtypeName(netrt_dtype dtype) {
  return dtype == NETRT_I32 ? "i32" : "f32";
}

std::string netrt::formatType(netrt_dtype dtype,
                              const std::vector<int64_t> &shape) {
  std::string s = dtypeName(dtype);
  s += '[';
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + ']';
}

//===----------------------------------------------------------------------===//
// Header dict parsing
//===----------------------------------------------------------------------===//

namespace {

/// The fields of a header dict that matter.
struct Header {
  std::string descr;
  bool fortranOrder = false;
  std::vector<int64_t> shape;
  bool hasDescr = false, hasFortran = false, hasShape = false;
};

/// A recursive-descent parser for the small subset of Python literals that
/// NumPy writes: {'key': value, ...} with string, bool and int-tuple values.
class HeaderParser {
public:
  explicit HeaderParser(const std::string &text) : s(text) {}

  bool parse(Header &h, std::string &err) {
    if (!expect('{', err))
      return false;
    while (true) {
      skipSpace();
      if (peek() == '}') {
        ++pos;
        break;
      }
      std::string key;
      if (!parseString(key, err) || !expect(':', err))
        return false;
      if (!parseValue(key, h, err))
        return false;
      skipSpace();
      if (peek() == ',') {
        ++pos;
        continue;
      }
      if (!expect('}', err))
        return false;
      break;
    }
    skipSpace();
    if (pos != s.size())
      return fail("unexpected text after the header dict", err);
    return true;
  }

private:
  const std::string &s;
  size_t pos = 0;

  char peek() const { return pos < s.size() ? s[pos] : '\0'; }
  void skipSpace() {
    while (pos < s.size() && (s[pos] == ' ' || s[pos] == '\t' ||
                              s[pos] == '\n' || s[pos] == '\r'))
      ++pos;
  }
  bool fail(const std::string &msg, std::string &err) {
    err = "malformed header: " + msg;
    return false;
  }
  bool expect(char c, std::string &err) {
    skipSpace();
    if (peek() != c)
      return fail(std::string("expected '") + c + "' at offset " +
                      std::to_string(pos),
                  err);
    ++pos;
    return true;
  }

  bool parseString(std::string &out, std::string &err) {
    skipSpace();
    char quote = peek();
    if (quote != '\'' && quote != '"')
      return fail("expected a quoted string at offset " + std::to_string(pos),
                  err);
    size_t end = s.find(quote, pos + 1);
    if (end == std::string::npos)
      return fail("unterminated string", err);
    out = s.substr(pos + 1, end - pos - 1);
    pos = end + 1;
    return true;
  }

  bool parseWord(std::string &out) {
    skipSpace();
    size_t start = pos;
    while (pos < s.size() && (isalnum(static_cast<unsigned char>(s[pos])) ||
                              s[pos] == '_' || s[pos] == '-'))
      ++pos;
    out = s.substr(start, pos - start);
    return !out.empty();
  }

  bool parseInt(int64_t &v, std::string &err) {
    std::string w;
    if (!parseWord(w))
      return fail("expected an integer at offset " + std::to_string(pos), err);
    if (w.back() == 'L') // Python 2 long literal
      w.pop_back();
    char *end = nullptr;
    errno = 0;
    long long x = strtoll(w.c_str(), &end, 10);
    if (w.empty() || *end != '\0' || errno == ERANGE)
      return fail("bad integer '" + w + "'", err);
    v = x;
    return true;
  }

  bool parseTuple(std::vector<int64_t> &out, std::string &err) {
    if (!expect('(', err))
      return false;
    out.clear();
    while (true) {
      skipSpace();
      if (peek() == ')') {
        ++pos;
        return true;
      }
      int64_t v;
      if (!parseInt(v, err))
        return false;
      out.push_back(v);
      skipSpace();
      if (peek() == ',') {
        ++pos;
        continue;
      }
      return expect(')', err);
    }
  }

  bool parseValue(const std::string &key, Header &h, std::string &err) {
    skipSpace();
    if (key == "descr") {
      if (peek() == '[')
        return fail("structured dtypes are not supported", err);
      h.hasDescr = true;
      return parseString(h.descr, err);
    }
    if (key == "fortran_order") {
      std::string w;
      parseWord(w);
      if (w != "True" && w != "False")
        return fail("fortran_order must be True or False", err);
      h.hasFortran = true;
      h.fortranOrder = w == "True";
      return true;
    }
    if (key == "shape") {
      h.hasShape = true;
      return parseTuple(h.shape, err);
    }
    return fail("unknown key '" + key + "'", err);
  }
};

/// How a descr maps onto a netrt dtype.
struct DescrInfo {
  netrt_dtype dtype;
  size_t itemSize; // bytes per element in the file
};

bool parseDescr(const std::string &descr, DescrInfo &info, std::string &err) {
  std::string d = descr;
  if (!d.empty() && d[0] == '>') {
    err = "big-endian data ('" + descr + "') is not supported";
    return false;
  }
  // '=' is native order, which is little endian on every supported host.
  if (!d.empty() && (d[0] == '<' || d[0] == '='))
    d = d.substr(1);
  if (d == "f4")
    info = {NETRT_F32, 4};
  else if (d == "i4")
    info = {NETRT_I32, 4};
  else if (d == "f8")
    info = {NETRT_F32, 8};
  else if (d == "i8")
    info = {NETRT_I32, 8};
  else {
    err = "unsupported dtype '" + descr +
          "' (expected '<f4' or '<i4'; '<f8' and '<i8' are converted)";
    return false;
  }
  return true;
}

uint32_t readLE(const unsigned char *p, size_t n) {
  uint32_t v = 0;
  for (size_t i = 0; i < n; ++i)
    v |= uint32_t(p[i]) << (8 * i);
  return v;
}

/// Converts 8-byte elements to 4-byte ones.
bool narrow(const char *src, int64_t n, NpyArray &out, std::string &err) {
  if (out.dtype == NETRT_F32) {
    float *dst = out.f32();
    for (int64_t i = 0; i < n; ++i) {
      double v;
      memcpy(&v, src + 8 * i, 8);
      dst[i] = static_cast<float>(v);
    }
    return true;
  }
  int32_t *dst = out.i32();
  for (int64_t i = 0; i < n; ++i) {
    int64_t v;
    memcpy(&v, src + 8 * i, 8);
    if (v < INT32_MIN || v > INT32_MAX) {
      err = "int64 value " + std::to_string(v) + " at flat index " +
            std::to_string(i) + " does not fit in int32";
      return false;
    }
    dst[i] = static_cast<int32_t>(v);
  }
  return true;
}

} // namespace

//===----------------------------------------------------------------------===//
// Reading
//===----------------------------------------------------------------------===//

static bool parseNpyImpl(const unsigned char *p, size_t size, NpyArray &out,
                         std::string &err) {
  if (size < kMagicLen || memcmp(p, kMagic, kMagicLen) != 0) {
    err = "not a .npy file (bad magic)";
    return false;
  }
  if (size < kMagicLen + 2) {
    err = "truncated header";
    return false;
  }
  unsigned major = p[6], minor = p[7];
  if (major < 1 || major > 3 || minor != 0) {
    err = "unsupported .npy format version " + std::to_string(major) + "." +
          std::to_string(minor);
    return false;
  }
  size_t lenBytes = major == 1 ? 2 : 4;
  size_t prefix = kMagicLen + 2 + lenBytes;
  if (size < prefix) {
    err = "truncated header";
    return false;
  }
  size_t headerLen = readLE(p + kMagicLen + 2, lenBytes);
  if (headerLen > size - prefix) {
    err = "truncated header (header length " + std::to_string(headerLen) +
          ", file has " + std::to_string(size - prefix) + " bytes after it)";
    return false;
  }
  std::string text(reinterpret_cast<const char *>(p + prefix), headerLen);
  if (text.find('\0') != std::string::npos) {
    err = "malformed header: contains a NUL byte";
    return false;
  }

  Header h;
  if (!HeaderParser(text).parse(h, err))
    return false;
  if (!h.hasDescr || !h.hasFortran || !h.hasShape) {
    err = "malformed header: needs 'descr', 'fortran_order' and 'shape'";
    return false;
  }
  DescrInfo descr;
  if (!parseDescr(h.descr, descr, err))
    return false;
  if (h.fortranOrder) {
    err = "array is stored in Fortran order; only C order is supported "
          "(save np.ascontiguousarray(a))";
    return false;
  }

  size_t dataSize = size - prefix - headerLen;
  // Count elements with overflow checks; any count above the bytes present
  // is a truncation.
  uint64_t numel = 1;
  bool tooBig = false;
  for (int64_t d : h.shape) {
    if (d < 0) {
      err = "malformed header: negative dimension " + std::to_string(d);
      return false;
    }
    if (__builtin_mul_overflow(numel, uint64_t(d), &numel))
      tooBig = true;
  }
  uint64_t need;
  if (tooBig || __builtin_mul_overflow(numel, descr.itemSize, &need) ||
      need > dataSize) {
    err = "truncated data: shape " + formatType(descr.dtype, h.shape) +
          " of '" + h.descr + "' needs " +
          (tooBig ? std::string("more") : std::to_string(need)) +
          " bytes, the file has " + std::to_string(dataSize);
    return false;
  }
  if (need < dataSize) {
    err = "file has " + std::to_string(dataSize - need) +
          " bytes of trailing data after the array";
    return false;
  }

  out.dtype = descr.dtype;
  out.shape = h.shape;
  out.data.assign(numel * 4, 0);
  const char *src = reinterpret_cast<const char *>(p + prefix + headerLen);
  if (descr.itemSize == 4) {
    if (numel)
      memcpy(out.data.data(), src, numel * 4);
    return true;
  }
  return narrow(src, int64_t(numel), out, err);
}

bool netrt::parseNpy(const void *bytes, size_t size, const std::string &name,
                     NpyArray &out, std::string &err) {
  NpyArray tmp;
  if (!parseNpyImpl(static_cast<const unsigned char *>(bytes), size, tmp,
                    err)) {
    err = name + ": " + err;
    return false;
  }
  out = std::move(tmp);
  return true;
}

bool netrt::readNpy(const std::string &path, NpyArray &out, std::string &err) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    err = path + ": cannot open: " + strerror(errno);
    return false;
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    err = path + ": not a regular file";
    close(fd);
    return false;
  }
  std::vector<unsigned char> bytes(size_t(st.st_size));
  size_t got = 0;
  while (got < bytes.size()) {
    ssize_t n = read(fd, bytes.data() + got, bytes.size() - got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      err = path + ": read error: " + (n < 0 ? strerror(errno) : "short read");
      close(fd);
      return false;
    }
    got += size_t(n);
  }
  close(fd);
  return parseNpy(bytes.data(), bytes.size(), path, out, err);
}

//===----------------------------------------------------------------------===//
// Writing
//===----------------------------------------------------------------------===//

std::string netrt::encodeNpy(netrt_dtype dtype, const int64_t *shape,
                             size_t rank, const void *data) {
  std::string dict = "{'descr': '";
  dict += dtype == NETRT_I32 ? "<i4" : "<f4";
  dict += "', 'fortran_order': False, 'shape': (";
  int64_t numel = 1;
  for (size_t i = 0; i < rank; ++i) {
    if (i)
      dict += ", ";
    dict += std::to_string(shape[i]);
    numel *= shape[i];
  }
  if (rank == 1)
    dict += ',';
  dict += "), }";

  // Pad with spaces so that the data starts at a multiple of 64 bytes, then
  // end the header with '\n' (what numpy.lib.format writes).
  size_t lenBytes = 2;
  if (kMagicLen + 2 + 2 + dict.size() + 1 > 65535)
    lenBytes = 4;
  size_t prefix = kMagicLen + 2 + lenBytes;
  size_t total = prefix + dict.size() + 1;
  size_t padded = (total + 63) / 64 * 64;
  dict.append(padded - total, ' ');
  dict += '\n';

  std::string out(kMagic, kMagicLen);
  out += char(lenBytes == 2 ? 1 : 2);
  out += char(0);
  uint32_t len = uint32_t(dict.size());
  for (size_t i = 0; i < lenBytes; ++i)
    out += char((len >> (8 * i)) & 0xff);
  out += dict;
  if (numel > 0)
    out.append(static_cast<const char *>(data), size_t(numel) * 4);
  return out;
}

bool netrt::writeNpy(const std::string &path, netrt_dtype dtype,
                     const int64_t *shape, size_t rank, const void *data,
                     std::string &err) {
  std::string bytes = encodeNpy(dtype, shape, rank, data);
  std::string tmp = path + ".tmpXXXXXX";
  int fd = mkstemp(&tmp[0]);
  if (fd < 0) {
    err = path + ": cannot create: " + strerror(errno);
    return false;
  }
  // mkstemp makes 0600 files; give the usual permissions (reading the umask
  // would need umask(), which is not thread-safe).
  fchmod(fd, 0644);

  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      err = path + ": write error: " + strerror(errno);
      close(fd);
      unlink(tmp.c_str());
      return false;
    }
    done += size_t(n);
  }
  if (close(fd) != 0 || rename(tmp.c_str(), path.c_str()) != 0) {
    err = path + ": cannot write: " + strerror(errno);
    unlink(tmp.c_str());
    return false;
  }
  return true;
}

bool netrt::writeNpy(const std::string &path, const NpyArray &array,
                     std::string &err) {
  return writeNpy(path, array.dtype, array.shape.data(), array.shape.size(),
                  array.data.data(), err);
}
