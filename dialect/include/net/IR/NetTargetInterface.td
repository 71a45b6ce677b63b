//===- NetTargetInterface.td - What the passes ask a target -*- tablegen -*-===//
#ifndef NET_TARGET_INTERFACE_TD
#define NET_TARGET_INTERFACE_TD

include "mlir/IR/OpBase.td"

def Net_TargetAttrInterface : AttrInterface<"TargetAttrInterface"> {
  let cppNamespace = "::mlir::net";
  let description = [{
    The machine a module is compiled for, as the -O2 passes see it. The
    module carries it as `net.target` (netc sets it from `--target`); the
    storage layout (net-layout), the register tiles and algorithms
    (net-tile) and the strip sizes (net-fuse-pool) are asked of it, so each
    target keeps its own cost model and the passes hold none. `#net.x86`
    is the CPU model; `#net.gpu` (CUDA, OpenCL) implements the same methods
    beside it.
  }];
  let methods = [
    InterfaceMethod<"Float lanes of one vector register (a warp's width on a GPU).",
      "int64_t", "getFloatLanes", (ins)>,
    InterfaceMethod<"Bytes of fast memory a kernel's working set should fit "
                    "(L2 per core on a CPU).",
      "int64_t", "getCacheBytes", (ins)>,
    InterfaceMethod<"Whether the result of `op` is best stored channels "
                    "innermost (#net.layout<nhwc>).",
      "bool", "storesChannelsInnermost", (ins "::mlir::Operation *":$op)>,
    InterfaceMethod<"The algorithm, register tile and loop order of a "
                    "channels-innermost convolution: a #net.tile, or null for "
                    "the plain schedule; `fastAlgorithms` allows Winograd. "
                    "(Attribute: TileAttr is declared after the interface.)",
      "::mlir::Attribute", "chooseConvTile",
      (ins "::mlir::Operation *":$conv, "bool":$fastAlgorithms)>,
    InterfaceMethod<"The tile of a 1x1 stride-1 convolution computed as a "
                    "GEMM on its map flattened to H*W pixels (net-tile-gemm): "
                    "a #net.tile with order = pixels, or null where the "
                    "target has no such kernel or `conv` does not take it.",
      "::mlir::Attribute", "chooseGemmTile", (ins "::mlir::Operation *":$conv)>,
    InterfaceMethod<"The dense or sparse kernel for a conv or fc layer whose "
                    "weights have `nnz` nonzeros, at most `rowMax` in one "
                    "output channel: a #net.kernel with both cost estimates, "
                    "or null when the target has no sparse kernel for `op`. "
                    "(Attribute: KernelAttr is declared after the interface.)",
      "::mlir::Attribute", "chooseWeightFormat",
      (ins "::mlir::Operation *":$op, "int64_t":$nnz, "int64_t":$rowMax)>,
    InterfaceMethod<"Whether the parts of a concat may be computed straight "
                    "into the concat's buffer (crops sharing its strides; "
                    "net-concat-in-place).",
      "bool", "cropsConcatParts", (ins)>,
  ];
}

#endif // NET_TARGET_INTERFACE_TD
