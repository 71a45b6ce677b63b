//===- Printer.cpp - NumPy-like printing of tensor values -----------------===//
//
// Follows numpy's defaults: more than 1000 elements are summarised with the
// 3 first and 3 last items of each long dim; elements are right-aligned to a
// common width.
//
//===----------------------------------------------------------------------===//

#include "Printer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

using namespace netrun;

namespace {

const int64_t kThreshold = 1000;
const int64_t kEdgeItems = 3;

class Printer {
public:
  explicit Printer(const netrt_tensor &t) : t(t) {
    summarise = netrt_numel(&t) > kThreshold;
    strides.assign(size_t(t.rank), 1);
    for (int32_t d = t.rank - 2; d >= 0; --d)
      strides[d] = strides[d + 1] * t.shape[d + 1];
  }

  std::string print() {
    collect(0, 0);
    chooseFloatStyle();
    for (int64_t i : shown)
      width = std::max(width, aligned(i).size());
    std::string out;
    emit(0, 0, out);
    return out;
  }

private:
  const netrt_tensor &t;
  bool summarise;
  std::vector<int64_t> strides;
  std::vector<int64_t> shown; // flat indices that are printed
  bool scientific = false;
  size_t intWidth = 0, fracWidth = 0; // of the f32 elements
  int sciDigits = -1;                 // digits after '.', once known
  size_t width = 0;

  /// The indices of dim `d` to print, with -1 standing for "...".
  std::vector<int64_t> indices(int32_t d) const {
    std::vector<int64_t> idx;
    int64_t n = t.shape[d];
    if (summarise && n > 2 * kEdgeItems) {
      for (int64_t i = 0; i < kEdgeItems; ++i)
        idx.push_back(i);
      idx.push_back(-1);
      for (int64_t i = n - kEdgeItems; i < n; ++i)
        idx.push_back(i);
    } else {
      for (int64_t i = 0; i < n; ++i)
        idx.push_back(i);
    }
    return idx;
  }

  void collect(int32_t d, int64_t offset) {
    if (d == t.rank) {
      shown.push_back(offset);
      return;
    }
    for (int64_t i : indices(d))
      if (i >= 0)
        collect(d + 1, offset + i * strides[d]);
  }

  /// Like numpy: scientific when the printed magnitudes span too much,
  /// otherwise fixed; either way each value with the fewest digits (at most 8)
  /// that read back as the same float.
  void chooseFloatStyle() {
    if (t.dtype != NETRT_F32)
      return;
    const float *v = static_cast<const float *>(t.data);
    double maxAbs = 0, minAbs = INFINITY;
    for (int64_t i : shown) {
      double a = std::fabs(double(v[i]));
      if (!std::isfinite(a) || a == 0)
        continue;
      maxAbs = std::max(maxAbs, a);
      minAbs = std::min(minAbs, a);
    }
    scientific = maxAbs >= 1e8 ||
                 (maxAbs > 0 && (minAbs < 1e-4 || maxAbs / minAbs > 1e3));
    for (int64_t i : shown) {
      std::string s = element(i);
      size_t dot = s.find('.');
      size_t end = scientific ? s.find('e') : s.size();
      if (dot == std::string::npos || end == std::string::npos)
        continue;
      intWidth = std::max(intWidth, dot);
      fracWidth = std::max(fracWidth, end - dot);
    }
    // numpy prints every scientific value with the same number of digits.
    if (scientific && fracWidth > 0)
      sciDigits = int(fracWidth) - 1;
  }

  /// The shortest "%.<p>f" / "%.<p>e" spelling of `v` that round-trips.
  std::string shortest(float v) const {
    char buf[64];
    const char *fmt = scientific ? "%.*e" : "%.*f";
    if (sciDigits >= 0) {
      // '#': keep the '.' even with no digits after it ("2.e-06").
      snprintf(buf, sizeof buf, "%#.*e", sciDigits, double(v));
      return buf;
    }
    for (int p = scientific ? 0 : 1; p <= 8; ++p) {
      snprintf(buf, sizeof buf, fmt, p, double(v));
      if (strtof(buf, nullptr) == v)
        break;
    }
    std::string s = buf;
    // numpy writes "2." rather than "2.0" in arrays.
    if (!scientific && t.rank > 0 && s.size() > 2 &&
        s.compare(s.size() - 2, 2, ".0") == 0)
      s.pop_back();
    if (scientific && s.find('.') == std::string::npos)
      s.insert(s.find('e'), ".");
    return s;
  }

  std::string element(int64_t i) const {
    if (t.dtype == NETRT_I32)
      return std::to_string(static_cast<const int32_t *>(t.data)[i]);
    float v = static_cast<const float *>(t.data)[i];
    if (std::isnan(v))
      return "nan";
    if (std::isinf(v))
      return v > 0 ? "inf" : "-inf";
    return shortest(v);
  }

  /// Aligns the decimal points: integer parts right-aligned, fractions
  /// padded on the right.
  std::string aligned(int64_t i) const {
    std::string s = element(i);
    size_t dot = s.find('.');
    if (t.dtype != NETRT_F32 || dot == std::string::npos)
      return s;
    size_t end = scientific ? s.find('e') : s.size();
    std::string mantissa =
        std::string(intWidth - std::min(intWidth, dot), ' ') +
        s.substr(0, end) +
        std::string(fracWidth - std::min(fracWidth, end - dot),
                    scientific ? '0' : ' ');
    return mantissa + s.substr(end);
  }

  std::string padded(int64_t i) const {
    std::string s = aligned(i);
    return std::string(width > s.size() ? width - s.size() : 0, ' ') + s;
  }

  void emit(int32_t d, int64_t offset, std::string &out) const {
    if (d == t.rank) {
      out += padded(offset);
      return;
    }
    out += '[';
    std::vector<int64_t> idx = indices(d);
    // Between items of dim d: spaces on the innermost dim, else newlines (one
    // blank line per extra level) and an indent.
    std::string sep = " ";
    if (d + 1 < t.rank)
      sep = std::string(size_t(t.rank - d - 1), '\n') +
            std::string(size_t(d + 1), ' ');
    for (size_t k = 0; k < idx.size(); ++k) {
      if (k)
        out += sep;
      if (idx[k] < 0)
        out += "...";
      else
        emit(d + 1, offset + idx[k] * strides[d], out);
    }
    out += ']';
  }
};

} // namespace

std::string netrun::formatValues(const netrt_tensor &t) {
  if (netrt_numel(&t) == 0 && t.rank > 0)
    return "[]";
  return Printer(t).print();
}
