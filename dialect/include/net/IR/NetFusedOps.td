//===- NetFusedOps.td - Ops made by the optimisation passes -*- tablegen -*-===//
//
// The front end never emits these; net-fold-batchnorm and net-fuse-conv
// build them from chains of plain ops (see dialect/lib/Transforms/).
//
//===----------------------------------------------------------------------===//
#ifndef NET_FUSED_OPS_TD
#define NET_FUSED_OPS_TD

def Net_FusedConvOp : Net_Op<"fused_conv",
    [Pure, InferTypeOpAdaptor, AttrSizedOperandSegments,
     DeclareOpInterfaceMethods<Net_ConvLikeOpInterface>]> {
  let summary = "conv with batchnorm, residual add and activation fused in";
  let description = [{
    One convolution (same operands and attributes as `net.conv`) followed by
    an epilogue applied to each output element as it is produced:

      y = act(bn(conv(input, weight) + bias) + residual)

    where `bn` is the eval-mode batchnorm given by `bn_weight`, `bn_bias`,
    `bn_mean`, `bn_var` and `bn_eps` (all four or none), `residual` (optional)
    has the result's shape, and `act` (an enum attribute, `#net.act<...>`) is
    `none`, `relu`, `relu6` or `leaky_relu` (with `slope`). Batchnorm is
    folded into the weights and the bias, by net-fold-batchnorm when the
    values are in the IR, else when the library's weights are bound, so the
    epilogue costs one add and one activation.

    ```mlir
    %y = net.fused_conv %x, %w bn(%g, %b, %m, %v) residual %r
        stride [1, 1] pad [1, 1] dilation [1, 1] groups 1
        {act = #net.act<relu>, bn_eps = 1.0e-05 : f32} : (...) -> tensor<?x64x56x56xf32>
    ```
  }];
  let arguments = (ins Net_FloatTensor:$input, Net_FloatTensor:$weight,
                   Optional<Net_FloatTensor>:$bias,
                   Optional<Net_FloatTensor>:$bn_weight,
                   Optional<Net_FloatTensor>:$bn_bias,
                   Optional<Net_FloatTensor>:$bn_mean,
                   Optional<Net_FloatTensor>:$bn_var,
                   Optional<Net_FloatTensor>:$residual,
                   DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$pad,
                   DenseI64ArrayAttr:$dilation, I64Attr:$groups,
                   OptionalAttr<F32Attr>:$bn_eps,
                   DefaultValuedAttr<Net_ActivationAttr,
                                     "::mlir::net::Activation::none">:$act,
                   OptionalAttr<F32Attr>:$slope);
  let results = (outs Net_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`bias` $bias^)?
    (`bn` `(` $bn_weight^ `,` $bn_bias `,` $bn_mean `,` $bn_var `)`)?
    (`residual` $residual^)? `stride` $stride `pad` $pad
    `dilation` $dilation `groups` $groups attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// True when a batchnorm is folded in.
    bool hasBatchNorm() { return getBnWeight() != nullptr; }
  }];
}

#endif // NET_FUSED_OPS_TD
