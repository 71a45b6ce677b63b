//===- Passes.td - Optimisation passes on the net dialect --*- tablegen -*-===//
//
// net-prune-magnitude runs first at every level when netc --prune asks;
// net-differentiate next when netc --train asks (it builds @backward, which
// every later pass then optimises like @forward).
// The -O2 pipeline runs them in this order (compiler/driver/Registration.cpp):
// fold-batchnorm, fuse-conv, layout, tile, concat-in-place. Each has its own lit test in
// test/Passes/.
//
//===----------------------------------------------------------------------===//
#ifndef NET_TRANSFORMS_PASSES_TD
#define NET_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def NetDifferentiate : Pass<"net-differentiate", "ModuleOp"> {
  let summary = "Builds @backward: the gradient of the sum of the losses";
  let description = [{
    `netc --train` (tools.md). @backward takes @loss's inputs and returns
    the gradient of the sum of @loss's results w.r.t. every learned
    parameter (each name once, in order of first use, named as in the
    weights file; frozen `init=` constants and batchnorm running statistics
    have none) and then every f32 input (named as the input); what no loss
    reads gets zeros. It is @loss's body followed by reverse-mode adjoints:
    each op's DifferentiableOp model (loss terms: LossTermOp, seeded with
    their constant weight in the sum) builds its operands' adjoints out of
    forward values and the gradient ops; several uses of one value add up.
    An op without a model is an error naming it. Runs first, on the net
    dialect as the front end wrote it, so every later pass optimises
    @backward too.

    @train (what a train step runs) is @backward returning @loss's results
    first, then the parameters' gradients only. With `batch-stats` (netc
    --train=batch-stats) every net.batchnorm of @backward and @train
    becomes a net.batchnorm_train (nn.BatchNorm.train(): batch statistics,
    differentiated through), and @train also returns each running
    statistic's update by `momentum`, named as the buffer and marked
    `net.state`, after the gradients. @forward and @loss stay in eval mode.
  }];
  let options = [
    Option<"batchStats", "batch-stats", "bool", /*default=*/"false",
           "Batchnorm in training mode: batch statistics, running averages "
           "updated by @train">,
    Option<"momentum", "momentum", "double", /*default=*/"0.1",
           "The running averages' momentum (PyTorch's default, 0.1)">,
  ];
  let dependentDialects = ["mlir::net::NetDialect", "mlir::func::FuncDialect"];
}

def NetPruneMagnitude : Pass<"net-prune-magnitude", "ModuleOp"> {
  let summary = "Unstructured magnitude pruning of conv and fc weights";
  let description = [{
    `netc --prune=magnitude:S` (tools.md, "Compression"): in every conv,
    depthwise conv, deconv and fc weight tensor (not biases, batchnorm
    parameters or frozen `init=` constants) the floor(S * numel) values of
    smallest absolute value become zero, ties broken by the lower flat index
    (PyTorch layout). It runs first, on the weights as loaded, so that the
    compiled model equals PyTorch with its weights pruned by the same rule.
    A parameter shared by several layers (or by several functions) is
    pruned once. Each pruned weight is marked with `#net.sparsity`.
    `skip` names layers left dense: a prefix matches a layer (the weight's
    name without its last component) equal to it or starting with it and a
    dot; a prefix that matches no layer is an error, as is a weight without
    values (`netc --no-embed-weights`).
  }];
  let options = [
    Option<"sparsity", "sparsity", "double", "0.0",
           "fraction S in [0, 1) of each weight tensor set to zero">,
    ListOption<"skip", "skip", "std::string",
               "layer name prefixes left dense">,
  ];
  let dependentDialects = ["mlir::net::NetDialect"];
}

def NetPruneChannels : Pass<"net-prune-channels", "ModuleOp"> {
  let summary = "Structured pruning: remove whole output channels of convolutions";
  let description = [{
    `netc --prune=channels:S` (tools.md, "Compression"). Channels that must
    go together form one group: the operands of an elementwise add (a
    residual), a depthwise convolution's channels and its input's, and what
    only carries channels through (batchnorm, activations, pools). The
    convolutions whose output channels share groups form one space of n
    groups; floor(S * n) of them are removed, the smallest sum of the
    members' filter L1 norms (`weight[c]` as loaded) first, ties by the
    lower index. Consumers are sliced to match: the next convolution's
    input channels, batchnorm parameters, a depthwise convolution's groups,
    an fc layer's input features after a flatten; shapes are rewritten and
    the weights sliced in the IR. A space is left whole when any of its
    channels reaches a function result (a model output keeps its shape) or
    an op the pass does not see through (grouped convolutions, lrn,
    concats across other dims, reshapes, ...). Runs first, on the weights
    as loaded, in every function the same way; a weight without values is
    an error.
  }];
  let options = [
    Option<"sparsity", "sparsity", "double", "0.0",
           "fraction S in [0, 1) of each space's channel groups removed">,
  ];
  let dependentDialects = ["mlir::net::NetDialect"];
}

def NetFoldBatchNorm : Pass<"net-fold-batchnorm", "func::FuncOp"> {
  let summary = "Fold eval-mode batchnorm into the convolution before it";
  let description = [{
    `batchnorm(conv(x, w, b))`, where the conv has no other use, becomes one
    `net.fused_conv` carrying the batchnorm parameters. Batchnorm is an
    affine map per output channel, so it folds into the weights and bias
    (w' = w * s, b' = (b - mean) * s + beta, s = gamma / sqrt(var + eps)).
    When the parameters carry their values (net.weight's value), the fold is
    done here on the values: the fused_conv reads new parameters
    `<weight>#bn` and `<weight>#bn.bias` and no batchnorm. Without values
    (`netc --no-embed-weights`: weights bound when the library is opened)
    it keeps the batchnorm parameters and the library folds them when they
    are bound; so it does with `fold-values=false` (`netc --train`: the
    library's parameters stay the model's, which a train step updates).
  }];
  let options = [
    Option<"foldWeights", "fold-values", "bool", "true",
           "fold the values here when they are in the IR">,
  ];
  let dependentDialects = ["mlir::net::NetDialect"];
}

def NetFuseConv : Pass<"net-fuse-conv", "func::FuncOp"> {
  let summary = "Fuse residual adds and activations into convolutions";
  let description = [{
    Grows `net.fused_conv` epilogues: `add(conv, r)` (same type, the conv
    used only there) takes `r` as the residual, and `relu`, `relu6` or
    `leaky_relu` of a conv becomes its activation; a plain `net.conv` is
    promoted to `net.fused_conv` when something fuses into it. Each fusion
    removes one full pass over a tensor in memory.
  }];
  let dependentDialects = ["mlir::net::NetDialect"];
}

def NetLayout : Pass<"net-layout", "func::FuncOp"> {
  let summary = "Choose the channels-innermost layout for feature maps";
  let description = [{
    Marks every op that produces a 4-D feature map [N, C, H, W] with
    `#net.layout<nhwc>` when the module's target (`net.target`, a
    TargetAttrInterface) wants it stored so. For `#net.x86` that is every
    type its schedules handle in that layout (dense and depthwise
    convolutions, pools, batchnorm, elementwise ops, concat) whose C fills
    at least one vector; maps with fewer channels keep W innermost, where
    the vectors go instead. Without a `net.target` the pass models an x86
    core with `vector-width` lanes.
    The tensor keeps its NCHW type; only its storage inside the pipeline
    changes (channels vary fastest), so the convolution kernels load
    consecutive channels as one vector. Model inputs and outputs stay NCHW:
    the conversion happens only at the model's edges.
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "int", "8",
           "float lanes in one vector register">,
  ];
  let dependentDialects = ["mlir::net::NetDialect"];
}

def NetTile : Pass<"net-tile", "func::FuncOp"> {
  let summary = "Pick register tiles and vector widths per convolution";
  let description = [{
    For each channels-innermost convolution, asks the module's target
    (`net.target`; without one, an x86 core described by the options) for
    the register block (output channels x output columns held
    in vector registers), the vector width and the loop order, and records
    them as `net.tile = {vec, oc, ow, order}`. The Halide schedule
    templates read that attribute.

    The order decides which operand stays in the L2 cache. Rows outermost
    ("n,y,oc,ow") keeps the input rows hot and streams the weights once per
    row; channel blocks outermost ("oc,n,y,ow") keeps one block's weights
    hot and streams the input once per block. The pass picks the order with
    less traffic from beyond L2 (late ResNet/VGG layers, whose weights
    outweigh their feature maps, get the second).

    Dense stride-1 3x3 convolutions with at least 64 input and output
    channels (multiples of the vector width) get Winograd instead:
    `algo = "winograd4"` (F(4x4,3x3), maps of 14 and up) or "winograd2"
    (smaller maps), with the GEMM register block in oc x ow (output
    channels x tiles) and the order "n,tiles,e" (per block of tiles) or
    "n,e,oc,tiles" (all GEMMs per image, when the transformed filter
    reaches 16 x L2). `winograd=false` keeps the direct kernel.
    An int8 layer (`net.int8`, groups 1, its input a `net.qdq`) gets the
    direct kernel on int8 dot products: `algo = vnni` (vpdpbusd, when the
    target has AVX-512 VNNI) or `pmaddwd`, with the f32 register block.
  }];
  let options = [
    Option<"winograd", "winograd", "bool", "true",
           "use Winograd for the 3x3 convolutions where it pays">,
    Option<"vectorWidth", "vector-width", "int", "8",
           "float lanes in one vector register">,
    Option<"registers", "registers", "int", "16",
           "vector registers available to a kernel">,
    Option<"l2Bytes", "l2", "int64_t", "1048576",
           "L2 cache size per core in bytes">,
    Option<"vnni", "vnni", "bool", "false",
           "int8 layers may use AVX-512 VNNI (vpdpbusd)">,
  ];
  let dependentDialects = ["mlir::net::NetDialect"];
}

def NetSparse : Pass<"net-sparse", "func::FuncOp"> {
  let summary = "Choose dense or sparse kernels for pruned convolutions and fc layers";
  let description = [{
    For each convolution (groups 1, 2-D, stored channels innermost) and
    fully connected layer whose weight is a pruned `net.weight` (it carries
    `#net.sparsity` and its values), counts the nonzeros (in all, and the
    most in one output channel) and asks the module's target (without one,
    an x86 core described by the options) to compare its dense kernel (the
    `net.tile` net-tile chose: direct or Winograd) with its sparse one. The
    choice and both estimates are recorded as `net.kernel =
    #net.kernel<format = ...>`; a layer that goes sparse loses its
    `net.tile`. `mode=always` / `mode=never` override the cost model (tests,
    comparisons); `mode=auto` is the default.
  }];
  let options = [
    Option<"mode", "mode", "std::string", "\"auto\"",
           "auto (the target's cost model), always or never">,
    Option<"vectorWidth", "vector-width", "int", "8",
           "float lanes in one vector register">,
    Option<"registers", "registers", "int", "16",
           "vector registers available to a kernel">,
    Option<"l2Bytes", "l2", "int64_t", "1048576",
           "L2 cache size per core in bytes">,
  ];
  let dependentDialects = ["mlir::net::NetDialect"];
}

def NetShareWeights : Pass<"net-share-weights", "ModuleOp"> {
  let summary = "Weight sharing: k-means codebooks for conv and fc weights";
  let description = [{
    `netc --compress` (tools.md): Deep Compression's weight sharing. In every
    conv, depthwise conv, deconv and fc weight with values (not frozen
    `init=` constants) the nonzero values are clustered by one-dimensional
    k-means (Lloyd's iterations from centroids spaced evenly between the
    smallest and the largest value, as Han et al. found best) into at most
    `conv-entries` (convolutions) or `fc-entries` (fc) clusters, and each is
    replaced by its cluster's mean. Zeros stay exact zeros (the pruned
    positions are stored apart). Runs after net-fold-batchnorm, on the
    weights the library stores, so the stored values are the shared ones;
    a parameter used in several functions is clustered once. Each shared
    weight is marked `#net.codebook<entries, nonzeros>`. A weight with at
    most that many distinct values keeps them exactly; int8 weights
    (net-quantize's, with `net.weight_scales`) are left on their grid.
  }];
  let options = [
    Option<"convEntries", "conv-entries", "int", "256",
           "codebook entries of a convolution's weight (1 to 256)">,
    Option<"fcEntries", "fc-entries", "int", "32",
           "codebook entries of an fc layer's weight (1 to 256)">,
  ];
  let dependentDialects = ["mlir::net::NetDialect"];
}

def NetCalibrate : Pass<"net-calibrate", "ModuleOp"> {
  let summary = "int8 calibration: the range of every conv and fc input";
  let description = [{
    `netc --quantize=int8 --calibration=FILE.npy` (tools.md): runs @forward
    with the project's reference evaluator on the calibration batch (each
    `calibration` entry is `FILE.npy` for the model's only f32 input, or
    `NAME=FILE.npy`; f32 arrays of the input's shape, any batch) and marks
    every convolution (dense, grouped or depthwise; not deconvolutions) and
    fc layer with the range of its input, `net.input_range =
    #net.range<min, max>`, by `method`:
    - `minmax`: the smallest and the largest value;
    - `percentile:P` (0 < P <= 100): the P-th and (100 - P)-th percentiles
      (numpy's default linear interpolation), clipping outliers;
    - `entropy`: TensorRT's KL-divergence threshold T on a 2048-bin
      histogram of the nonzero |x| (the T whose 255-level (127 for signed inputs)
      quantization loses the least information), the range clipped to
      [-T, T].
    A file of the wrong dtype or shape, an unknown input name or a missing
    f32 input is an error naming it.
  }];
  let options = [
    ListOption<"calibration", "calibration", "std::string",
               "FILE.npy or NAME=FILE.npy per f32 model input">,
    Option<"method", "method", "std::string", "\"minmax\"",
           "minmax, percentile:P or entropy">,
  ];
  let dependentDialects = ["mlir::net::NetDialect"];
}

def NetQuantize : Pass<"net-quantize", "ModuleOp"> {
  let summary = "int8 post-training quantization of calibrated convs and fc layers";
  let description = [{
    For each convolution and fc layer net-calibrate marked with
    `net.input_range` (tools.md, "Compression"): its input goes through a
    `net.qdq` with the u8 scale and zero point of the range (widened to
    include 0; scale = (max - min) / 255, zero point = round(-min / scale));
    its weight is quantized symmetrically per output channel (scale =
    max|w[o]| / 127, values round(w / scale) * scale in [-127, 127] steps,
    the scales recorded as `net.weight_scales`), and the layer is marked
    `net.int8`. Consumers of one input with equal parameters share its qdq;
    a weight used in several functions is quantized once. Biases stay f32.
    Then a max pool all of whose readers are one qdq takes that qdq on its
    input instead and is marked `net.int8` (it runs on the u8 codes; exact,
    since quantization is monotone), last pools first.
    At -O2 this runs after net-fuse-conv, on the batchnorm-folded weights.
  }];
  let dependentDialects = ["mlir::net::NetDialect"];
}

def NetConcatInPlace : Pass<"net-concat-in-place", "func::FuncOp"> {
  let summary = "Let convolutions write straight into the concat after them";
  let description = [{
    An inception module concatenates the last convolutions of its branches
    along the channels. When every input of a channel `concat` (4-D, not
    returned) is a distinct result of another op, stored in the concat's
    layout, not returned and not already part of another such concat, the
    concat is marked `net.in_place`: code generation gives it no kernel,
    and each input's kernel writes its channel range of the concat's buffer
    directly (a crop with the concat's strides), so the branch outputs are
    never stored apart and copied. Other readers of an input read the crop.
    Parts may be concats in place themselves: a DenseNet block, where each
    layer concatenates its input with its new channels, becomes one buffer
    that every layer extends. The branch kernels stay separate, so equal
    branches share one.
  }];
  let dependentDialects = ["mlir::net::NetDialect"];
}

def NetTileGemm : Pass<"net-tile-gemm", "func::FuncOp"> {
  let summary = "Run the 1x1 convolutions that keep a kernel of their own as GEMMs";
  let description = [{
    A 1x1 stride-1 convolution is a GEMM: (H*W pixels x C) times (C x O).
    After the fusion passes, each such convolution (direct f32 tile,
    channels innermost, dense weights, channels whole multiples of the
    vector) that still gets a kernel of its own (nothing fused into it, not
    fused into a consumer, not read by a `net.qdq`, its input and residual
    other ops' results (a model input is converted at the edge), its maps
    not parts of a concat in place) gets the target's GEMM tile
    (`chooseGemmTile`): `order = pixels`. Code generation runs it on its
    map flattened to one row of H*W pixels (as the flat sparse kernel), in
    parallel tasks of `oc` channels x `pixels` pixels, each a sequence of
    register blocks of oc channels x ow pixels over the input channels,
    with the weights stored per block of oc channels, so no block is cut
    by a row's end and one block's weights stay in L2 for the whole task.

    ```mlir
    net.tile = #net.tile<algo = direct, vec = 16, oc = 64, ow = 7, order = pixels, pixels = 49>
    ```
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "int", "8",
           "float lanes in one vector register">,
    Option<"registers", "registers", "int", "16",
           "vector registers available to a kernel">,
    Option<"l2Bytes", "l2", "int64_t", "1048576",
           "L2 cache size per core in bytes">,
  ];
  let dependentDialects = ["mlir::net::NetDialect"];
}

def NetGroup : Pass<"net-group", "func::FuncOp"> {
  let summary = "Mark the fusion groups code generation makes kernels of";
  let description = [{
    Gives every op but `net.weight` and the terminator a
    `net.group = #net.group<N>`, ids in program order. An op is a group of
    its own, except a producer the passes fused into its consumer, which
    joins the consumer's group when nothing else reads it: the convolution
    of a pool marked `net.fuse_producer`, the expansion of a depthwise
    convolution so marked and the depthwise convolution (with its group)
    of a projection so marked, and the producer of a `net.qdq`
    (its kernel then stores the u8 codes, not the f32 value). Code
    generation lowers each group to one Halide kernel (a concat marked
    `net.in_place` to none: its inputs' kernels write crops of its buffer);
    groups with equal signatures share one. Runs last, at every -O level.

    ```mlir
    %c = net.fused_conv ... {net.group = #net.group<0>, net.tile = ...}
    %p = net.maxpool %c ... {net.fuse_producer = #net.strip<rows = 7>, net.group = #net.group<0>}
    ```
  }];
  let dependentDialects = ["mlir::net::NetDialect"];
}

def NetFusePool : Pass<"net-fuse-pool", "func::FuncOp"> {
  let summary = "Compute a convolution inside the pooling that follows it";
  let description = [{
    A channels-innermost `maxpool` or `avgpool` (window of at most 16 taps)
    whose input is a register-tiled, rows-outermost convolution used only
    there is marked `net.fuse_producer = {rows = R}`: code generation
    computes the pool in strips of R output rows, in parallel, and the
    convolution (epilogue included) per strip just before, so its output
    lives in a strip-sized buffer in L2 instead of making a round trip
    through memory. It is done only where that pays: when the
    convolution's output for one image is larger than L2 (the stems of
    ResNet and GoogLeNet, VGG's first blocks). R keeps a strip's
    convolution rows within half of L2 and leaves at least eight strips per
    image; overlapping windows (3x3 stride 2) recompute one row per strip.
  }];
  let options = [
    Option<"l2Bytes", "l2", "int64_t", "1048576",
           "L2 cache size per core in bytes">,
  ];
  let dependentDialects = ["mlir::net::NetDialect"];
}

def NetFuseExpand : Pass<"net-fuse-expand", "func::FuncOp"> {
  let summary = "Compute a 1x1 expansion inside the depthwise convolution after it";
  let description = [{
    MobileNet's inverted residual expands the channels with a 1x1
    convolution and filters them with a depthwise one; the expanded tensor
    is the largest of the block. A channels-innermost, rows-outermost
    depthwise convolution (groups = input = output channels, direct
    register tile) whose input is a direct, rows-outermost 1x1 stride-1
    unpadded convolution used only there is marked
    `net.fuse_producer = {rows = R}`: code generation runs the depthwise
    convolution in parallel tasks of R output rows and computes the 1x1
    convolution's rows as each output row needs them, sliding within the
    task, so the expanded tensor lives in a few rows of cache instead of
    making a round trip through memory. Each task recomputes the input rows
    its first window shares with the task before ((kernel - stride) rows).
    It is done only where that pays: when the expanded tensor of one image
    is larger than L2. R leaves eight tasks per image, as the unfused
    schedule does. Neither side may be int8, sparse or Winograd, nor read
    by a `net.qdq`.

    The projection after it, a direct rows-outermost 1x1 stride-1 unpadded
    convolution whose input is a depthwise convolution used only there and
    larger than L2 per image, is marked the same way: it runs in tasks of R
    rows and the depthwise convolution (with its expansion, if fused) is
    computed row by row inside them, so neither expanded tensor leaves the
    cache.
  }];
  let options = [
    Option<"l2Bytes", "l2", "int64_t", "1048576",
           "L2 cache size per core in bytes">,
  ];
  let dependentDialects = ["mlir::net::NetDialect"];
}

#endif // NET_TRANSFORMS_PASSES_TD
