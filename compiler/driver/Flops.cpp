//===- Flops.cpp - Floating-point operation count of a model --------------===//
//
// Counts from the operand and result types alone (by op name, no op
// classes), so an op that joins the dialect is counted as an elementwise op
// until it gets a rule here. The MAC count of each conv-like op is the
// number of (output element, reduction tap) pairs:
//
//   conv   [N,O,out...] = [N,C,in...] * [O,C/g,k...]: numel(out) * C/g * prod(k)
//   deconv [N,O,out...] = [N,C,in...] * [C,O/g,k...]: numel(in) * O/g * prod(k)
//   fc     [N,O] = [N,I...] * [O,I]:                  numel(out) * I
//   gram   [N,C,C] from [N,C,P...]:                   numel(out) * prod(P)
//   correlation [N,D,H,W] from two [N,C,H,W]:         numel(out) * C
//
//===----------------------------------------------------------------------===//
#include "driver/Flops.h"
#include "net/IR/NetOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Location.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"

#include <algorithm>

using namespace netc;

namespace {

enum class Rule { ConvLike, Fc, Gram, Correlation, Free, Elementwise };

Rule ruleOf(mlir::Operation *op) {
  // Convolutions say their own MACs (mlir::net::ConvLikeOp).
  if (mlir::isa<mlir::net::ConvLikeOp>(op))
    return Rule::ConvLike;
  return llvm::StringSwitch<Rule>(op->getName().getStringRef())
      .Case("net.fc", Rule::Fc)
      .Case("net.gram", Rule::Gram)
      .Case("net.correlation", Rule::Correlation)
      .Cases("net.weight", "net.reshape", "net.flatten", "net.concat",
             "net.upsample", Rule::Free)
      .Case("func.return", Rule::Free)
      .Default(Rule::Elementwise);
}

/// The shape of a tensor value with a dynamic (batch) dim taken as `batch`.
std::vector<int64_t> shapeOf(mlir::Value v, int64_t batch) {
  std::vector<int64_t> s;
  if (auto t = mlir::dyn_cast<mlir::RankedTensorType>(v.getType()))
    for (int64_t d : t.getShape())
      s.push_back(mlir::ShapedType::isDynamic(d) ? batch : d);
  return s;
}

int64_t product(llvm::ArrayRef<int64_t> dims) {
  int64_t p = 1;
  for (int64_t d : dims)
    p *= d;
  return p;
}

/// "c1" for an op reading the parameter "c1.weight"; "-" for none.
std::string layerOf(mlir::Operation *op) {
  for (mlir::Value v : op->getOperands())
    if (mlir::Operation *def = v.getDefiningOp())
      if (def->getName().getStringRef() == "net.weight")
        if (auto name = def->getAttrOfType<mlir::StringAttr>("name")) {
          llvm::StringRef n = name.getValue();
          size_t dot = n.rfind('.');
          return (dot == llvm::StringRef::npos ? n : n.take_front(dot)).str();
        }
  return "-";
}

/// "file.net:9:6" from the op's location (the first file position in it).
std::string whereOf(mlir::Operation *op) {
  if (auto loc = op->getLoc()->findInstanceOf<mlir::FileLineColLoc>())
    return (llvm::sys::path::filename(loc.getFilename().getValue()) + ":" +
            llvm::Twine(loc.getLine()) + ":" + llvm::Twine(loc.getColumn()))
        .str();
  return "-";
}

/// MACs of a conv-like op; 0 when its types are not what the rule expects.
int64_t macsOf(Rule rule, mlir::Operation *op, int64_t batch) {
  if (op->getNumResults() != 1 || op->getNumOperands() < 2)
    return 0;
  std::vector<int64_t> out = shapeOf(op->getResult(0), batch);
  std::vector<int64_t> in = shapeOf(op->getOperand(0), batch);
  std::vector<int64_t> w = shapeOf(op->getOperand(1), batch);
  switch (rule) {
  case Rule::ConvLike:
    return mlir::cast<mlir::net::ConvLikeOp>(op).macCount(batch);
  case Rule::Fc:
    return w.size() == 2 ? product(out) * w[1] : 0;
  case Rule::Gram:
    return in.size() >= 2 ? product(out) * product(llvm::ArrayRef(in).drop_front(2))
                          : 0;
  case Rule::Correlation:
    return in.size() >= 2 ? product(out) * in[1] : 0;
  default:
    return 0;
  }
}

std::string formatShape(const std::vector<int64_t> &shape) {
  std::string s;
  for (int64_t d : shape)
    s += (s.empty() ? "" : "x") + std::to_string(d);
  return s.empty() ? "scalar" : s;
}

} // namespace

FlopsReport netc::countFlops(mlir::ModuleOp module) {
  FlopsReport r;
  if (auto name = module->getAttrOfType<mlir::StringAttr>("net.model"))
    r.model = name.str();
  auto forward = module.lookupSymbol<mlir::func::FuncOp>("forward");
  if (!forward)
    return r;
  // A fixed --batch is part of the types; a run-time N counts as 1.
  for (mlir::Type t : forward.getArgumentTypes())
    if (auto rt = mlir::dyn_cast<mlir::RankedTensorType>(t))
      if (rt.getRank() > 0 && !rt.isDynamicDim(0)) {
        r.batch = rt.getDimSize(0);
        break;
      }
  forward.walk([&](mlir::Operation *op) {
    if (op == forward.getOperation())
      return;
    Rule rule = ruleOf(op);
    if (rule == Rule::Free || op->getNumResults() != 1)
      return;
    OpFlops f;
    f.op = op->getName().getStringRef().str();
    f.layer = layerOf(op);
    f.where = whereOf(op);
    f.shape = shapeOf(op->getResult(0), 1);
    if (rule == Rule::Elementwise) {
      int64_t elems = product(f.shape);
      if (op->getNumOperands() > 0)
        elems = std::max(elems, product(shapeOf(op->getOperand(0), 1)));
      f.flops = elems;
      r.otherFlops += f.flops;
    } else {
      f.macs = macsOf(rule, op, 1);
      f.flops = 2 * f.macs;
      r.macs += f.macs;
      r.macFlops += f.flops;
    }
    for (mlir::Value v : op->getOperands()) {
      mlir::Operation *def = v.getDefiningOp();
      bool param = def && def->getName().getStringRef() == "net.weight";
      (param ? f.weightBytes : f.activationBytes) += 4 * product(shapeOf(v, 1));
    }
    f.activationBytes += 4 * product(f.shape);
    r.ops.push_back(std::move(f));
  });
  return r;
}

void netc::printFlops(const FlopsReport &r, llvm::raw_ostream &os) {
  os << "# FLOPs of " << r.model << " @forward, batch " << r.batch
     << ", as the front end writes it (before the net passes)\n"
     << "# conv/dwconv/deconv/fc/gram/correlation: FLOPs = 2 x MACs; other "
        "ops: 1 per element of the larger of operand 0 and the result; "
        "weight/reshape/flatten/concat/upsample: 0 (not listed)\n";
  size_t opW = 2, layerW = 5, whereW = 5, shapeW = 6;
  for (const OpFlops &f : r.ops) {
    opW = std::max(opW, f.op.size());
    layerW = std::max(layerW, f.layer.size());
    whereW = std::max(whereW, f.where.size());
    shapeW = std::max(shapeW, formatShape(f.shape).size());
  }
  auto row = [&](llvm::StringRef op, llvm::StringRef layer,
                 llvm::StringRef where, llvm::StringRef shape,
                 llvm::StringRef macs, llvm::StringRef flops,
                 llvm::StringRef act, llvm::StringRef weights) {
    os << llvm::left_justify(op, opW) << "  " << llvm::left_justify(layer, layerW)
       << "  " << llvm::left_justify(where, whereW) << "  "
       << llvm::left_justify(shape, shapeW) << "  "
       << llvm::right_justify(macs, 12) << "  " << llvm::right_justify(flops, 12)
       << "  " << llvm::right_justify(act, 11) << "  "
       << llvm::right_justify(weights, 12) << "\n";
  };
  row("op", "layer", "where", "output", "MACs", "FLOPs", "act_bytes",
      "weight_bytes");
  for (const OpFlops &f : r.ops)
    row(f.op, f.layer, f.where, formatShape(f.shape),
        f.macs ? std::to_string(f.macs) : "-", std::to_string(f.flops),
        std::to_string(f.activationBytes), std::to_string(f.weightBytes));
  os << "total: macs=" << r.macs << " mac_flops=" << r.macFlops
     << " other_flops=" << r.otherFlops
     << " flops=" << r.macFlops + r.otherFlops << "\n";
}
