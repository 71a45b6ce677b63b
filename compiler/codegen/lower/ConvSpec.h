//===- ConvSpec.h - What net.conv and net.fused_conv describe -*- C++ -*-===//
//
// Shared by the dense (ConvLowering.cpp) and sparse (SparseLowering.cpp)
// convolution lowerings.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_CODEGEN_LOWER_CONVSPEC_H
#define NETC_CODEGEN_LOWER_CONVSPEC_H

#include "codegen/lower/LowerContext.h"

#include "net/IR/NetOps.h"

namespace netc {

/// What both ops describe.
struct ConvSpec {
  mlir::Operation *op;
  mlir::Value input, weight, bias, residual;
  mlir::Value bn[4] = {}; // weight, bias, mean, var
  float eps = 0;
  mlir::net::Activation act = mlir::net::Activation::none;
  float slope = 0;
  llvm::ArrayRef<int64_t> stride, pad, dil;
  int64_t groups = 1;
};

/// The name of parameter `v` (a net.weight), or "".
inline std::string paramName(mlir::Value v) {
  auto w = v ? v.getDefiningOp<mlir::net::WeightOp>() : nullptr;
  return w ? w.getName().str() : std::string();
}

/// The layer a convolution's stages are named after ("layer1.0.conv1.weight"
/// or, once the batchnorm is folded, "layer1.0.conv1.weight#bn" ->
/// "layer1.0.conv1"): what --profile and --emit=halide show.
inline std::string layerName(const ConvSpec &c) {
  auto wop = c.weight.getDefiningOp<mlir::net::WeightOp>();
  if (!wop)
    return "conv";
  llvm::StringRef name = wop.getName().split('#').first;
  name.consume_back(".weight");
  return name.str();
}

inline Halide::Expr activation(const ConvSpec &c, Halide::Expr v) {
  switch (c.act) {
  case mlir::net::Activation::relu:
    return Halide::max(v, 0.0f);
  case mlir::net::Activation::relu6:
    return Halide::clamp(v, 0.0f, 6.0f);
  case mlir::net::Activation::leaky_relu:
    return Halide::select(v > 0.0f, v, v * c.slope);
  case mlir::net::Activation::none:
    break;
  }
  return v;
}

/// Whether the weights, bias and batchnorm parameters are all net.weight
/// values (what a weight preparation needs); else says so in `error`.
bool paramsAreWeights(const ConvSpec &c, std::string &error);

/// The bias with the batchnorm folded in, a preparation over `outCh`
/// output channels (call only when there is a bias or a batchnorm).
Halide::Func foldedBias(LowerContext &cx, const ConvSpec &c, int64_t outCh);

/// A 2-D convolution (groups 1, no batchnorm left) of u8 codes whose
/// net.tile chose an int8 algorithm (Int8ConvLowering.cpp).
mlir::LogicalResult lowerInt8Conv(LowerContext &cx, const ConvSpec &c,
                                  mlir::net::TileAttr tile, std::string &error);

/// Whether `op` is a convolution lowerGroup computes on its map flattened
/// to one row: one with a sparse kernel, stored channels innermost, of the
/// flat kernel's shape (mlir::net::flatSparseShape).
bool flatSparseConv(mlir::Operation *op);

/// Whether `op` is a dense convolution lowerGroup computes on its map
/// flattened: a 1x1 GEMM (net.tile order = pixels).
bool flatGemmConv(mlir::Operation *op);

/// A convolution whose net.kernel chose the sparse format.
mlir::LogicalResult lowerSparseConv(LowerContext &cx, const ConvSpec &c,
                                    mlir::net::KernelAttr kernel,
                                    std::string &error);

/// A fully connected layer whose net.kernel chose the sparse format.
mlir::LogicalResult lowerSparseFc(LowerContext &cx, mlir::net::FcOp op,
                                  mlir::net::KernelAttr kernel,
                                  std::string &error);

} // namespace netc

#endif // NETC_CODEGEN_LOWER_CONVSPEC_H
