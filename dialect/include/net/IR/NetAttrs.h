//===- NetAttrs.h - The net passes' decisions as typed attributes -*- C++ -*-===//
#ifndef NET_IR_NETATTRS_H
#define NET_IR_NETATTRS_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectImplementation.h"

#include "net/IR/NetDialect.h"
#include "net/IR/NetEnums.h.inc"

#include "net/IR/NetTargetInterface.h.inc"

#define GET_ATTRDEF_CLASSES
#include "net/IR/NetAttrs.h.inc"

namespace mlir::net {
/// The discardable attribute names the passes set.
inline constexpr llvm::StringLiteral kLayoutAttr = "net.layout";
inline constexpr llvm::StringLiteral kTileAttr = "net.tile";
inline constexpr llvm::StringLiteral kFuseProducerAttr = "net.fuse_producer";
inline constexpr llvm::StringLiteral kInPlaceAttr = "net.in_place";
inline constexpr llvm::StringLiteral kGroupAttr = "net.group";
inline constexpr llvm::StringLiteral kSparsityAttr = "net.sparsity";
inline constexpr llvm::StringLiteral kKernelAttr = "net.kernel";
inline constexpr llvm::StringLiteral kCodebookAttr = "net.codebook";
/// A result of @train that is a buffer's new value (--train=batch-stats:
/// a running statistic), not a gradient.
inline constexpr llvm::StringLiteral kStateAttr = "net.state";
/// int8: the calibrated range of a layer's input (net-calibrate), the
/// marker of a layer net-quantize runs in int8, and the per-output-channel
/// scales of its quantized weight.
inline constexpr llvm::StringLiteral kInputRangeAttr = "net.input_range";
inline constexpr llvm::StringLiteral kInt8Attr = "net.int8";
inline constexpr llvm::StringLiteral kWeightScalesAttr = "net.weight_scales";
/// On the module: the TargetAttrInterface the -O2 passes ask.
inline constexpr llvm::StringLiteral kTargetAttr = "net.target";

/// The target of the module holding `op`, or null when it names none.
TargetAttrInterface targetOf(Operation *op);

/// Whether `op`'s result is stored channels innermost.
inline bool isNhwc(Operation *op) {
  auto l = op ? op->getAttrOfType<LayoutAttr>(kLayoutAttr) : nullptr;
  return l && l.getValue() == Layout::nhwc;
}

/// The flat sparse kernel (a 1x1 stride-1 convolution on its map flattened
/// to one row of `pixels`, cut into chunks of `lanes` and tiles of chunks;
/// codegen's SparseLowering.cpp): chunks per tile, 2 to 4, the fewest
/// chunks computed (the last tile shifts inwards, recomputing some), then
/// at least two tiles (both cores busy at batch 1), then the larger tile;
/// 0 when the map is smaller than two chunks. `computed`, when given, gets
/// the chunks the tiles compute per image.
int64_t flatSparseTile(int64_t pixels, int64_t lanes,
                       int64_t *computed = nullptr);
/// Whether `op` is a convolution the flat sparse kernel computes once
/// pruned: 1x1, stride 1, no padding, groups 1, input and output channels
/// whole multiples of `lanes`, an f32 input another op produces, a map of
/// at least two chunks. `computed` as for flatSparseTile.
bool flatSparseShape(Operation *op, int64_t lanes, int64_t *computed = nullptr);
/// Whether `op` is a convolution a flat kernel may compute on its map
/// flattened to one row of H*W pixels (what flatSparseShape asks, but the
/// map's size): 1x1, stride 1, no padding, groups 1, input and output
/// channels whole multiples of `lanes`, an f32 input another op produces.
bool flatPointwiseShape(Operation *op, int64_t lanes);

} // namespace mlir::net

#endif // NET_IR_NETATTRS_H
