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

#endif // NET_INTERFACES_TD
