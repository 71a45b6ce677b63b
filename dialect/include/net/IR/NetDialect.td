//===- NetDialect.td - The net dialect ---------------------*- tablegen -*-===//
//
// `net` models a convolutional network at the level a user writes it: whole
// layers (conv, pool, fc, ...) on NCHW tensors with a symbolic batch.
//
//===----------------------------------------------------------------------===//
#ifndef NET_DIALECT_TD
#define NET_DIALECT_TD

include "mlir/IR/OpBase.td"

def Net_Dialect : Dialect {
  let name = "net";
  let cppNamespace = "::mlir::net";
  let summary = "Layer-level operations of convolutional networks";
  let description = [{
    Values are ranked tensors in NCHW layout (N, channels, spatial...); the
    batch dimension may be dynamic (`?`). Learned parameters are produced by
    `net.weight` ops that name a PyTorch-style `state_dict` entry; their
    values travel beside the module in a weight store. Every layer op infers
    its result type (InferTypeOpInterface), so verifiers check shapes with the
    language's output-size formula.
  }];
  let useDefaultAttributePrinterParser = 1;
  // `net.layout`, `net.tile`, `net.fuse_producer` must carry their types.
  let hasOperationAttrVerify = 1;
  let extraClassDeclaration = [{
    void registerAttributes();
  }];
}

class Net_Op<string mnemonic, list<Trait> traits = []>
    : Op<Net_Dialect, mnemonic, traits>;

// Element types the dialect computes in today. Quantized (int8) tensors are
// meant to join here.
def Net_FloatTensor : RankedTensorOf<[F32]>;
def Net_IntTensor : RankedTensorOf<[I32]>;
def Net_AnyTensor : RankedTensorOf<[F32, I32]>;

#endif // NET_DIALECT_TD
