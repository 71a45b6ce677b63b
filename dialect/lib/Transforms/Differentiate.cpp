//===- Differentiate.cpp - @backward by reverse-mode adjoints -------------===//
//
// See NetDifferentiate in Passes.td. The ops of @loss are visited last to
// first; a value's adjoint is complete when its defining op is reached,
// because every user comes after it in the block. Loss values (0-d) carry
// constant adjoints: losses combine only in weighted sums (net.affine,
// net.add, net.sub on scalars), so each loss term's seed is a number.
//
//===----------------------------------------------------------------------===//
#include "net/IR/NetOps.h"
#include "net/Transforms/Passes.h"
#include "mlir/IR/BuiltinOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/StringSet.h"

namespace mlir::net {
#define GEN_PASS_DEF_NETDIFFERENTIATE
#include "net/Transforms/Passes.h.inc"
} // namespace mlir::net

using namespace mlir;
using namespace mlir::net;

namespace {

bool isScalar(Value v) {
  return cast<RankedTensorType>(v.getType()).getRank() == 0;
}
bool isFloat(Value v) {
  return cast<RankedTensorType>(v.getType()).getElementType().isF32();
}

class Adjoints {
public:
  explicit Adjoints(OpBuilder &b) : b(b) {}

  /// Adds `g` to the adjoint of `v`.
  void add(Value v, Value g) {
    Value &slot = grads[v];
    slot = slot ? b.create<AddOp>(g.getLoc(), v.getType(), slot, g).getResult()
                : g;
  }
  Value get(Value v) const { return grads.lookup(v); }
  /// The adjoint of `v`, or zeros of its type.
  Value getOrZeros(Value v, Location loc) {
    if (Value g = get(v))
      return g;
    return b.create<ZerosOp>(loc, v.getType());
  }

  llvm::DenseMap<Value, double> scalars; // the constant adjoints of losses

private:
  OpBuilder &b;
  llvm::DenseMap<Value, Value> grads;
};

/// Propagates the constant adjoint of a scalar op's result to its
/// operands, or builds a loss term's gradient.
LogicalResult differentiateScalar(Operation *op, double s, Adjoints &adj,
                                  OpBuilder &b) {
  if (auto term = dyn_cast<LossTermOp>(op)) {
    SmallVector<Value> grads;
    if (failed(term.buildGradients(b, s, grads)))
      return failure();
    for (auto [v, g] : llvm::zip(op->getOperands(), grads))
      if (g)
        adj.add(v, g);
    return success();
  }
  if (auto a = dyn_cast<AffineOp>(op)) {
    adj.scalars[a.getInput()] += s * a.getScale().convertToDouble();
    return success();
  }
  if (isa<AddOp, SubOp>(op)) {
    adj.scalars[op->getOperand(0)] += s;
    adj.scalars[op->getOperand(1)] += isa<SubOp>(op) ? -s : s;
    return success();
  }
  return op->emitError("netc --train: cannot differentiate '")
         << op->getName() << "' of loss values: losses combine only in "
                             "weighted sums (a*L1 + b*L2)";
}

LogicalResult differentiate(Operation *op, Adjoints &adj, OpBuilder &b) {
  SmallVector<Value> dys;
  bool any = false;
  for (Value r : op->getResults()) {
    dys.push_back(adj.get(r));
    any |= (bool)dys.back();
  }
  if (!any)
    return success(); // no loss reads it
  auto model = dyn_cast<DifferentiableOp>(op);
  if (!model)
    return op->emitError("netc --train: no gradient for '")
           << op->getName() << "' yet";
  for (unsigned i = 0; i < dys.size(); ++i)
    if (!dys[i])
      dys[i] = b.create<ZerosOp>(op->getLoc(), op->getResult(i).getType());
  SmallVector<Value> grads;
  if (failed(model.buildGradients(b, dys, grads)))
    return failure();
  if (grads.size() != op->getNumOperands())
    return op->emitError("internal error: its gradient model gave ")
           << grads.size() << " gradients for " << op->getNumOperands()
           << " operands";
  for (auto [v, g] : llvm::zip(op->getOperands(), grads))
    if (g && isFloat(v))
      adj.add(v, g);
  return success();
}

/// Whether weight `w` is a learned parameter some op reads as one (not
/// only as state, like a batchnorm's running statistics).
bool isParameter(WeightOp w) {
  if (w.getFrozen())
    return false;
  for (OpOperand &use : w->getUses()) {
    auto model = dyn_cast<DifferentiableOp>(use.getOwner());
    if (!model || !model.isStateOperand(use.getOperandNumber()))
      return true;
  }
  return false;
}

struct NetDifferentiate
    : mlir::net::impl::NetDifferentiateBase<NetDifferentiate> {
  using NetDifferentiateBase::NetDifferentiateBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto loss = module.lookupSymbol<func::FuncOp>("loss");
    if (!loss) {
      module.emitError("netc --train: the model has no loss term to "
                       "differentiate (declare one: loss NAME = ...)");
      return signalPassFailure();
    }
    if (module.lookupSymbol("backward")) {
      module.emitError("netc --train: the module already has @backward");
      return signalPassFailure();
    }
    func::FuncOp fn = loss.clone();
    fn.setName("backward");
    module.insert(std::next(Block::iterator(loss)), fn);
    SmallVector<Value> losses(
        cast<func::ReturnOp>(fn.getBody().front().getTerminator()).getOperands());
    if (batchStats)
      useBatchStatistics(fn);
    if (failed(build(fn))) {
      fn.erase();
      return signalPassFailure();
    }
    addTrainEntry(loss, fn, losses);
  }

  /// --train=batch-stats: each batchnorm in training mode.
  void useBatchStatistics(func::FuncOp fn) {
    fn.walk([&](BatchNormOp bn) {
      OpBuilder b(bn);
      Type vec = bn.getWeight().getType();
      auto train = b.create<BatchNormTrainOp>(
          bn.getLoc(), TypeRange{bn.getType(), vec, vec, vec, vec},
          bn.getInput(), bn.getWeight(), bn.getBias(), bn.getMean(),
          bn.getVar(), bn.getEpsAttr(), b.getF32FloatAttr(momentum));
      bn.getResult().replaceAllUsesWith(train.getResult());
      bn.erase();
    });
  }

  /// The running statistics' updates a train step stores (batch-stats):
  /// each buffer once, from its first batchnorm, named as the buffer.
  void addStateResults(func::FuncOp train, SmallVectorImpl<Value> &results,
                       SmallVectorImpl<DictionaryAttr> &attrs, OpBuilder &b) {
    llvm::StringSet<> seen;
    auto add = [&](Value buffer, Value update) {
      auto w = buffer.getDefiningOp<WeightOp>();
      if (!w || w.getFrozen() || !seen.insert(w.getName()).second)
        return;
      results.push_back(update);
      attrs.push_back(b.getDictionaryAttr(
          {b.getNamedAttr("net.name", w.getNameAttr()),
           b.getNamedAttr(kStateAttr, b.getUnitAttr())}));
    };
    train.walk([&](BatchNormTrainOp bn) {
      add(bn.getRunningMean(), bn.getNewRunningMean());
      add(bn.getRunningVar(), bn.getNewRunningVar());
    });
  }

  /// @train: what a train step runs, the losses (as @loss names them) and
  /// then @backward's gradients of the parameters, from one pass.
  void addTrainEntry(func::FuncOp loss, func::FuncOp backward,
                     ArrayRef<Value> losses) {
    IRMapping map;
    func::FuncOp train = backward.clone(map);
    train.setName("train");
    getOperation().insert(std::next(Block::iterator(backward)), train);
    auto ret = cast<func::ReturnOp>(train.getBody().front().getTerminator());
    OpBuilder b(ret);
    SmallVector<Value> results;
    SmallVector<DictionaryAttr> attrs;
    for (auto [i, v] : llvm::enumerate(losses)) {
      results.push_back(map.lookup(v));
      DictionaryAttr a = loss.getResultAttrDict(i);
      attrs.push_back(a ? a : b.getDictionaryAttr({}));
    }
    // The parameters' gradients only: a train step has no use for the
    // inputs' (the first conv's input gradient is not computed at all).
    for (auto [i, v] : llvm::enumerate(ret.getOperands().take_front(numParams))) {
      results.push_back(v);
      attrs.push_back(backward.getResultAttrDict(i));
    }
    addStateResults(train, results, attrs, b);
    b.create<func::ReturnOp>(ret.getLoc(), results);
    ret.erase();
    SmallVector<Type> types;
    for (Value v : results)
      types.push_back(v.getType());
    train.setFunctionType(
        FunctionType::get(train.getContext(), train.getArgumentTypes(), types));
    train.setAllResultAttrs(attrs);
  }

  size_t numParams = 0; // @backward's results that are parameters

  LogicalResult build(func::FuncOp fn) {
    Block &body = fn.getBody().front();
    auto ret = cast<func::ReturnOp>(body.getTerminator());
    OpBuilder b(ret);
    Adjoints adj(b);
    for (Value v : ret.getOperands())
      adj.scalars[v] += 1.0; // d(sum of the losses) / d(each)
    SmallVector<Operation *> forward;
    for (Operation &op : body.without_terminator())
      forward.push_back(&op);
    // The parameters, as the forward ops read them (before any gradient
    // op reads them too).
    llvm::MapVector<StringRef, SmallVector<WeightOp>> params;
    for (Operation *op : forward)
      if (auto w = dyn_cast<WeightOp>(op); w && isParameter(w))
        params[w.getName()].push_back(w);
    for (Operation *op : llvm::reverse(forward)) {
      if (isa<WeightOp>(op))
        continue;
      if (op->getNumResults() == 1 && isScalar(op->getResult(0))) {
        auto it = adj.scalars.find(op->getResult(0));
        if (it != adj.scalars.end() && it->second != 0 &&
            failed(differentiateScalar(op, it->second, adj, b)))
          return failure();
        continue;
      }
      if (failed(differentiate(op, adj, b)))
        return failure();
    }

    // Results: the parameters (one per name, the adjoints of every op
    // that reads it summed), then the f32 inputs.
    SmallVector<Value> results;
    SmallVector<std::string> names;
    numParams = params.size();
    for (auto &[name, ops] : params) {
      Value sum;
      for (WeightOp w : ops)
        if (Value g = adj.get(w.getResult()))
          sum = sum ? b.create<AddOp>(w.getLoc(), w.getType(), sum, g) : g;
      results.push_back(sum ? sum
                            : b.create<ZerosOp>(ops.front().getLoc(),
                                                ops.front().getType()));
      names.push_back(name.str());
    }
    for (BlockArgument arg : fn.getArguments()) {
      if (!isFloat(arg))
        continue;
      results.push_back(adj.getOrZeros(arg, fn.getLoc()));
      auto n = fn.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "net.name");
      names.push_back(n ? n.str() : "input" + std::to_string(arg.getArgNumber()));
    }
    b.create<func::ReturnOp>(ret.getLoc(), results);
    ret.erase();
    SmallVector<Type> types;
    for (Value v : results)
      types.push_back(v.getType());
    fn.setFunctionType(
        FunctionType::get(fn.getContext(), fn.getArgumentTypes(), types));
    SmallVector<DictionaryAttr> attrs;
    for (const std::string &n : names)
      attrs.push_back(b.getDictionaryAttr(
          b.getNamedAttr("net.name", b.getStringAttr(n))));
    fn.setAllResultAttrs(attrs);
    return success();
  }
};

} // namespace
