//===- NetFusedOps.cpp - Type inference of the fused ops ------------------===//
//
// net.fused_conv infers its type as net.conv does; the verifier checks the
// epilogue's operands (batchnorm parameters, residual) and attributes.
//
//===----------------------------------------------------------------------===//
#include "net/IR/NetOps.h"
#include "ShapeUtils.h"

using namespace mlir;
using namespace mlir::net;
using namespace mlir::net::detail;

LogicalResult FusedConvOp::inferReturnTypes(MLIRContext *ctx,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  return inferConvType(ctx, loc, adaptor, types);
}

LogicalResult FusedConvOp::verify() {
  int64_t out = shapeOf(getWeight())[0];
  Value bn[] = {getBnWeight(), getBnBias(), getBnMean(), getBnVar()};
  unsigned given = llvm::count_if(bn, [](Value v) { return v != nullptr; });
  if (given != 0 && given != 4)
    return emitOpError("needs all four batchnorm parameters or none");
  if (given == 4 && !getBnEps())
    return emitOpError("with batchnorm parameters needs bn_eps");
  if (given == 0 && getBnEps())
    return emitOpError("has bn_eps but no batchnorm parameters");
  for (Value v : bn)
    if (v && failed(checkParamShape(getLoc(), "fused_conv", "batchnorm "
                                                            "parameter",
                                    v, {out})))
      return failure();
  if (Value r = getResidual())
    if (r.getType() != getType())
      return emitOpError("residual type ")
             << r.getType() << " differs from the result type " << getType();
  if ((getAct() == Activation::leaky_relu) != getSlope().has_value())
    return emitOpError("slope is given exactly when act is leaky_relu");
  return success();
}
