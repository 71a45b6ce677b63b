//===- TensorOps.cpp - softmax, concat, flatten ---------------------------===//
//
// Built-ins that work along an axis or reshape.
//
//===----------------------------------------------------------------------===//
#include "frontend/OpEmitter.h"

#include "net/IR/NetOps.h"

using namespace netc;
using namespace mlir;

namespace {

Val genConcat(OpEmitter &e, OpCall &c) {
  Bound &b = c.args;
  for (mlir::Value v : b.tensors)
    if (!e.checkTensor(v, c.at(), c.op(), 1, 8))
      return Val::poison();
  std::optional<int64_t> axis = e.getInt(b, c.op(), "axis", 1);
  if (!axis)
    return Val::poison();
  int64_t rank = cast<RankedTensorType>(b.tensors[0].getType()).getRank();
  if (!e.checkAxis(b, c.op(), *axis, rank, c.at()))
    return Val::poison();
  return e.create<mlir::net::ConcatOp>(c.at(), b.tensors,
                                       *axis < 0 ? *axis + rank : *axis);
}

Val genSoftmax(OpEmitter &e, OpCall &c) {
  mlir::Value x = c.args.tensor("x");
  if (!e.checkTensor(x, c.at(), c.op(), 1, 8))
    return Val::poison();
  std::optional<int64_t> axis = e.getInt(c.args, c.op(), "axis", 1);
  if (!axis)
    return Val::poison();
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  if (!e.checkAxis(c.args, c.op(), *axis, rank, c.at()))
    return Val::poison();
  return e.create<mlir::net::SoftmaxOp>(c.at(), x,
                                        *axis < 0 ? *axis + rank : *axis);
}

Val genFlatten(OpEmitter &e, OpCall &c) {
  mlir::Value x = c.args.tensor("x");
  if (!e.checkTensor(x, c.at(), c.op(), 1, 8))
    return Val::poison();
  return e.create<mlir::net::FlattenOp>(c.at(), x);
}

} // namespace

void netc::registerTensorOps(OpTable &t) {
  t["softmax"] = {{{"x", AK::Tensor, true}, {"axis", AK::Int, false}},
                  false,
                  genSoftmax};
  t["concat"] = {{{"inputs", AK::Tensors, true}, {"axis", AK::Int, false}},
                 false,
                 genConcat};
  t["flatten"] = {{{"x", AK::Tensor, true}}, false, genFlatten};
}
