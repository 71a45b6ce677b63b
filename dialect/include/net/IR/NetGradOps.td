//===- NetGradOps.td - Gradient ops of the net dialect -----*- tablegen -*-===//
//
// What net-differentiate builds @backward from, beside the forward ops
// (the gradient of an add is two copies of its adjoint, of a conv's input a
// transposed convolution, ...). Each names the forward op it differentiates;
// every one is written as a gather (each result element sums what reaches
// it), so it lowers to a Halide Func without scatters. Their result types
// are given, not inferred: the forward op fixed them.
//
//===----------------------------------------------------------------------===//
#ifndef NET_GRAD_OPS_TD
#define NET_GRAD_OPS_TD

class Net_GradOp<string mnemonic, list<Trait> traits = []>
    : Net_Op<mnemonic, !listconcat(traits, [Pure])>;

def Net_ZerosOp : Net_GradOp<"zeros"> {
  let summary = "A tensor of zeros (the gradient of what no loss reads)";
  let results = (outs Net_FloatTensor:$result);
  let assemblyFormat = "attr-dict `:` type($result)";
}

def Net_ConvGradInputOp : Net_GradOp<"conv_grad_input"> {
  let summary = "Gradient of net.conv w.r.t. its input";
  let description = [{
    dx[n, c, i] = sum over o (of c's group) and k with i = s*j - p + d*k of
    dy[n, o, j] * w[o, c % (C/groups), k]: the transposed convolution of the
    adjoint `dy` with the forward weights. The result type is the forward
    input's.

    ```mlir
    %dx = net.conv_grad_input %dy, %w stride [1, 1] pad [2, 2]
        dilation [1, 1] groups 1
        : (tensor<?x6x28x28xf32>, tensor<6x1x5x5xf32>) -> tensor<?x1x32x32xf32>
    ```
  }];
  let arguments = (ins Net_FloatTensor:$grad, Net_FloatTensor:$weight,
                   DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$pad,
                   DenseI64ArrayAttr:$dilation, I64Attr:$groups);
  let results = (outs Net_FloatTensor:$result);
  let assemblyFormat = [{
    $grad `,` $weight `stride` $stride `pad` $pad `dilation` $dilation
    `groups` $groups attr-dict `:` `(` type(operands) `)` `->` type($result)
  }];
  let hasVerifier = 1;
}

def Net_ConvGradWeightOp : Net_GradOp<"conv_grad_weight"> {
  let summary = "Gradient of net.conv w.r.t. its weight";
  let description = [{
    dw[o, c, k] = sum over n and j of dy[n, o, j] *
    x[n, g*(C/groups) + c, s*j - p + d*k] (g: o's group, zero outside x):
    the correlation of the forward input with the adjoint. The result type
    is the weight's.

    ```mlir
    %dw = net.conv_grad_weight %x, %dy stride [1, 1] pad [0, 0]
        dilation [1, 1] groups 1
        : (tensor<?x1x32x32xf32>, tensor<?x6x28x28xf32>) -> tensor<6x1x5x5xf32>
    ```
  }];
  let arguments = (ins Net_FloatTensor:$input, Net_FloatTensor:$grad,
                   DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$pad,
                   DenseI64ArrayAttr:$dilation, I64Attr:$groups);
  let results = (outs Net_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $grad `stride` $stride `pad` $pad `dilation` $dilation
    `groups` $groups attr-dict `:` `(` type(operands) `)` `->` type($result)
  }];
  let hasVerifier = 1;
}

def Net_FcGradInputOp : Net_GradOp<"fc_grad_input"> {
  let summary = "Gradient of net.fc w.r.t. its input";
  let description = [{
    dx = dy W, reshaped to the forward input's shape (the result type).

    ```mlir
    %dx = net.fc_grad_input %dy, %w
        : (tensor<?x120xf32>, tensor<120x400xf32>) -> tensor<?x16x5x5xf32>
    ```
  }];
  let arguments = (ins Net_FloatTensor:$grad, Net_FloatTensor:$weight);
  let results = (outs Net_FloatTensor:$result);
  let assemblyFormat = [{
    $grad `,` $weight attr-dict `:` `(` type(operands) `)` `->` type($result)
  }];
}

def Net_FcGradWeightOp : Net_GradOp<"fc_grad_weight"> {
  let summary = "Gradient of net.fc w.r.t. its weight";
  let description = [{
    dW[o, i] = sum over n of dy[n, o] * flatten(x)[n, i].

    ```mlir
    %dw = net.fc_grad_weight %x, %dy
        : (tensor<?x16x5x5xf32>, tensor<?x120xf32>) -> tensor<120x400xf32>
    ```
  }];
  let arguments = (ins Net_FloatTensor:$input, Net_FloatTensor:$grad);
  let results = (outs Net_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $grad attr-dict `:` `(` type(operands) `)` `->` type($result)
  }];
}

def Net_MaxPoolGradOp : Net_GradOp<"maxpool_grad"> {
  let summary = "Gradient of net.maxpool w.r.t. its input";
  let description = [{
    Each window's adjoint goes to the first (lowest index, row-major) of its
    maximal elements, as PyTorch's max pooling routes it; an input element
    sums what the windows that picked it send. `input` is the forward input.

    ```mlir
    %dx = net.maxpool_grad %x, %dy kernel [2, 2] stride [2, 2] pad [0, 0]
        : (tensor<?x6x28x28xf32>, tensor<?x6x14x14xf32>) -> tensor<?x6x28x28xf32>
    ```
  }];
  let arguments = (ins Net_FloatTensor:$input, Net_FloatTensor:$grad,
                   DenseI64ArrayAttr:$kernel, DenseI64ArrayAttr:$stride,
                   DenseI64ArrayAttr:$pad, UnitAttr:$ceil);
  let results = (outs Net_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $grad `kernel` $kernel `stride` $stride `pad` $pad
    (`ceil` $ceil^)? attr-dict `:` `(` type(operands) `)` `->` type($result)
  }];
}

def Net_AvgPoolGradOp : Net_GradOp<"avgpool_grad"> {
  let summary = "Gradient of net.avgpool w.r.t. its input";
  let description = [{
    dx[i] = sum over the windows covering i of dy[window] / (the window's
    size with its padding, clipped to the padded input as PyTorch counts
    it). The result type is the forward input's.

    ```mlir
    %dx = net.avgpool_grad %dy kernel [2, 2] stride [2, 2] pad [0, 0]
        : tensor<?x6x14x14xf32> -> tensor<?x6x28x28xf32>
    ```
  }];
  let arguments = (ins Net_FloatTensor:$grad, DenseI64ArrayAttr:$kernel,
                   DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$pad,
                   UnitAttr:$ceil);
  let results = (outs Net_FloatTensor:$result);
  let assemblyFormat = [{
    $grad `kernel` $kernel `stride` $stride `pad` $pad (`ceil` $ceil^)?
    attr-dict `:` type($grad) `->` type($result)
  }];
}

def Net_BatchNormTrainOp : Net_GradOp<"batchnorm_train",
    [AllTypesMatch<["input", "result"]>,
     AllTypesMatch<["weight", "bias", "running_mean", "running_var",
                    "batch_mean", "batch_var", "new_running_mean",
                    "new_running_var"]>]> {
  let summary = "Batch normalisation in training mode (nn.BatchNorm2d.train())";
  let description = [{
    What net-differentiate makes of a net.batchnorm with `batch-stats`
    (netc --train=batch-stats) in @backward and @train. Per channel (dim
    1), over the n values of every other dim: mean = sum(x) / n, var =
    sum((x - mean)^2) / n (biased), y = (x - mean) / sqrt(var + eps) *
    weight + bias. The running statistics are not read by y; the last two
    results are their updates as PyTorch makes them: (1 - momentum) *
    running + momentum * batch, with the unbiased variance var * n / (n - 1).

    ```mlir
    %y, %mean, %var, %rm2, %rv2 = net.batchnorm_train %x, %g, %b, %rm, %rv
        eps 1.0e-05 momentum 1.0e-01 : tensor<?x8x4x4xf32>, tensor<8xf32>
    ```
  }];
  let arguments = (ins Net_FloatTensor:$input, Net_FloatTensor:$weight,
                   Net_FloatTensor:$bias, Net_FloatTensor:$running_mean,
                   Net_FloatTensor:$running_var, F32Attr:$eps,
                   F32Attr:$momentum);
  let results = (outs Net_FloatTensor:$result, Net_FloatTensor:$batch_mean,
                      Net_FloatTensor:$batch_var,
                      Net_FloatTensor:$new_running_mean,
                      Net_FloatTensor:$new_running_var);
  let assemblyFormat = [{
    $input `,` $weight `,` $bias `,` $running_mean `,` $running_var `eps` $eps
    `momentum` $momentum attr-dict `:` type($input) `,` type($weight)
  }];
}

def Net_BatchNormGradOp : Net_GradOp<"batchnorm_grad",
    [AllTypesMatch<["input", "grad", "input_grad"]>,
     AllTypesMatch<["weight", "mean", "var", "weight_grad", "bias_grad"]>]> {
  let summary = "Gradients of net.batchnorm (eval mode) or net.batchnorm_train";
  let description = [{
    With r = 1 / sqrt(var + eps) and xhat = (x - mean) * r: dweight[c] =
    sum over every other dim of dy * xhat, dbias[c] = sum of dy. In eval
    mode (net.batchnorm: `mean` and `var` are the running statistics,
    buffers without a gradient) dx = dy * weight * r. With `batch` (of
    net.batchnorm_train: `mean` and `var` are the batch's own, functions of
    x, over n values per channel) dx = weight * r * (dy - dbias / n - xhat *
    dweight / n).

    ```mlir
    %dx, %dg, %db = net.batchnorm_grad %x, %dy, %g, %m, %v eps 1.0e-05
        : tensor<?x8x4x4xf32>, tensor<8xf32>
    ```
  }];
  let arguments = (ins Net_FloatTensor:$input, Net_FloatTensor:$grad,
                   Net_FloatTensor:$weight, Net_FloatTensor:$mean,
                   Net_FloatTensor:$var, F32Attr:$eps, UnitAttr:$batch);
  let results = (outs Net_FloatTensor:$input_grad,
                      Net_FloatTensor:$weight_grad,
                      Net_FloatTensor:$bias_grad);
  let assemblyFormat = [{
    $input `,` $grad `,` $weight `,` $mean `,` $var `eps` $eps (`batch` $batch^)?
    attr-dict `:` type($input) `,` type($weight)
  }];
}

def Net_MaskGradOp : Net_GradOp<"mask_grad",
    [AllTypesMatch<["value", "grad", "result"]>]> {
  let summary = "Gradient of a piecewise-linear activation";
  let description = [{
    dx = (lo < v && v < hi) ? dy : otherwise * dy, where `v` is the
    activation's result (relu: lo 0, relu6: hi 6, leaky_relu: otherwise =
    slope, which keeps the sign) or, for abs, its input (otherwise -1).

    ```mlir
    %dx = net.mask_grad %y, %dy lo 0.0 hi 6.0 otherwise 0.0 : tensor<?x8xf32>
    ```
  }];
  let arguments = (ins Net_FloatTensor:$value, Net_FloatTensor:$grad,
                   F32Attr:$lo, F32Attr:$hi, F32Attr:$otherwise);
  let results = (outs Net_FloatTensor:$result);
  let assemblyFormat = [{
    $value `,` $grad `lo` $lo `hi` $hi `otherwise` $otherwise attr-dict `:`
    type($value)
  }];
}

class Net_AxisGradOp<string mnemonic, string formula>
    : Net_GradOp<mnemonic, [AllTypesMatch<["value", "grad", "result"]>]> {
  let summary = "Gradient of net." # formula;
  let arguments = (ins Net_FloatTensor:$value, Net_FloatTensor:$grad,
                   I64Attr:$axis);
  let results = (outs Net_FloatTensor:$result);
  let assemblyFormat = "$value `,` $grad `axis` $axis attr-dict `:` type($value)";
}

// dx = y * (dy - sum_axis(dy * y)), y the softmax.
def Net_SoftmaxGradOp : Net_AxisGradOp<"softmax_grad", "softmax">;
// dx = dy - exp(y) * sum_axis(dy), y the log_softmax.
def Net_LogSoftmaxGradOp : Net_AxisGradOp<"log_softmax_grad", "log_softmax">;

def Net_SliceOp : Net_GradOp<"slice"> {
  let summary = "Channels (or any dim) [offset, offset + size) of a tensor";
  let description = [{
    The gradient of each part of a concat: the result type gives the size
    along `axis`.

    ```mlir
    %a = net.slice %dy axis 1 offset 4 : tensor<?x12x5x5xf32> -> tensor<?x8x5x5xf32>
    ```
  }];
  let arguments = (ins Net_FloatTensor:$input, I64Attr:$axis, I64Attr:$offset);
  let results = (outs Net_FloatTensor:$result);
  let assemblyFormat = [{
    $input `axis` $axis `offset` $offset attr-dict `:` type($input) `->`
    type($result)
  }];
  let hasVerifier = 1;
}

def Net_BroadcastOp : Net_GradOp<"broadcast"> {
  let summary = "Copies a reduced tensor back along `axes`";
  let description = [{
    The gradient of net.sum (and, with `mean`, of net.mean: divided by the
    number of elements each result summed): `axes` are the dims of the
    result the input lacks.

    ```mlir
    %dx = net.broadcast %dy axes [2, 3] mean
        : tensor<?x8xf32> -> tensor<?x8x4x4xf32>
    ```
  }];
  let arguments = (ins Net_FloatTensor:$input, DenseI64ArrayAttr:$axes,
                   UnitAttr:$mean);
  let results = (outs Net_FloatTensor:$result);
  let assemblyFormat = [{
    $input `axes` $axes (`mean` $mean^)? attr-dict `:` type($input) `->`
    type($result)
  }];
}

//===----------------------------------------------------------------------===//
// Gradients of the loss terms. `scale` is d(sum of the model's losses) /
// d(this term): 1, or the term's weight in a weighted sum.
//===----------------------------------------------------------------------===//

def Net_CrossEntropyGradOp : Net_GradOp<"cross_entropy_grad"> {
  let summary = "Gradient of net.cross_entropy w.r.t. the logits";
  let description = [{
    scale * (softmax(logits) - onehot(label)), divided by N for "mean".

    ```mlir
    %d = net.cross_entropy_grad %logits, %label scale 1.0 reduction "mean"
        : tensor<?x10xf32>, tensor<?xi32> -> tensor<?x10xf32>
    ```
  }];
  let arguments = (ins Net_FloatTensor:$logits, Net_IntTensor:$label,
                   F32Attr:$scale, StrAttr:$reduction);
  let results = (outs Net_FloatTensor:$result);
  let assemblyFormat = [{
    $logits `,` $label `scale` $scale `reduction` $reduction attr-dict `:`
    type($logits) `,` type($label) `->` type($result)
  }];
}

def Net_PairLossGradOp : Net_GradOp<"pair_loss_grad",
    [AllTypesMatch<["lhs", "lhs_grad"]>, AllTypesMatch<["rhs", "rhs_grad"]>]> {
  let summary = "Gradients of a two-tensor loss w.r.t. both operands";
  let description = [{
    For `loss` = mse, l1, bce (logits, targets), content_cost, epe or
    style_cost with the forward op's `reduction`, times `scale`.

    ```mlir
    %da, %db = net.pair_loss_grad %a, %b loss <mse> scale 1.0
        reduction "mean" : tensor<?x8xf32>, tensor<?x8xf32>
    ```
  }];
  let arguments = (ins Net_FloatTensor:$lhs, Net_FloatTensor:$rhs,
                   Net_PairLossAttr:$loss, F32Attr:$scale,
                   StrAttr:$reduction);
  let results = (outs Net_FloatTensor:$lhs_grad, Net_FloatTensor:$rhs_grad);
  let assemblyFormat = [{
    $lhs `,` $rhs `loss` $loss `scale` $scale `reduction` $reduction
    attr-dict `:` type($lhs) `,` type($rhs)
  }];
}

def Net_TripletGradOp : Net_GradOp<"triplet_grad",
    [AllTypesMatch<["anchor", "positive", "negative", "anchor_grad",
                    "positive_grad", "negative_grad"]>]> {
  let summary = "Gradients of net.triplet w.r.t. anchor, positive, negative";
  let description = [{
    Where the hinge is active: da = 2 (n - p), dp = 2 (p - a),
    dn = 2 (a - n), times scale (/ N for "mean"); zero elsewhere.
  }];
  let arguments = (ins Net_FloatTensor:$anchor, Net_FloatTensor:$positive,
                   Net_FloatTensor:$negative, F32Attr:$margin,
                   F32Attr:$scale, StrAttr:$reduction);
  let results = (outs Net_FloatTensor:$anchor_grad,
                      Net_FloatTensor:$positive_grad,
                      Net_FloatTensor:$negative_grad);
  let assemblyFormat = [{
    $anchor `,` $positive `,` $negative `margin` $margin `scale` $scale
    `reduction` $reduction attr-dict `:` type($anchor)
  }];
}

def Net_L2NormGradOp : Net_GradOp<"l2norm_grad",
    [AllTypesMatch<["input", "grad", "result"]>]> {
  let summary = "Gradient of net.l2norm";
  let description = [{
    With n = ||x|| along `axis`: dx = dy / n - x * sum(dy * x) / n^3 where
    n > eps, dy / eps where the norm is clamped (F.normalize).
  }];
  let arguments = (ins Net_FloatTensor:$input, Net_FloatTensor:$grad,
                   I64Attr:$axis, F32Attr:$eps);
  let results = (outs Net_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $grad `axis` $axis `eps` $eps attr-dict `:` type($input)
  }];
}

def Net_GramGradOp : Net_GradOp<"gram_grad",
    [AllTypesMatch<["input", "result"]>]> {
  let summary = "Gradient of net.gram";
  let description = [{
    dx[n, c, p] = sum over c' of (dG[n, c, c'] + dG[n, c', c]) x[n, c', p].
  }];
  let arguments = (ins Net_FloatTensor:$input, Net_FloatTensor:$grad);
  let results = (outs Net_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $grad attr-dict `:` type($input) `,` type($grad)
  }];
}

def Net_UpsampleGradOp : Net_GradOp<"upsample_grad"> {
  let summary = "Gradient of net.upsample";
  let description = [{
    Each input element sums the adjoints of the outputs that read it, with
    the interpolation weight each read it with ("nearest": the scale^d
    outputs of its block, weight 1). The result type is the forward input's.
  }];
  let arguments = (ins Net_FloatTensor:$grad, DenseI64ArrayAttr:$scale,
                   StrAttr:$mode);
  let results = (outs Net_FloatTensor:$result);
  let assemblyFormat = [{
    $grad `scale` $scale `mode` $mode attr-dict `:` type($grad) `->`
    type($result)
  }];
}

def Net_LrnGradOp : Net_GradOp<"lrn_grad",
    [AllTypesMatch<["input", "grad", "result"]>]> {
  let summary = "Gradient of net.lrn";
  let description = [{
    With D_c = k + alpha / size * (the sum of x^2 over c's window):
    dx_c = dy_c D_c^-beta - 2 alpha beta / size * x_c * (the sum, over the
    channels c' whose window holds c, of dy_c' x_c' D_c'^(-beta - 1)).
  }];
  let arguments = (ins Net_FloatTensor:$input, Net_FloatTensor:$grad,
                   I64Attr:$size, F32Attr:$alpha, F32Attr:$beta, F32Attr:$k);
  let results = (outs Net_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $grad `size` $size `alpha` $alpha `beta` $beta `k` $k
    attr-dict `:` type($input)
  }];
}

def Net_CorrelationGradOp : Net_GradOp<"correlation_grad",
    [AllTypesMatch<["lhs", "lhs_grad"]>, AllTypesMatch<["rhs", "rhs_grad"]>]> {
  let summary = "Gradients of net.correlation w.r.t. both feature maps";
  let arguments = (ins Net_FloatTensor:$lhs, Net_FloatTensor:$rhs,
                   Net_FloatTensor:$grad, I64Attr:$max_disp, I64Attr:$stride);
  let results = (outs Net_FloatTensor:$lhs_grad, Net_FloatTensor:$rhs_grad);
  let assemblyFormat = [{
    $lhs `,` $rhs `,` $grad `max_disp` $max_disp `stride` $stride attr-dict
    `:` type($lhs) `,` type($rhs) `,` type($grad)
  }];
}

def Net_ContrastiveGradOp : Net_GradOp<"contrastive_grad",
    [AllTypesMatch<["lhs", "rhs", "lhs_grad", "rhs_grad"]>]> {
  let summary = "Gradients of net.contrastive";
  let description = [{
    Per item, with d = ||a - b|| and gap = max(margin - d, 0): da =
    2 (a - b) (same - (1 - same) gap / d) (0 where d = 0), db = -da,
    dsame = d^2 - gap^2; times scale (/ N for "mean"). `same_grad` has
    `same`'s shape in f32 (unused when `same` is i32).
  }];
  let arguments = (ins Net_FloatTensor:$lhs, Net_FloatTensor:$rhs,
                   Net_AnyTensor:$same, F32Attr:$margin, F32Attr:$scale,
                   StrAttr:$reduction);
  let results = (outs Net_FloatTensor:$lhs_grad, Net_FloatTensor:$rhs_grad,
                      Net_FloatTensor:$same_grad);
  let assemblyFormat = [{
    $lhs `,` $rhs `,` $same `margin` $margin `scale` $scale `reduction`
    $reduction attr-dict `:` type($lhs) `,` type($same) `->` type($same_grad)
  }];
}

#endif // NET_GRAD_OPS_TD
