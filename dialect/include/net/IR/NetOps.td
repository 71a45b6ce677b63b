//===- NetOps.td - Operations of the net dialect -----------*- tablegen -*-===//
#ifndef NET_OPS_TD
#define NET_OPS_TD

include "net/IR/NetDialect.td"
include "net/IR/NetAttrs.td"
include "net/IR/NetInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

// A layer whose result type follows from its operands and attributes.
class Net_LayerOp<string mnemonic, list<Trait> traits = []>
    : Net_Op<mnemonic, !listconcat(traits, [Pure, InferTypeOpAdaptor])>;

//===----------------------------------------------------------------------===//
// Parameters
//===----------------------------------------------------------------------===//

def Net_WeightOp : Net_Op<"weight", [Pure]> {
  let summary = "A learned (or constant) parameter, named as in a state_dict";
  let description = [{
    Produces the parameter tensor called `name` (e.g. `"c1.weight"`).
    `value`, when present, is its value: a `dense_resource` blob the front
    end fills from the `.safetensors` file or the deterministic
    initialisation (printed IR elides large blobs), which passes such as
    net-fold-batchnorm rewrite and code generation stores in the library.
    Without a value (`netc --no-embed-weights`) the parameter is bound when
    the library is opened. `frozen` marks a constant given in the source
    with `init=`; it always has its value and is never loaded.

    ```mlir
    %w = net.weight "c1.weight" : tensor<6x1x5x5xf32>
    %v = net.weight "c2.weight" value = dense_resource<c2_weight> : tensor<2x3xf32>
        : tensor<2x3xf32>
    ```
  }];
  let arguments = (ins StrAttr:$name, UnitAttr:$frozen,
                   OptionalAttr<ElementsAttr>:$value);
  let results = (outs Net_FloatTensor:$result);
  let assemblyFormat = [{
    $name (`frozen` $frozen^)? (`value` `=` $value^)? attr-dict `:` type($result)
  }];
  let extraClassDeclaration = [{
    /// The f32 values, when the op carries them (a dense_resource blob or
    /// dense elements).
    std::optional<std::vector<float>> getValues();
    /// The values in place (no copy) when they are a dense_resource blob.
    std::optional<llvm::ArrayRef<float>> getValueData();
    /// Attaches `values` (C order) as a dense_resource blob.
    void setValues(llvm::ArrayRef<float> values);
    /// The same without a copy: the blob takes the vector over.
    void setValues(std::vector<float> &&values);
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Convolution and fully connected layers
//===----------------------------------------------------------------------===//

def Net_ConvOp : Net_LayerOp<"conv",
    [DeclareOpInterfaceMethods<Net_ConvLikeOpInterface>]> {
  let summary = "1-D, 2-D or 3-D convolution (nn.Conv1d/2d/3d)";
  let description = [{
    `input` is [N, C, spatial...] with 1 to 3 spatial dims; `weight` is
    [O, C/groups, k...]; `bias`, when present, is [O]. `stride`, `pad`
    (symmetric) and `dilation` have one entry per spatial dim. Each output
    spatial size is floor((n + 2p - d*(k-1) - 1) / s) + 1 and must be >= 1.

    ```mlir
    %y = net.conv %x, %w, %b stride [1, 1] pad [0, 0] dilation [1, 1] groups 1
        : (tensor<?x1x32x32xf32>, tensor<6x1x5x5xf32>, tensor<6xf32>)
        -> tensor<?x6x28x28xf32>
    ```
  }];
  let arguments = (ins Net_FloatTensor:$input, Net_FloatTensor:$weight,
                   Optional<Net_FloatTensor>:$bias,
                   DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$pad,
                   DenseI64ArrayAttr:$dilation, I64Attr:$groups);
  let results = (outs Net_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? `stride` $stride `pad` $pad
    `dilation` $dilation `groups` $groups attr-dict `:`
    `(` type(operands) `)` `->` type(results)
  }];
}

def Net_FcOp : Net_LayerOp<"fc"> {
  let summary = "Fully connected layer (nn.Flatten then nn.Linear)";
  let description = [{
    `input` [N, d1, ...] is flattened to [N, d1*...]; `weight` is [O, in],
    `bias` [O]; the result is [N, O].

    ```mlir
    %y = net.fc %x, %w, %b : (tensor<?x16x5x5xf32>, tensor<120x400xf32>,
                              tensor<120xf32>) -> tensor<?x120xf32>
    ```
  }];
  let arguments = (ins Net_FloatTensor:$input, Net_FloatTensor:$weight,
                   Optional<Net_FloatTensor>:$bias);
  let results = (outs Net_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:`
    `(` type(operands) `)` `->` type(results)
  }];
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

class Net_PoolOp<string mnemonic, string torchName>
    : Net_LayerOp<mnemonic> {
  let summary = "Window pooling in 1-3 spatial dims (" # torchName # ")";
  let description = [{
    One `kernel`, `stride` and `pad` entry per spatial dim; with `ceil` the
    output size rounds up (a window must still start inside the input or
    its left padding, as in PyTorch). Average pooling counts padding.
  }];
  let arguments = (ins Net_FloatTensor:$input, DenseI64ArrayAttr:$kernel,
                   DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$pad,
                   UnitAttr:$ceil);
  let results = (outs Net_FloatTensor:$result);
  let assemblyFormat = [{
    $input `kernel` $kernel `stride` $stride `pad` $pad (`ceil` $ceil^)?
    attr-dict `:` type($input) `->` type($result)
  }];
}

def Net_MaxPoolOp : Net_PoolOp<"maxpool", "nn.MaxPool1d/2d/3d">;
def Net_AvgPoolOp : Net_PoolOp<"avgpool", "nn.AvgPool1d/2d/3d">;

//===----------------------------------------------------------------------===//
// Normalisation
//===----------------------------------------------------------------------===//

def Net_BatchNormOp : Net_LayerOp<"batchnorm",
    [AllTypesMatch<["weight", "bias", "mean", "var"]>]> {
  let summary = "Batch normalisation in eval mode (nn.BatchNorm1d/2d/3d)";
  let description = [{
    y = (x - mean) / sqrt(var + eps) * weight + bias, per channel (dim 1).

    ```mlir
    %y = net.batchnorm %x, %g, %b, %m, %v eps 1.0e-05
        : tensor<?x8x4x4xf32>, tensor<8xf32> -> tensor<?x8x4x4xf32>
    ```
  }];
  let arguments = (ins Net_FloatTensor:$input, Net_FloatTensor:$weight,
                   Net_FloatTensor:$bias, Net_FloatTensor:$mean,
                   Net_FloatTensor:$var, F32Attr:$eps);
  let results = (outs Net_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight `,` $bias `,` $mean `,` $var `eps` $eps attr-dict `:`
    type($input) `,` type($weight) `->` type($result)
  }];
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

class Net_UnaryOp<string mnemonic, string formula>
    : Net_Op<mnemonic, [Pure, SameOperandsAndResultType]> {
  let summary = "Elementwise " # formula;
  let arguments = (ins Net_FloatTensor:$input);
  let results = (outs Net_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Net_ReluOp : Net_UnaryOp<"relu", "max(x, 0)">;
def Net_SigmoidOp : Net_UnaryOp<"sigmoid", "1 / (1 + exp(-x))">;
def Net_TanhOp : Net_UnaryOp<"tanh", "tanh(x)">;

class Net_BinaryOp<string mnemonic, string formula, list<Trait> traits = []>
    : Net_LayerOp<mnemonic, traits> {
  let summary = "Elementwise " # formula # " of two tensors of the same shape";
  let arguments = (ins Net_FloatTensor:$lhs, Net_FloatTensor:$rhs);
  let results = (outs Net_FloatTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs)";
}

def Net_AddOp : Net_BinaryOp<"add", "lhs + rhs", [Commutative]>;
def Net_SubOp : Net_BinaryOp<"sub", "lhs - rhs">;
def Net_MulOp : Net_BinaryOp<"mul", "lhs * rhs", [Commutative]>;
def Net_DivOp : Net_BinaryOp<"div", "lhs / rhs">;

def Net_AffineOp : Net_Op<"affine", [Pure, SameOperandsAndResultType]> {
  let summary = "Elementwise scale * x + shift with scalar constants";
  let description = [{
    What `2 * x`, `x - 1`, `x / 4` and `-x` become.

    ```mlir
    %y = net.affine %x scale 2.000000e+00 shift 0.000000e+00 : tensor<?x8xf32>
    ```
  }];
  let arguments = (ins Net_FloatTensor:$input, F32Attr:$scale, F32Attr:$shift);
  let results = (outs Net_FloatTensor:$result);
  let assemblyFormat = [{
    $input `scale` $scale `shift` $shift attr-dict `:` type($input)
  }];
}

//===----------------------------------------------------------------------===//
// Shape and normalisation across an axis
//===----------------------------------------------------------------------===//

def Net_SoftmaxOp : Net_LayerOp<"softmax"> {
  let summary = "Softmax along `axis` (torch.softmax)";
  let arguments = (ins Net_FloatTensor:$input, I64Attr:$axis);
  let results = (outs Net_FloatTensor:$result);
  let assemblyFormat = "$input `axis` $axis attr-dict `:` type($input)";
}

def Net_ConcatOp : Net_LayerOp<"concat"> {
  let summary = "Concatenation along `axis` (torch.cat)";
  let description = [{
    All inputs agree on every dim but `axis`; the result's `axis` dim is the
    sum of theirs.
  }];
  let arguments = (ins Variadic<Net_FloatTensor>:$inputs, I64Attr:$axis);
  let results = (outs Net_FloatTensor:$result);
  let assemblyFormat = [{
    $inputs `axis` $axis attr-dict `:` functional-type($inputs, results)
  }];
}

def Net_FlattenOp : Net_LayerOp<"flatten"> {
  let summary = "Flatten every dim after the batch (torch.flatten(x, 1))";
  let arguments = (ins Net_FloatTensor:$input);
  let results = (outs Net_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

//===----------------------------------------------------------------------===//
// Loss terms (scalar results; the loss entry point returns them)
//===----------------------------------------------------------------------===//

class Net_LossOp<string mnemonic, string torchName>
    : Net_LayerOp<mnemonic> {
  let summary = "Loss term matching " # torchName;
  let results = (outs 0DTensorOf<[F32]>:$result);
}

def Net_CrossEntropyOp : Net_LossOp<"cross_entropy", "nn.CrossEntropyLoss"> {
  let description = [{
    -log softmax(logits)[label] per batch item, reduced over the batch by
    `reduction` ("mean" or "sum"). `logits` is [N, C], `label` is i32 [N].

    ```mlir
    %l = net.cross_entropy %logits, %label reduction "mean"
        : tensor<?x10xf32>, tensor<?xi32> -> tensor<f32>
    ```
  }];
  let arguments = (ins Net_FloatTensor:$logits, Net_IntTensor:$label,
                   StrAttr:$reduction);
  let assemblyFormat = [{
    $logits `,` $label `reduction` $reduction attr-dict `:` type($logits) `,`
    type($label) `->` type($result)
  }];
}

class Net_PairLossOp<string mnemonic, string torchName>
    : Net_LossOp<mnemonic, torchName> {
  let description = [{
    Elementwise over two tensors of the same shape, reduced to a scalar by
    `reduction`: "mean" over every element, or "sum".
  }];
  let arguments = (ins Net_FloatTensor:$lhs, Net_FloatTensor:$rhs,
                   StrAttr:$reduction);
  let assemblyFormat = [{
    $lhs `,` $rhs `reduction` $reduction attr-dict `:` type($lhs) `,`
    type($rhs) `->` type($result)
  }];
}

def Net_MseOp : Net_PairLossOp<"mse", "nn.MSELoss">;
def Net_L1Op : Net_PairLossOp<"l1", "nn.L1Loss">;

// Op families, one file each.
include "net/IR/NetMathOps.td"
include "net/IR/NetSpatialOps.td"
include "net/IR/NetVisionOps.td"
include "net/IR/NetFusedOps.td"
include "net/IR/NetGradOps.td"

#endif // NET_OPS_TD
