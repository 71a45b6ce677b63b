//===- NetInterfaces.td - Op interfaces of the net dialect -*- tablegen -*-===//
#ifndef NET_INTERFACES_TD
#define NET_INTERFACES_TD

include "mlir/IR/OpBase.td"

def Net_ConvLikeOpInterface : OpInterface<"ConvLikeOp"> {
  let cppNamespace = "::mlir::net";
  let description = [{
    A convolution of an input feature map [N, C, spatial...] with weights:
    `net.conv` (dwconv is a conv with groups = C), `net.fused_conv` and
    `net.deconv`. The passes and `netc --emit=flops` ask this interface
    instead of listing ops.
  }];
  let methods = [
    InterfaceMethod<"The input feature map [N, C, spatial...].",
      "::mlir::Value", "getConvInput", (ins), [{ return $_op.getInput(); }]>,
    InterfaceMethod<"The weights.",
      "::mlir::Value", "getConvWeight", (ins), [{ return $_op.getWeight(); }]>,
    InterfaceMethod<"Multiply-adds of one run, the batch taken as `batch`.",
      "int64_t", "macCount", (ins "int64_t":$batch)>,
  ];
}

def Net_DifferentiableOpInterface : OpInterface<"DifferentiableOp"> {
  let cppNamespace = "::mlir::net";
  let description = [{
    An op net-differentiate can take the gradient through: given the
    adjoints of its results (d(sum of the losses) / d(result); null for a
    result no loss reads), it builds the adjoints of its operands at the
    builder's insertion point. The models live beside the gradient ops
    (lib/IR/NetGradients.cpp, attached to the ops as external models).
  }];
  let methods = [
    InterfaceMethod<[{
        Appends one Value per operand to `operandGrads`: its adjoint, or
        null where none flows (an i32 label, a frozen constant, a running
        statistic). Fails, with an error on the op, when it cannot.
      }],
      "::mlir::LogicalResult", "buildGradients",
      (ins "::mlir::OpBuilder &":$b,
           "::llvm::ArrayRef<::mlir::Value>":$resultGrads,
           "::llvm::SmallVectorImpl<::mlir::Value> &":$operandGrads)>,
    InterfaceMethod<[{
        Whether operand `index` is state rather than a parameter (a
        batchnorm's running mean and variance, PyTorch buffers): a weight
        used only as such has no gradient.
      }],
      "bool", "isStateOperand", (ins "unsigned":$index), [{}],
      [{ return false; }]>,
  ];
}

def Net_LossTermOpInterface : OpInterface<"LossTermOp"> {
  let cppNamespace = "::mlir::net";
  let description = [{
    A loss term (a scalar result): net-differentiate seeds it with `scale`,
    d(sum of the model's losses) / d(term), a constant because losses
    combine only in weighted sums.
  }];
  let methods = [
    InterfaceMethod<[{
        Appends one Value per operand to `operandGrads`: scale times the
        term's gradient w.r.t. it, or null (an i32 operand).
      }],
      "::mlir::LogicalResult", "buildGradients",
      (ins "::mlir::OpBuilder &":$b, "double":$scale,
           "::llvm::SmallVectorImpl<::mlir::Value> &":$operandGrads)>,
  ];
}

#endif // NET_INTERFACES_TD
