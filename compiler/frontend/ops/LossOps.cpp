//===- LossOps.cpp - loss terms ---------------------------------------------===//
//
// Loss terms of netlang.md section 7: scalar results of the loss entry point.
//
//===----------------------------------------------------------------------===//
#include "frontend/OpEmitter.h"

#include "net/IR/NetOps.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

using namespace netc;
using namespace mlir;

namespace {
Val genLossTerm(OpEmitter &e, OpCall &c) {
  Bound &b = c.args;
  const Expr &call = c.call;
  SMLoc at = call.loc;
  StringRef op = call.text;
  std::optional<std::string> reduction = e.getStr(b, op, "reduction", "mean");
  if (!reduction)
    return Val::poison();
  if (*reduction != "mean" && *reduction != "sum") {
    e.src.error(b.named["reduction"].second)
        << op << ": reduction must be \"mean\" or \"sum\", got \""
        << *reduction << "\"";
    return Val::poison();
  }
  auto red = e.builder.getStringAttr(*reduction);
  if (op == "cross_entropy") {
    mlir::Value logits = b.named["logits"].first.tensor;
    mlir::Value label = b.named["label"].first.tensor;
    if (!e.checkTensor(logits, at, op, 2, 2, "logits"))
      return Val::poison();
    if (!cast<RankedTensorType>(label.getType()).getElementType().isInteger(
            32)) {
      e.src.error(b.named["label"].second)
          << "cross_entropy needs an i32 label, got " << typeStr(label);
      return Val::poison();
    }
    return e.create<mlir::net::CrossEntropyOp>(at, logits, label, red);
  }
  mlir::Value a = b.tensor("a"), other = b.tensor("b");
  if (!e.checkTensor(a, at, op, 1, 8, "first operand") ||
      !e.checkTensor(other, at, op, 1, 8, "second operand"))
    return Val::poison();
  if (op == "mse")
    return e.create<mlir::net::MseOp>(at, a, other, red);
  return e.create<mlir::net::L1Op>(at, a, other, red);
}

} // namespace

void netc::registerLossOps(OpTable &t) {
  t["cross_entropy"] = {{{"logits", AK::Tensor, true},
                         {"label", AK::Tensor, true},
                         {"reduction", AK::Str, false}},
                        false,
                        genLossTerm};
  OpSig pair{{{"a", AK::Tensor, true},
              {"b", AK::Tensor, true},
              {"reduction", AK::Str, false}},
             false,
             genLossTerm};
  t["mse"] = pair;
  t["l1"] = pair;
}
