//===- NetMathOps.td - Ops of the math family --------------*- tablegen -*-===//
//
// Elementwise math (relu6, abs, sqrt, exp, log, square, leaky_relu),
// log_softmax, reductions (mean, sum), l2norm and reshape.
// Included by NetOps.td.
//
//===----------------------------------------------------------------------===//
#ifndef NET_MATH_OPS_TD
#define NET_MATH_OPS_TD

//===----------------------------------------------------------------------===//
// Elementwise math
//===----------------------------------------------------------------------===//

def Net_Relu6Op : Net_UnaryOp<"relu6", "min(max(x, 0), 6) (nn.ReLU6)">;
def Net_AbsOp : Net_UnaryOp<"abs", "|x| (torch.abs)">;
def Net_SqrtOp : Net_UnaryOp<"sqrt", "sqrt(x) (torch.sqrt)">;
def Net_ExpOp : Net_UnaryOp<"exp", "exp(x) (torch.exp)">;
def Net_LogOp : Net_UnaryOp<"log", "natural log(x) (torch.log)">;
def Net_SquareOp : Net_UnaryOp<"square", "x * x (torch.square)">;

def Net_LeakyReluOp : Net_Op<"leaky_relu", [Pure, SameOperandsAndResultType]> {
  let summary = "Elementwise x > 0 ? x : slope * x (nn.LeakyReLU)";
  let description = [{
    ```mlir
    %y = net.leaky_relu %x slope 0.00999999977 : tensor<?x8xf32>
    ```
  }];
  let arguments = (ins Net_FloatTensor:$input, F32Attr:$slope);
  let results = (outs Net_FloatTensor:$result);
  let assemblyFormat = "$input `slope` $slope attr-dict `:` type($input)";
}

def Net_QdqOp : Net_Op<"qdq", [Pure, SameOperandsAndResultType]> {
  let summary = "Quantize to u8 and back (int8 post-training quantization)";
  let description = [{
    `(clamp(round(x * (1 / scale)) + zero_point, 0, 255) - zero_point) *
    scale`, rounding half to even, in f32: what PyTorch's
    `fake_quantize_per_tensor_affine(x, scale, zero_point, 0, 255)` computes.
    net-quantize puts one before each layer that runs in int8 (ONNX's
    QuantizeLinear + DequantizeLinear pair); `scale` > 0, `zero_point` in
    [0, 255].

    ```mlir
    %y = net.qdq %x scale 0.0235294122 zero_point 0 : tensor<?x6x14x14xf32>
    ```
  }];
  let arguments = (ins Net_FloatTensor:$input, F32Attr:$scale,
                   I64Attr:$zero_point);
  let results = (outs Net_FloatTensor:$result);
  let assemblyFormat =
      "$input `scale` $scale `zero_point` $zero_point attr-dict `:` type($input)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Along an axis
//===----------------------------------------------------------------------===//

def Net_LogSoftmaxOp : Net_LayerOp<"log_softmax"> {
  let summary = "Log of the softmax along `axis` (torch.log_softmax)";
  let description = [{
    x - max - log(sum(exp(x - max))) along `axis`, which is in [0, rank).

    ```mlir
    %y = net.log_softmax %x axis 1 : tensor<?x10xf32>
    ```
  }];
  let arguments = (ins Net_FloatTensor:$input, I64Attr:$axis);
  let results = (outs Net_FloatTensor:$result);
  let assemblyFormat = "$input `axis` $axis attr-dict `:` type($input)";
}

def Net_L2NormOp : Net_LayerOp<"l2norm"> {
  let summary = "L2 normalisation along `axis` (F.normalize, p=2)";
  let description = [{
    x / max(sqrt(sum(x^2 along axis)), eps); `axis` is in [0, rank) and
    `eps` >= 0.

    ```mlir
    %y = net.l2norm %x axis 1 eps 9.99999996E-13 : tensor<?x128xf32>
    ```
  }];
  let arguments = (ins Net_FloatTensor:$input, I64Attr:$axis, F32Attr:$eps);
  let results = (outs Net_FloatTensor:$result);
  let assemblyFormat = [{
    $input `axis` $axis `eps` $eps attr-dict `:` type($input)
  }];
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

class Net_ReduceOp<string mnemonic, string torchName>
    : Net_LayerOp<mnemonic> {
  let summary = "Reduction over `axes` without keepdims (" # torchName # ")";
  let description = [{
    `axes` is a non-empty, strictly increasing list of dims in [0, rank);
    the result drops them (keepdim=False). Reducing the batch dim (0) is
    allowed and makes the result's shape static.

    ```mlir
    %y = net.}] # mnemonic # [{ %x axes [2, 3]
        : tensor<?x8x4x4xf32> -> tensor<?x8xf32>
    ```
  }];
  let arguments = (ins Net_FloatTensor:$input, DenseI64ArrayAttr:$axes);
  let results = (outs Net_FloatTensor:$result);
  let assemblyFormat = [{
    $input `axes` $axes attr-dict `:` type($input) `->` type($result)
  }];
}

def Net_MeanOp : Net_ReduceOp<"mean", "torch.mean">;
def Net_SumOp : Net_ReduceOp<"sum", "torch.sum">;

//===----------------------------------------------------------------------===//
// Reshape
//===----------------------------------------------------------------------===//

def Net_ReshapeOp : Net_LayerOp<"reshape"> {
  let summary = "Row-major reshape (torch.reshape)";
  let description = [{
    `shape` is the target shape as written: each entry is >= 1, or -1 (at
    most once) for the size that makes the element counts agree. When the
    input's batch dim is symbolic, the batch must stay dim 0: `shape` starts
    with -1 and its other entries hold exactly one batch item (the result's
    dim 0 is then the symbolic batch). Only the batch dim may be symbolic.

    ```mlir
    %y = net.reshape %x shape [-1, 16, 25]
        : tensor<?x16x5x5xf32> -> tensor<?x16x25xf32>
    ```
  }];
  let arguments = (ins Net_FloatTensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs Net_FloatTensor:$result);
  let assemblyFormat = [{
    $input `shape` $shape attr-dict `:` type($input) `->` type($result)
  }];
  // A reshape to the input's own type is the input.
  let hasFolder = 1;
}

#endif // NET_MATH_OPS_TD
