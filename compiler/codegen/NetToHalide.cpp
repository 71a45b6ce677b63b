//===- NetToHalide.cpp - The algorithm of a model as Halide Funcs ---------===//
//
// One Func per net op, defined over Halide's reversed dims (x0 = W). No
// scheduling happens here; see schedule/X86Schedule.cpp.
//
//===----------------------------------------------------------------------===//
#include "codegen/lower/LowerContext.h"

#include "net/IR/NetOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cstring>

using namespace netc;
using namespace Halide;
using mlir::cast;
using mlir::dyn_cast;

std::vector<int64_t> netc::shapeOf(mlir::Value v) {
  std::vector<int64_t> s;
  for (int64_t d : cast<mlir::RankedTensorType>(v.getType()).getShape())
    s.push_back(mlir::ShapedType::isDynamic(d) ? -1 : d);
  return s;
}

std::string netc::sanitize(llvm::StringRef name) {
  std::string s;
  for (char c : name)
    s += (isalnum(static_cast<unsigned char>(c)) ? c : '_');
  return s;
}

namespace {

/// Lowers one entry function; `counter` is shared by the entries of a
/// model so that every Func and buffer name is unique in the linked module.
class Lowering : public LowerContext {
public:
  using LowerContext::LowerContext;
  std::optional<LoweredEntry> run(mlir::func::FuncOp fn, std::string &error);

private:
  /// Passes net-layout's choice on to the stage that computes `op`.
  void markLayout(mlir::Operation &op) {
    auto layout = op.getAttrOfType<mlir::StringAttr>("net.layout");
    if (!layout || layout.getValue() != "nhwc" || op.getNumResults() != 1)
      return;
    int index = stageOf(values[op.getResult(0)].f);
    if (index >= 0) {
      OpStage &s = model.stages[index];
      s.channelsInnermost = s.vars.size() == 4;
    }
  }
};

std::string nameOf(mlir::DictionaryAttr attrs, const std::string &dflt) {
  if (attrs)
    if (auto s = attrs.getAs<mlir::StringAttr>("net.name"))
      return s.str();
  return dflt;
}

TensorDesc inputDesc(mlir::func::FuncOp fn, unsigned i) {
  mlir::Value arg = fn.getArgument(i);
  auto type = cast<mlir::RankedTensorType>(arg.getType());
  return {nameOf(fn.getArgAttrDict(i), "input" + std::to_string(i)),
          type.getElementType().isInteger(32), shapeOf(arg)};
}

std::optional<LoweredEntry> Lowering::run(mlir::func::FuncOp fn,
                                          std::string &error) {
  model.name = fn.getName().str();
  // Only the inputs this entry reads become pipeline arguments.
  for (auto [i, arg] : llvm::enumerate(fn.getArguments())) {
    if (arg.use_empty())
      continue;
    TensorDesc d = inputDesc(fn, i);
    ImageParam p(d.isInt ? Int(32) : Float(32), (int)d.shape.size(),
                 sanitize(d.name));
    // Static dims are part of the contract; the batch is free.
    for (size_t k = 0; k < d.shape.size(); ++k) {
      int hd = (int)(d.shape.size() - 1 - k);
      if (d.shape[k] >= 0) {
        p.dim(hd).set_bounds(0, (int)d.shape[k]);
      } else {
        p.dim(hd).set_min(0);
        if (!batch.defined())
          batch = p.dim(hd).extent();
      }
    }
    Func f(fresh("in_" + d.name));
    std::vector<Var> v = makeVars(d.shape.size());
    f(v) = p(asExprs(v));
    values[arg] = {f, d.shape};
    model.inputs.push_back(p);
    model.inputIndices.push_back((int)i);
  }

  for (mlir::Operation &op : fn.getBody().front()) {
    if (mlir::isa<mlir::func::ReturnOp>(op))
      continue;
    auto it = lowerings().find(op.getName().getStringRef());
    if (it == lowerings().end()) {
      error = "no Halide lowering for '" + op.getName().getStringRef().str() + "'";
      return std::nullopt;
    }
    if (failed(it->second(*this, &op, error)))
      return std::nullopt;
    markLayout(op);
  }

  auto ret = cast<mlir::func::ReturnOp>(fn.getBody().front().back());
  for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
    TensorDesc d{nameOf(fn.getResultAttrDict(i), "output" + std::to_string(i)),
                 false, shapeOf(v)};
    // An output Func must be distinct per output (two outputs may be the
    // same value, or an input).
    const HTensor &t = values[v];
    std::vector<Var> vars = makeVars(t.rank());
    Func out(fresh(model.name + "_out_" + d.name));
    out(vars) = t.f(asExprs(vars));
    for (size_t k = 0; k < d.shape.size(); ++k) {
      int hd = (int)(d.shape.size() - 1 - k);
      if (d.shape[k] >= 0)
        out.output_buffer().dim(hd).set_bounds(0, (int)d.shape[k]);
      else
        out.output_buffer().dim(hd).set_min(0);
    }
    model.outputs.push_back(out);
    model.outputDescs.push_back(d);
    model.stages.push_back({OpStage::Copy, out, vars, d.shape, false, {}, RDom()});
  }
  return std::move(model);
}

} // namespace

std::optional<LoweredModel> netc::lowerToHalide(mlir::ModuleOp module,
                                                const WeightMap &weights,
                                                std::string &error) {
  auto forward = module.lookupSymbol<mlir::func::FuncOp>("forward");
  if (!forward) {
    error = "the module has no @forward function";
    return std::nullopt;
  }
  LoweredModel model;
  auto name = module->getAttrOfType<mlir::StringAttr>("net.model");
  model.name = name ? name.str() : "model";
  for (unsigned i = 0; i < forward.getNumArguments(); ++i)
    model.inputDescs.push_back(inputDesc(forward, i));
  int counter = 0;
  for (const char *entry : {"forward", "loss"}) {
    auto fn = module.lookupSymbol<mlir::func::FuncOp>(entry);
    if (!fn)
      continue;
    if (fn.getNumArguments() != model.inputDescs.size()) {
      error = std::string("@") + entry + " must take the same inputs as @forward";
      return std::nullopt;
    }
    std::optional<LoweredEntry> lowered = Lowering(weights, counter).run(fn, error);
    if (!lowered)
      return std::nullopt;
    model.entries.push_back(std::move(*lowered));
  }
  return model;
}
