//===- NetAttrs.td - The net passes' decisions as typed attributes -*- tablegen -*-===//
//
// What the -O2 passes decide is recorded on the ops as discardable
// attributes of these types (the dialect verifies that each name carries
// its type): storage (`net.layout`), the register tile and algorithm of a
// convolution (`net.tile`) and a pool computed in strips with its producer
// (`net.fuse_producer`), a pruned weight's zeros (`net.sparsity`). Code generation reads them; nothing parses strings.
//
//===----------------------------------------------------------------------===//
#ifndef NET_ATTRS_TD
#define NET_ATTRS_TD

include "net/IR/NetDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"
include "net/IR/NetTargetInterface.td"

def Net_Layout : I32EnumAttr<"Layout", "storage order of a 4-D feature map", [
    I32EnumAttrCase<"nchw", 0>,
    I32EnumAttrCase<"nhwc", 1>]> {
  let cppNamespace = "::mlir::net";
  let genSpecializedAttr = 0;
}
def Net_LayoutAttr : EnumAttr<Net_Dialect, Net_Layout, "layout"> {
  let summary = "net-layout's storage choice: `#net.layout<nhwc>`";
  let assemblyFormat = "`<` $value `>`";
}

def Net_Activation : I32EnumAttr<"Activation", "a convolution's fused activation", [
    I32EnumAttrCase<"none", 0>,
    I32EnumAttrCase<"relu", 1>,
    I32EnumAttrCase<"relu6", 2>,
    I32EnumAttrCase<"leaky_relu", 3>]> {
  let cppNamespace = "::mlir::net";
  let genSpecializedAttr = 0;
}
def Net_ActivationAttr : EnumAttr<Net_Dialect, Net_Activation, "act"> {
  let summary = "the activation of a fused_conv's epilogue: `#net.act<relu>`";
  let assemblyFormat = "`<` $value `>`";
}

def Net_PairLoss : I32EnumAttr<"PairLoss", "a loss of two tensors", [
    I32EnumAttrCase<"mse", 0>,
    I32EnumAttrCase<"l1", 1>,
    I32EnumAttrCase<"bce", 2>,
    I32EnumAttrCase<"content_cost", 3>,
    I32EnumAttrCase<"epe", 4>,
    I32EnumAttrCase<"style_cost", 5>]> {
  let cppNamespace = "::mlir::net";
  let genSpecializedAttr = 0;
}
def Net_PairLossAttr : EnumAttr<Net_Dialect, Net_PairLoss, "pair_loss"> {
  let summary = "the loss a net.pair_loss_grad differentiates: `#net.pair_loss<mse>`";
  let assemblyFormat = "`<` $value `>`";
}

def Net_ConvAlgo : I32EnumAttr<"ConvAlgo", "how a convolution is computed", [
    I32EnumAttrCase<"direct", 0>,
    I32EnumAttrCase<"winograd2", 2>,  // Winograd F(2x2, 3x3)
    I32EnumAttrCase<"winograd4", 4>,  // Winograd F(4x4, 3x3)
    // int8 (net.int8 layers): u8 inputs x i8 weights summed in int32, the
    // products reduced by 4 per lane (vpdpbusd, AVX-512 VNNI) ...
    I32EnumAttrCase<"vnni", 5>,
    // ... or by 2, widened to i16 (vpmaddwd: AVX2, AVX-512 without VNNI)
    I32EnumAttrCase<"pmaddwd", 6>]> {
  let cppNamespace = "::mlir::net";
  let genSpecializedAttr = 0;
}

def Net_GpuApi : I32EnumAttr<"GpuApi", "the API a GPU target's kernels use", [
    I32EnumAttrCase<"cuda", 0>,
    I32EnumAttrCase<"opencl", 1>]> {
  let cppNamespace = "::mlir::net";
  let genSpecializedAttr = 0;
}

def Net_TileOrder : I32EnumAttr<"TileOrder", "loop order of a tiled convolution", [
    // direct: rows (and images) outermost, in parallel: "n,y,oc,ow"
    I32EnumAttrCase<"rows_outer", 0>,
    // direct: channel blocks outermost, their weights stay in cache: "oc,n,y,ow"
    I32EnumAttrCase<"blocks_outer", 1>,
    // Winograd: a task transforms, multiplies and transforms back a block of
    // tiles: "n,tiles,e"
    I32EnumAttrCase<"tile_blocks", 2>,
    // Winograd: per image, the GEMMs by frequency x channel block: "n,e,oc,tiles"
    I32EnumAttrCase<"per_image", 3>,
    // direct 1x1 (net-tile-gemm): a GEMM on the map flattened to H*W pixels,
    // tasks of oc channels x `pixels` pixels in parallel: "n,oc,pixels,ow"
    I32EnumAttrCase<"pixels", 4>]> {
  let cppNamespace = "::mlir::net";
  let genSpecializedAttr = 0;
}

def Net_TileAttr : AttrDef<Net_Dialect, "Tile"> {
  let mnemonic = "tile";
  let summary = "net-tile's register tile of a convolution";
  let description = [{
    The output is walked in blocks of `oc` channels (a multiple of the
    vector width `vec`) by `ow` columns (Winograd: tiles), whose sums stay in
    vector registers, in the loop `order`; `algo` says whether the
    convolution is direct or Winograd F(m x m, 3 x 3). With order `pixels`
    (a 1x1 convolution as a GEMM on its flattened map), `ow` counts pixels
    and each task computes `oc` channels of `pixels` pixels (a multiple of
    `ow`); other orders leave `pixels` out (0).

    ```mlir
    net.tile = #net.tile<algo = winograd4, vec = 16, oc = 64, ow = 4, order = tile_blocks>
    net.tile = #net.tile<algo = direct, vec = 16, oc = 64, ow = 7, order = pixels, pixels = 49>
    ```
  }];
  let parameters = (ins EnumParameter<Net_ConvAlgo>:$algo, "int64_t":$vec,
                        "int64_t":$oc, "int64_t":$ow,
                        EnumParameter<Net_TileOrder>:$order,
                        DefaultValuedParameter<"int64_t", "0">:$pixels);
  let builders = [
    AttrBuilder<(ins "ConvAlgo":$algo, "int64_t":$vec, "int64_t":$oc,
                     "int64_t":$ow, "TileOrder":$order), [{
      return $_get($_ctxt, algo, vec, oc, ow, order, 0);
    }]>
  ];
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    bool isWinograd() const {
      return getAlgo() == ConvAlgo::winograd2 || getAlgo() == ConvAlgo::winograd4;
    }
    /// m of F(m x m, 3 x 3), 0 for a direct convolution.
    int winogradM() const {
      return isWinograd() ? static_cast<int>(getAlgo()) : 0;
    }
    /// The int8 products each int32 lane sums per instruction (4: vnni,
    /// 2: pmaddwd), 0 for an f32 convolution.
    int int8Dot() const {
      return getAlgo() == ConvAlgo::vnni ? 4
             : getAlgo() == ConvAlgo::pmaddwd ? 2 : 0;
    }
  }];
}

def Net_StripAttr : AttrDef<Net_Dialect, "Strip"> {
  let mnemonic = "strip";
  let summary = "a consumer computed per `rows` with its producer fused";
  let description = [{
    On a max or average pool (net-fuse-pool): the pool is computed in
    parallel strips of `rows` output rows and the tiled convolution it
    reads is computed per strip, so the convolution's output never leaves
    the cache. On a depthwise convolution (net-fuse-expand): it runs in
    parallel tasks of `rows` output rows and the 1x1 convolution it reads
    is computed row by row as they need it.

    ```mlir
    net.fuse_producer = #net.strip<rows = 7>
    ```
  }];
  let parameters = (ins "int64_t":$rows);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def Net_SparsityAttr : AttrDef<Net_Dialect, "Sparsity"> {
  let mnemonic = "sparsity";
  let summary = "net-prune-magnitude's result on a weight: `zeros` of `numel`";
  let description = [{
    On a `net.weight` the pruning pass zeroed: how many of its `numel`
    values are zero (the pruned ones, and any that were zero before).

    ```mlir
    %w = net.weight "c1.weight" value = ... {net.sparsity = #net.sparsity<zeros = 120, numel = 150>}
    ```
  }];
  let parameters = (ins "int64_t":$zeros, "int64_t":$numel);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The sparsity of `values`.
    static SparsityAttr count(::mlir::MLIRContext *ctx,
                              ::llvm::ArrayRef<float> values);
  }];
}

def Net_CodebookAttr : AttrDef<Net_Dialect, "Codebook"> {
  let mnemonic = "codebook";
  let summary = "net-share-weights' result on a weight: `entries` shared values";
  let description = [{
    On a `net.weight` whose values net-share-weights replaced by the
    centroids of a k-means clustering (Deep Compression's weight sharing):
    its `nonzeros` values take at most `entries` distinct values (the
    codebook; zeros, pruned or not, stay exact zeros and are not in it).
    With `netc --compress` the library stores it as the codebook plus
    entropy-coded indices and zero positions.

    ```mlir
    %w = net.weight "fc1.weight" value = ... {net.codebook = #net.codebook<entries = 32, nonzeros = 4800>}
    ```
  }];
  let parameters = (ins "int64_t":$entries, "int64_t":$nonzeros);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def Net_RangeAttr : AttrDef<Net_Dialect, "Range"> {
  let mnemonic = "range";
  let summary = "net-calibrate's result on a layer: the range of its input";
  let description = [{
    On a convolution or fc layer: the range its first operand (the
    activations) took on the calibration batch, by the estimator
    `--calibrate` chose (minmax, percentile, entropy). net-quantize turns it
    into the u8 scale and zero point of the layer's input.

    ```mlir
    net.input_range = #net.range<min = 0.000000e+00 : f32, max = 6.000000e+00 : f32>
    ```
  }];
  let parameters = (ins "::mlir::FloatAttr":$min, "::mlir::FloatAttr":$max);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def Net_WeightFormat : I32EnumAttr<"WeightFormat", "how a layer's kernel holds its weights", [
    I32EnumAttrCase<"dense", 0>,
    I32EnumAttrCase<"sparse", 1>]> {
  let cppNamespace = "::mlir::net";
  let genSpecializedAttr = 0;
}

def Net_KernelAttr : AttrDef<Net_Dialect, "Kernel"> {
  let mnemonic = "kernel";
  let summary = "net-sparse's choice for a pruned conv or fc: dense or sparse kernel";
  let description = [{
    On a convolution or fully connected layer whose weights were pruned:
    the weights' `nnz` nonzeros of `numel`, the most nonzeros of one output
    channel (`row_max`, the length the sparse kernel's rows are padded to),
    the target's cost estimates of the dense and the sparse kernel (its own
    units, per image) and the `format` the cheaper one chose.

    ```mlir
    net.kernel = #net.kernel<format = sparse, nnz = 26214, numel = 262144, row_max = 77, dense_cost = 16384, sparse_cost = 5120>
    ```
  }];
  let parameters = (ins EnumParameter<Net_WeightFormat>:$format,
                        "int64_t":$nnz, "int64_t":$numel, "int64_t":$row_max,
                        "int64_t":$dense_cost, "int64_t":$sparse_cost);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    bool isSparse() const { return getFormat() == WeightFormat::sparse; }
  }];
}

def Net_GroupAttr : AttrDef<Net_Dialect, "Group"> {
  let mnemonic = "group";
  let summary = "net-group's fusion group: the ops one kernel computes";
  let description = [{
    Every op of a function but the parameters carries the id of its fusion
    group (in program order, from 0); code generation lowers each group to
    one kernel, and groups with equal signatures share it.

    ```mlir
    net.group = #net.group<3>
    ```
  }];
  let parameters = (ins "int64_t":$id);
  let assemblyFormat = "`<` $id `>`";
  let genVerifyDecl = 1;
}

def Net_X86TargetAttr : AttrDef<Net_Dialect, "X86Target",
    [DeclareAttrInterfaceMethods<Net_TargetAttrInterface>]> {
  let mnemonic = "x86";
  let summary = "an x86 CPU: `#net.x86<vector_width = 16, registers = 32, l2 = 2097152, vnni = true>`";
  let description = [{
    The x86 cost model (X86Target.cpp): float lanes per vector (8 with
    AVX2, 16 with AVX-512), vector registers (16 or 32) and the L2 cache
    per core in bytes; `vnni` when int8 layers may use AVX-512 VNNI's
    vpdpbusd (else vpmaddwd). Convolutions get the register block with the most
    FMAs per load that fits the register file, the loop order that moves
    fewer bytes from beyond L2, and Winograd where it was measured to pay.
  }];
  let parameters = (ins "int64_t":$vector_width, "int64_t":$registers,
                        "int64_t":$l2,
                        DefaultValuedParameter<"bool", "false">:$vnni);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def Net_GpuTargetAttr : AttrDef<Net_Dialect, "GpuTarget",
    [DeclareAttrInterfaceMethods<Net_TargetAttrInterface>]> {
  let mnemonic = "gpu";
  let summary = "a GPU: `#net.gpu<api = cuda, capability = 80, sms = 132, warp = 32, registers = 255, shared = 49152, threads = 1024>`";
  let description = [{
    The GPU model (GpuTarget.cpp) for `--target=cuda*` and `opencl`: the
    API (`cuda` or `opencl`), the CUDA compute capability netc generates
    for (0 for OpenCL), streaming multiprocessors, the warp width, 32-bit
    registers per thread, shared memory per block in bytes and threads per
    block. The schedule templates (GpuSchedule.cpp) size their thread
    blocks and register tiles from it. Layouts stay NCHW (threads along
    W read consecutive floats), there are no CPU register tiles, sparse
    kernels or concat crops.
  }];
  let parameters = (ins EnumParameter<Net_GpuApi>:$api, "int64_t":$capability,
                        "int64_t":$sms, "int64_t":$warp,
                        "int64_t":$registers, "int64_t":$shared,
                        "int64_t":$threads);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

#endif // NET_ATTRS_TD
