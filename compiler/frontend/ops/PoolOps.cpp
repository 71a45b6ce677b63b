//===- PoolOps.cpp - maxpool, avgpool ---------------------------------------------===//
//
// Window pooling in 1 to 3 spatial dims.
//
//===----------------------------------------------------------------------===//
#include "frontend/OpEmitter.h"

#include "net/IR/NetOps.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

using namespace netc;
using namespace mlir;

namespace {
Val genPool(OpEmitter &e, OpCall &c) {
  Bound &b = c.args;
  const Expr &call = c.call;
  SMLoc at = call.loc;
  StringRef op = call.text;
  mlir::Value x = b.named["x"].first.tensor;
  if (!e.checkTensor(x, at, op, 3, 5))
    return Val::poison();
  size_t spatial = cast<RankedTensorType>(x.getType()).getRank() - 2;
  auto kernel = e.getInts(b, op, "kernel", spatial, std::nullopt);
  if (!kernel)
    return Val::poison();
  auto stride = b.named.count("stride")
                    ? e.getInts(b, op, "stride", spatial, std::nullopt)
                    : std::optional<SmallVector<int64_t>>(*kernel);
  auto pad = e.getInts(b, op, "pad", spatial, 0);
  std::optional<bool> ceil = e.getBool(b, op, "ceil", false);
  if (!stride || !pad || !ceil)
    return Val::poison();
  if (op == "maxpool")
    return e.create<mlir::net::MaxPoolOp>(at, x, *kernel, *stride, *pad, *ceil);
  return e.create<mlir::net::AvgPoolOp>(at, x, *kernel, *stride, *pad, *ceil);
}

} // namespace

void netc::registerPoolOps(OpTable &t) {
  OpSig pool{{{"x", AK::Tensor, true},
              {"kernel", AK::Ints, true},
              {"stride", AK::Ints, false},
              {"pad", AK::Ints, false},
              {"ceil", AK::Bool, false}},
             false,
             genPool};
  t["maxpool"] = pool;
  t["avgpool"] = pool;
}
