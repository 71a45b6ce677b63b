//===- NetVisionOps.td - gram, correlation, vision losses --*- tablegen -*-===//
//
// Ops of the vision family: gram, correlation and the loss terms bce,
// triplet, contrastive, content_cost, style_cost, epe.
// Included by NetOps.td.
//
//===----------------------------------------------------------------------===//
#ifndef NET_VISION_OPS_TD
#define NET_VISION_OPS_TD

//===----------------------------------------------------------------------===//
// gram, correlation
//===----------------------------------------------------------------------===//

def Net_GramOp : Net_LayerOp<"gram"> {
  let summary = "Gram (style) matrix of the channels";
  let description = [{
    G[n, c, c'] = sum over the spatial positions p of x[n, c, p] * x[n, c', p].
    `input` is [N, C, spatial...] with 1 to 3 spatial dims; the result is
    [N, C, C].

    ```mlir
    %g = net.gram %x : tensor<?x8x5x7xf32> -> tensor<?x8x8xf32>
    ```
  }];
  let arguments = (ins Net_FloatTensor:$input);
  let results = (outs Net_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

def Net_CorrelationOp : Net_LayerOp<"correlation"> {
  let summary = "FlowNetC correlation of two feature maps";
  let description = [{
    `lhs` and `rhs` are [N, C, H, W]. One result channel per displacement
    (dy, dx) in [-max_disp, max_disp]^2 with step `stride`, in row-major
    order (dy outer, dx inner); `max_disp` must be a multiple of `stride`,
    so D = 2 * max_disp / stride + 1 displacements per axis and the result
    is [N, D*D, H, W]:

      out[n, i*D + j, y, x] = mean over c of lhs[n, c, y, x] *
                              rhs[n, c, y + dy_i, x + dx_j]

    with dy_i = i * stride - max_disp (dx_j alike) and `rhs` zero outside.

    ```mlir
    %c = net.correlation %a, %b max_disp 4 stride 2
        : tensor<?x8x9x9xf32>, tensor<?x8x9x9xf32> -> tensor<?x25x9x9xf32>
    ```
  }];
  let arguments = (ins Net_FloatTensor:$lhs, Net_FloatTensor:$rhs,
                   I64Attr:$max_disp, I64Attr:$stride);
  let results = (outs Net_FloatTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs `max_disp` $max_disp `stride` $stride attr-dict `:`
    type($lhs) `,` type($rhs) `->` type($result)
  }];
}

//===----------------------------------------------------------------------===//
// Loss terms (netlang.md section 7): a value per batch item, reduced over
// the batch by `reduction`, "mean" or "sum"
//===----------------------------------------------------------------------===//

def Net_BceOp : Net_PairLossOp<"bce", "nn.BCEWithLogitsLoss"> {
  let description = [{
    max(x, 0) - x * t + log(1 + exp(-|x|)) per element of the logits `lhs`
    and the targets `rhs` (same shape), reduced as nn.BCEWithLogitsLoss
    does: "mean" over every element, or "sum". For the usual [N] or [N, 1]
    logits of a verification head this is the mean over the batch.

    ```mlir
    %l = net.bce %x, %t reduction "mean"
        : tensor<?x1xf32>, tensor<?x1xf32> -> tensor<f32>
    ```
  }];
}

def Net_TripletOp : Net_LossOp<"triplet", "FaceNet's triplet loss"> {
  let description = [{
    max(||a - p||^2 - ||a - n||^2 + margin, 0) per batch item, the squared
    L2 norms taken over every non-batch dim; `anchor`, `positive` and
    `negative` have one shape [N, ...]. Not nn.TripletMarginLoss, whose
    norms are not squared.

    ```mlir
    %l = net.triplet %a, %p, %n margin 2.000000e-01 reduction "mean"
        : tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32> -> tensor<f32>
    ```
  }];
  let arguments = (ins Net_FloatTensor:$anchor, Net_FloatTensor:$positive,
                   Net_FloatTensor:$negative, F32Attr:$margin,
                   StrAttr:$reduction);
  let assemblyFormat = [{
    $anchor `,` $positive `,` $negative `margin` $margin `reduction`
    $reduction attr-dict `:` type($anchor) `,` type($positive) `,`
    type($negative) `->` type($result)
  }];
}

def Net_ContrastiveOp : Net_LossOp<"contrastive", "the contrastive loss"> {
  let description = [{
    same * d^2 + (1 - same) * max(margin - d, 0)^2 per batch item with
    d = ||lhs - rhs|| over every non-batch dim. `lhs` and `rhs` have one
    shape [N, ...]; `same` is [N], f32 or i32 (1 for a matching pair).

    ```mlir
    %l = net.contrastive %a, %b, %same margin 1.000000e+00 reduction "sum"
        : tensor<?x16xf32>, tensor<?x16xf32>, tensor<?xi32> -> tensor<f32>
    ```
  }];
  let arguments = (ins Net_FloatTensor:$lhs, Net_FloatTensor:$rhs,
                   Net_AnyTensor:$same, F32Attr:$margin, StrAttr:$reduction);
  let assemblyFormat = [{
    $lhs `,` $rhs `,` $same `margin` $margin `reduction` $reduction
    attr-dict `:` type($lhs) `,` type($rhs) `,` type($same) `->`
    type($result)
  }];
}

// A loss term over two tensors of one shape whose per-item value is
// `formula`; "mean" divides the batch sum by N.
class Net_ItemPairLossOp<string mnemonic, string what, string formula,
                         string example>
    : Net_LossOp<mnemonic, what> {
  let description = formula # [{ per batch item, reduced over the batch by
    `reduction` ("mean" or "sum").

    ```mlir
  }] # example # [{
    ```
  }];
  let arguments = (ins Net_FloatTensor:$lhs, Net_FloatTensor:$rhs,
                   StrAttr:$reduction);
  let assemblyFormat = [{
    $lhs `,` $rhs `reduction` $reduction attr-dict `:` type($lhs) `,`
    type($rhs) `->` type($result)
  }];
}

def Net_ContentCostOp : Net_ItemPairLossOp<"content_cost",
    "the neural style transfer content cost",
    "0.5 * ||aC - aG||^2 over every non-batch dim of `lhs` (aC) and `rhs` (aG)",
    [{%l = net.content_cost %c, %g reduction "mean"
        : tensor<?x8x5x5xf32>, tensor<?x8x5x5xf32> -> tensor<f32>}]>;

def Net_StyleCostOp : Net_ItemPairLossOp<"style_cost",
    "the neural style transfer style cost of one layer",
    "||gram(aS) - gram(aG)||_F^2 / (2 * nH * nW * nC)^2 for `lhs` (aS) and "
    "`rhs` (aG) of shape [N, nC, spatial...] (nH * nW: the spatial size)",
    [{%l = net.style_cost %s, %g reduction "mean"
        : tensor<?x8x5x5xf32>, tensor<?x8x5x5xf32> -> tensor<f32>}]>;

def Net_EpeOp : Net_ItemPairLossOp<"epe", "FlowNet's end-point error",
    "The mean over the pixels of ||flow - gt|| over the 2 channels of "
    "`lhs` (flow) and `rhs` (gt), both [N, 2, H, W],",
    [{%l = net.epe %flow, %gt reduction "mean"
        : tensor<?x2x8x8xf32>, tensor<?x2x8x8xf32> -> tensor<f32>}]>;

#endif // NET_VISION_OPS_TD
