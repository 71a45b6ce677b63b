//===- MathOps.cpp - Built-in ops of the math family ----------------------===//
//
// Elementwise math (relu6, abs, sqrt, exp, log, square, leaky_relu),
// log_softmax, reductions (mean, sum), l2norm and reshape.
//
// Axes are checked here, at the argument that names them, and made
// non-negative; shape rules (reshape's element counts) are the dialect's
// type inference, reported at the call.
//
//===----------------------------------------------------------------------===//
#include "frontend/OpEmitter.h"

#include "net/IR/NetOps.h"

#include "llvm/ADT/STLExtras.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

using namespace netc;
using namespace mlir;

namespace {

/// The highest rank a value may have (Halide lowering names 8 dims).
constexpr size_t kMaxRank = 8;

int64_t rankOf(mlir::Value v) {
  return cast<RankedTensorType>(v.getType()).getRank();
}

std::string listStr(ArrayRef<int64_t> values) {
  std::string s = "[";
  for (auto [i, v] : llvm::enumerate(values)) {
    if (i)
      s += ", ";
    s += std::to_string(v);
  }
  return s + "]";
}

/// How messages spell a number the user wrote ("0.001", "inf").
std::string numStr(double v) {
  char buf[32];
  snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

/// The int, or list of ints, bound to `name` ("-1" is an int too); nullopt
/// after an error at the argument.
std::optional<SmallVector<int64_t>> getIntList(OpEmitter &e, const Bound &b,
                                               StringRef op, StringRef name) {
  auto it = b.named.find(name);
  const Val &v = it->second.first;
  SMLoc at = it->second.second;
  if (v.kind != Val::Number && v.kind != Val::List) {
    e.src.error(at) << "argument '" << name << "' of " << op
                    << " must be an int or a list of ints, got "
                    << describeVal(v);
    return std::nullopt;
  }
  SmallVector<const Val *> items;
  if (v.kind == Val::Number)
    items.push_back(&v);
  for (const Val &i : v.list)
    items.push_back(&i);
  SmallVector<int64_t> r;
  for (const Val *i : items) {
    if (i->kind != Val::Number || !i->isInt) {
      e.src.error(at) << "argument '" << name << "' of " << op
                      << " must be an int or a list of ints, got "
                      << (v.kind == Val::List ? "a list holding " : "")
                      << describeVal(*i);
      return std::nullopt;
    }
    if (std::abs(i->number) > kMaxExtent) {
      e.src.error(at) << "argument '" << name << "' of " << op
                      << " is out of range: " << i->number;
      return std::nullopt;
    }
    r.push_back(static_cast<int64_t>(i->number));
  }
  return r;
}

/// An axis in [-rank, rank), made non-negative; errors at the `axis`
/// argument, or at the call when the default does not fit.
std::optional<int64_t> getAxis(OpEmitter &e, OpCall &c, int64_t rank) {
  std::optional<int64_t> axis = e.getInt(c.args, c.op(), "axis", 1);
  if (!axis)
    return std::nullopt;
  if (*axis < -rank || *axis >= rank) {
    auto d = e.src.error(c.args.where("axis", c.at()));
    d << c.op() << ": axis " << *axis << " is out of range for a rank-" << rank
      << " tensor";
    if (!c.args.named.count("axis"))
      d << " (the default axis is 1)";
    return std::nullopt;
  }
  return *axis < 0 ? *axis + rank : *axis;
}

template <typename OpTy> Val genUnary(OpEmitter &e, OpCall &c) {
  mlir::Value x = c.args.tensor("x");
  if (!e.checkTensor(x, c.at(), c.op(), 0, kMaxRank))
    return Val::poison();
  return e.createUnary<OpTy>(c.at(), x);
}

Val genLeakyRelu(OpEmitter &e, OpCall &c) {
  mlir::Value x = c.args.tensor("x");
  if (!e.checkTensor(x, c.at(), c.op(), 0, kMaxRank))
    return Val::poison();
  std::optional<double> slope = e.getFloat(c.args, c.op(), "slope", 0.01);
  if (!slope)
    return Val::poison();
  if (!std::isfinite(static_cast<float>(*slope))) {
    e.src.error(c.args.where("slope", c.at()))
        << "leaky_relu: slope must be a finite f32 number, got "
        << numStr(*slope);
    return Val::poison();
  }
  return Val::ofTensor(e.builder.create<mlir::net::LeakyReluOp>(
      e.loc(c.at()), x.getType(), x, e.builder.getF32FloatAttr(*slope)));
}

Val genLogSoftmax(OpEmitter &e, OpCall &c) {
  mlir::Value x = c.args.tensor("x");
  if (!e.checkTensor(x, c.at(), c.op(), 1, kMaxRank))
    return Val::poison();
  std::optional<int64_t> axis = getAxis(e, c, rankOf(x));
  if (!axis)
    return Val::poison();
  return e.create<mlir::net::LogSoftmaxOp>(c.at(), x, *axis);
}

Val genL2Norm(OpEmitter &e, OpCall &c) {
  mlir::Value x = c.args.tensor("x");
  if (!e.checkTensor(x, c.at(), c.op(), 1, kMaxRank))
    return Val::poison();
  std::optional<int64_t> axis = getAxis(e, c, rankOf(x));
  std::optional<double> eps = e.getFloat(c.args, c.op(), "eps", 1e-12);
  if (!axis || !eps)
    return Val::poison();
  if (!(*eps >= 0) || std::isinf(static_cast<float>(*eps))) {
    e.src.error(c.args.where("eps", c.at()))
        << "l2norm: eps must be a finite f32 number >= 0, got " << numStr(*eps);
    return Val::poison();
  }
  return e.create<mlir::net::L2NormOp>(c.at(), x, *axis,
                                       llvm::APFloat(static_cast<float>(*eps)));
}

/// mean and sum: `axes` is an int or a list of distinct axes in
/// [-rank, rank); without it every dim is reduced (torch.mean(x)).
template <typename OpTy> Val genReduce(OpEmitter &e, OpCall &c) {
  mlir::Value x = c.args.tensor("x");
  if (!e.checkTensor(x, c.at(), c.op(), 1, kMaxRank))
    return Val::poison();
  int64_t rank = rankOf(x);
  SmallVector<int64_t> axes;
  if (!c.args.named.count("axes")) {
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  } else {
    std::optional<SmallVector<int64_t>> given =
        getIntList(e, c.args, c.op(), "axes");
    if (!given)
      return Val::poison();
    SMLoc at = c.args.where("axes", c.at());
    if (given->empty()) {
      e.src.error(at) << c.op() << ": axes must name at least one dim";
      return Val::poison();
    }
    for (int64_t a : *given) {
      if (a < -rank || a >= rank) {
        e.src.error(at) << c.op() << ": axis " << a
                        << " is out of range for a rank-" << rank << " tensor";
        return Val::poison();
      }
      int64_t n = a < 0 ? a + rank : a;
      if (llvm::is_contained(axes, n)) {
        e.src.error(at) << c.op() << ": axes " << listStr(*given)
                        << " name dim " << n << " twice";
        return Val::poison();
      }
      axes.push_back(n);
    }
    llvm::sort(axes);
  }
  return e.create<OpTy>(c.at(), x, axes);
}

/// reshape(x, [d0, d1, ...]): each dim >= 1 or -1 once; the dialect checks
/// the element counts (and the symbolic batch, which must stay dim 0).
Val genReshape(OpEmitter &e, OpCall &c) {
  mlir::Value x = c.args.tensor("x");
  if (!e.checkTensor(x, c.at(), c.op(), 0, kMaxRank))
    return Val::poison();
  std::optional<SmallVector<int64_t>> shape =
      getIntList(e, c.args, c.op(), "shape");
  if (!shape)
    return Val::poison();
  SMLoc at = c.args.where("shape", c.at());
  if (shape->size() > kMaxRank) {
    e.src.error(at) << "reshape: the shape " << listStr(*shape) << " has "
                    << shape->size() << " dims; at most " << kMaxRank
                    << " are supported";
    return Val::poison();
  }
  if (llvm::count(*shape, -1) > 1) {
    e.src.error(at) << "reshape: -1 may appear only once in the shape "
                    << listStr(*shape);
    return Val::poison();
  }
  for (auto [i, d] : llvm::enumerate(*shape))
    if (d != -1 && d < 1) {
      e.src.error(at) << "reshape: dim " << i << " of the shape "
                      << listStr(*shape) << " is " << d
                      << "; each dim must be >= 1, or -1 once";
      return Val::poison();
    }
  return e.create<mlir::net::ReshapeOp>(c.at(), x, *shape);
}

} // namespace

void netc::registerMathOps(OpTable &t) {
  using namespace mlir::net;
  std::vector<ArgSpec> x = {{"x", AK::Tensor, true}};
  t["relu6"] = {x, false, genUnary<Relu6Op>};
  t["abs"] = {x, false, genUnary<AbsOp>};
  t["sqrt"] = {x, false, genUnary<SqrtOp>};
  t["exp"] = {x, false, genUnary<ExpOp>};
  t["log"] = {x, false, genUnary<LogOp>};
  t["square"] = {x, false, genUnary<SquareOp>};
  t["leaky_relu"] = {{{"x", AK::Tensor, true}, {"slope", AK::Float, false}},
                     false,
                     genLeakyRelu};
  t["log_softmax"] = {{{"x", AK::Tensor, true}, {"axis", AK::Int, false}},
                      false,
                      genLogSoftmax};
  t["l2norm"] = {{{"x", AK::Tensor, true},
                  {"axis", AK::Int, false},
                  {"eps", AK::Float, false}},
                 false,
                 genL2Norm};
  t["mean"] = {{{"x", AK::Tensor, true}, {"axes", AK::Ints, false}},
               false,
               genReduce<MeanOp>};
  t["sum"] = {{{"x", AK::Tensor, true}, {"axes", AK::Ints, false}},
              false,
              genReduce<SumOp>};
  t["reshape"] = {
      {{"x", AK::Tensor, true}, {"shape", AK::Ints, true}}, false, genReshape};
}
