//===- WeightPrep.h - How a kernel's weight argument is prepared -*- C++ -*-===//
//
// Kernels take their weights as buffer arguments. Each such argument is
// prepared once, when the library is opened (or its weights are bound),
// from the model's raw parameters as the weights file names them: batchnorm
// folded into convolutions, weights re-laid out for the register tiles,
// fc weights in blocks, Winograd filters transformed. This is that step's
// description; the generated library's executor (executor/Runtime.c)
// carries it out. Plain C++: no Halide, no MLIR.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_CODEGEN_WEIGHTPREP_H
#define NETC_CODEGEN_WEIGHTPREP_H

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace netc {

/// Must match NETC_PREP_* in executor/Runtime.c.
enum class PrepKind {
  Raw = 0,      // {w}: the parameter as stored (used in place when embedded)
  Conv = 1,     // {w, bn.weight, bn.var}: w[o] * scale[o]; param 1: output
                // channels fastest, then input channels, then the taps;
                // param B > 1: so per block of B output channels, blocks
                // outermost
  ConvBias = 2, // {bias, bn.weight, bn.bias, bn.mean, bn.var}: the folded bias
  BnScale = 3,  // {weight, var}: weight / sqrt(var + eps)
  BnShift = 4,  // {weight, bias, mean, var}: bias - mean * scale
  FcBlock = 5,  // {w}: [O, I] in blocks of `param` rows, each column-major
  Winograd = 6, // {w, bn.weight, bn.var}: U = G (w * scale) G^T, param = m
  SparseConv = 7, // {w, bn.weight, bn.var} of a 2-D conv: per output
                  // channel its count of nonzeros of w * scale, then each
                  // as (value, channel) for 1x1, (value, channel, kx, ky)
                  // otherwise, indices as int32 bits; rows padded to
                  // `param` nonzeros
  SparseFcBlocks = 8, // {w}: [O, I] in blocks of L rows (extents[0]); slot
                      // k of a block holds each row's k-th nonzero: L
                      // values, then L column indices (int32 bits); `param`
                      // slots, zero padded
  // int8 layers (net-quantize: w[o] = q * scale[o], scale[o] = max|w[o]|/127):
  Int8Conv = 9,   // {w}: the int8 codes q, Halide dims (k < G, o % V,
                  // c / G, kx, ky, o / V), c = (c / G) * G + k, zero padded
  Int8Scale = 10, // {w}: eps * scale[o] (eps: the input codes' scale)
  Int8Bias = 11,  // {w, bias}: bias[o] - param * eps * scale[o] * sum(q[o])
                  // (param: the input codes' zero point)
};

struct PrepSpec {
  PrepKind kind = PrepKind::Raw;
  /// Raw parameter names; "" where absent (no bias, no batchnorm).
  std::vector<std::string> sources;
  float eps = 0;
  int param = 0;
  /// The prepared buffer as Halide sees it: dim 0 innermost.
  std::vector<int64_t> extents, strides;

  int64_t numel() const {
    int64_t n = 1;
    for (int64_t e : extents)
      n *= e;
    return n;
  }
  /// Equal keys: the same prepared values (shared between kernels).
  std::string key() const {
    char e[32];
    std::snprintf(e, sizeof e, "%.9g", eps);
    std::string k = std::to_string((int)kind) + ":" + std::to_string(param) +
                    ":" + e;
    for (const std::string &s : sources)
      k += "|" + s;
    for (size_t i = 0; i < extents.size(); ++i)
      k += "," + std::to_string(extents[i]) + "/" + std::to_string(strides[i]);
    return k;
  }
};

/// Dense strides for Halide extents stored in `order` (innermost first).
inline std::vector<int64_t> stridesFor(const std::vector<int64_t> &extents,
                                       const std::vector<int> &order) {
  std::vector<int64_t> strides(extents.size(), 0);
  int64_t s = 1;
  for (int d : order) {
    strides[d] = s;
    s *= extents[d];
  }
  return strides;
}

} // namespace netc

#endif // NETC_CODEGEN_WEIGHTPREP_H
