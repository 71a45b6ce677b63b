//===- NetSpatialOps.td - Spatial ops of the net dialect ---*- tablegen -*-===//
//
// Ops of the spatial family that need their own op: deconv (transposed
// convolution), lrn (local response norm) and upsample. dwconv, minpool, the
// global pools and residual are composed of core ops by the front end.
// Included by NetOps.td.
//
//===----------------------------------------------------------------------===//
#ifndef NET_SPATIAL_OPS_TD
#define NET_SPATIAL_OPS_TD

def Net_DeconvOp : Net_LayerOp<"deconv",
    [DeclareOpInterfaceMethods<Net_ConvLikeOpInterface>]> {
  let summary = "1-D, 2-D or 3-D transposed convolution "
                "(nn.ConvTranspose1d/2d/3d)";
  let description = [{
    `input` is [N, C, spatial...] with 1 to 3 spatial dims; `weight` is
    [C, O, k...] (PyTorch's layout); `bias`, when present, is [O]. `stride`,
    `pad`, `output_pad` and `dilation` have one entry per spatial dim; each
    `output_pad` must be smaller than its stride or its dilation. Each output
    spatial size is (n - 1)*s - 2p + d*(k - 1) + output_pad + 1 and must be
    >= 1.

    ```mlir
    %y = net.deconv %x, %w, %b stride [2, 2] pad [1, 1] output_pad [1, 1]
        dilation [1, 1]
        : (tensor<?x4x5x5xf32>, tensor<4x3x3x3xf32>, tensor<3xf32>)
        -> tensor<?x3x10x10xf32>
    ```
  }];
  let arguments = (ins Net_FloatTensor:$input, Net_FloatTensor:$weight,
                   Optional<Net_FloatTensor>:$bias,
                   DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$pad,
                   DenseI64ArrayAttr:$output_pad,
                   DenseI64ArrayAttr:$dilation);
  let results = (outs Net_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? `stride` $stride `pad` $pad
    `output_pad` $output_pad `dilation` $dilation attr-dict `:`
    `(` type(operands) `)` `->` type(results)
  }];
}

def Net_LrnOp : Net_LayerOp<"lrn"> {
  let summary = "Local response normalisation across channels "
                "(nn.LocalResponseNorm)";
  let description = [{
    y[n, c, ...] = x[n, c, ...] / (k + alpha / size * S)^beta, where S sums
    x^2 over the channels c - size/2 .. c + (size - 1)/2 (channels outside
    [0, C) count as zero), exactly as PyTorch computes it. `input` is
    [N, C, spatial...] with 1 to 3 spatial dims.

    ```mlir
    %y = net.lrn %x size 5 alpha 9.99999974E-5 beta 7.500000e-01
        k 2.000000e+00 : tensor<?x8x6x6xf32>
    ```
  }];
  let arguments = (ins Net_FloatTensor:$input, I64Attr:$size, F32Attr:$alpha,
                   F32Attr:$beta, F32Attr:$k);
  let results = (outs Net_FloatTensor:$result);
  let assemblyFormat = [{
    $input `size` $size `alpha` $alpha `beta` $beta `k` $k attr-dict `:`
    type($input)
  }];
}

def Net_UpsampleOp : Net_LayerOp<"upsample"> {
  let summary = "Upsampling by integer factors (nn.Upsample)";
  let description = [{
    `input` is [N, C, spatial...] with 1 to 3 spatial dims; `scale` has one
    integer factor (>= 1) per spatial dim and each output spatial size is
    n * scale. `mode` is "nearest", or the (multi)linear interpolation of
    the input's rank: "linear" (1 spatial dim), "bilinear" (2) or
    "trilinear" (3), all with align_corners=False.

    ```mlir
    %y = net.upsample %x scale [2, 2] mode "bilinear"
        : tensor<?x3x4x5xf32> -> tensor<?x3x8x10xf32>
    ```
  }];
  let arguments = (ins Net_FloatTensor:$input, DenseI64ArrayAttr:$scale,
                   StrAttr:$mode);
  let results = (outs Net_FloatTensor:$result);
  let assemblyFormat = [{
    $input `scale` $scale `mode` $mode attr-dict `:` type($input) `->`
    type($result)
  }];
}

#endif // NET_SPATIAL_OPS_TD
