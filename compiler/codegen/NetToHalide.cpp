//===- NetToHalide.cpp - The algorithm of a model as Halide Funcs ---------===//
//
// One Func per net op, defined over Halide's reversed dims (x0 = W). No
// scheduling happens here; see schedule/X86Schedule.cpp.
//
//===----------------------------------------------------------------------===//
#include "codegen/Lowered.h"

#include "net/IR/NetOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cstring>

using namespace netc;
using namespace Halide;
using mlir::cast;
using mlir::dyn_cast;

namespace {

/// A value during lowering: its Func and NCHW shape (-1 = batch).
struct HTensor {
  Func f;
  std::vector<int64_t> shape;
  size_t rank() const { return shape.size(); }
};

std::vector<int64_t> shapeOf(mlir::Value v) {
  std::vector<int64_t> s;
  for (int64_t d : cast<mlir::RankedTensorType>(v.getType()).getShape())
    s.push_back(mlir::ShapedType::isDynamic(d) ? -1 : d);
  return s;
}

/// A C-identifier version of a name, for Func and buffer names.
std::string sanitize(llvm::StringRef name) {
  std::string s;
  for (char c : name)
    s += (isalnum(static_cast<unsigned char>(c)) ? c : '_');
  return s;
}

/// Lowers one entry function; `counter` is shared by the entries of a
/// model so that every Func and buffer name is unique in the linked module.
class Lowering {
public:
  Lowering(const WeightMap &weights, int &counter)
      : weights(weights), counter(counter) {}

  std::optional<LoweredEntry> run(mlir::func::FuncOp fn, std::string &error);

private:
  const WeightMap &weights;
  int &counter;
  LoweredEntry model;
  llvm::DenseMap<mlir::Value, HTensor> values;
  Expr batch; // the run-time batch N, once an input fixes it

  std::string fresh(llvm::StringRef base) {
    return sanitize(base) + "_" + std::to_string(counter++);
  }

  static std::vector<Var> makeVars(size_t rank) {
    std::vector<Var> v;
    static const char *names[] = {"x", "y", "z", "w", "u", "t", "s", "r"};
    for (size_t i = 0; i < rank; ++i)
      v.push_back(Var(names[i]));
    return v;
  }
  static std::vector<Expr> asExprs(const std::vector<Var> &vars) {
    return std::vector<Expr>(vars.begin(), vars.end());
  }

  /// Records `f` as the stage that computes `result`.
  void define(mlir::Value result, Func f, std::vector<Var> vars,
              OpStage::Kind kind, bool hasUpdate,
              std::vector<Func> helpers = {}, RDom rdom = RDom()) {
    std::vector<int64_t> shape = shapeOf(result);
    values[result] = {f, shape};
    model.stages.push_back({kind, f, std::move(vars), shape, hasUpdate,
                            std::move(helpers), rdom});
  }

  /// The constant buffer of a parameter, Halide dims reversed.
  Func weight(mlir::net::WeightOp op) {
    std::vector<int64_t> shape = shapeOf(op.getResult());
    std::vector<int> extents(shape.rbegin(), shape.rend());
    Buffer<float> buf(extents, fresh("w_" + op.getName().str()));
    const std::vector<float> &data = weights.find(op.getName())->second;
    std::memcpy(buf.data(), data.data(), data.size() * sizeof(float));
    Func f(fresh("param_" + op.getName().str()));
    std::vector<Var> v = makeVars(shape.size());
    f(v) = buf(asExprs(v));
    return f;
  }

  /// x(args) with zeros outside [0, extent) on the padded spatial dims.
  static Expr padded(const HTensor &x, const std::vector<Expr> &at,
                     const std::vector<int64_t> &pad) {
    Expr inside = Internal::const_true();
    std::vector<Expr> clamped = at;
    size_t spatial = pad.size();
    for (size_t i = 0; i < spatial; ++i) {
      if (pad[spatial - 1 - i] == 0)
        continue;
      int64_t n = x.shape[x.rank() - 1 - i];
      inside = inside && at[i] >= 0 && at[i] < (int)n;
      clamped[i] = clamp(at[i], 0, (int)n - 1);
    }
    if (Internal::is_const_one(inside))
      return x.f(at);
    return select(inside, x.f(clamped), 0.0f);
  }

  mlir::LogicalResult lower(mlir::Operation *op, std::string &error);
  void lowerConv(mlir::net::ConvOp op);
  void lowerFc(mlir::net::FcOp op);
  void lowerPool(mlir::Operation *op, bool isMax);
  void lowerSoftmax(mlir::net::SoftmaxOp op);
  void lowerConcat(mlir::net::ConcatOp op);
  void lowerCrossEntropy(mlir::net::CrossEntropyOp op);
  void lowerPairLoss(mlir::Operation *op, bool squared, bool mean);
  /// The extent of NCHW dim `d` of a tensor (N is the run-time batch).
  Expr extent(const HTensor &t, size_t d) {
    return t.shape[d] >= 0 ? Expr((int)t.shape[d]) : batch;
  }
  void defineScalar(mlir::Value result, Func f, std::vector<Func> helpers) {
    values[result] = {f, {}};
    model.stages.push_back({OpStage::Reduction, f, {}, {}, false,
                            std::move(helpers), RDom()});
  }
  Func flattened(const HTensor &x, const std::string &name);
};

/// The [N, features] view of a tensor: flat index i = ((c*H)+h)*W + w.
Func Lowering::flattened(const HTensor &x, const std::string &name) {
  if (x.rank() == 2)
    return x.f;
  Var i("i"), n("n");
  std::vector<Expr> at;
  Expr rest = i;
  for (size_t d = 0; d + 1 < x.rank(); ++d) {
    int extent = (int)x.shape[x.rank() - 1 - d];
    bool last = d + 2 == x.rank();
    at.push_back(last ? rest : rest % extent);
    rest = rest / extent;
  }
  at.push_back(n);
  Func f(name);
  f(i, n) = x.f(at);
  return f;
}

void Lowering::lowerConv(mlir::net::ConvOp op) {
  const HTensor &x = values[op.getInput()];
  const HTensor &w = values[op.getWeight()];
  size_t spatial = x.rank() - 2;
  std::vector<int64_t> out = shapeOf(op.getResult());
  int64_t groups = op.getGroups();
  int cg = (int)w.shape[1];             // input channels per group
  int og = (int)(w.shape[0] / groups);  // output channels per group
  llvm::ArrayRef<int64_t> stride = op.getStride(), pad = op.getPad(),
                    dil = op.getDilation();

  // Reduction over kernel taps (innermost first) and the group's channels.
  Region dom;
  for (size_t i = 0; i < spatial; ++i)
    dom.push_back(Range(0, (int)w.shape[w.rank() - 1 - i]));
  dom.push_back(Range(0, cg));
  RDom r(dom, fresh("r_conv"));

  std::vector<Var> v = makeVars(x.rank()); // v[spatial] = o, v[spatial+1] = n
  Var o = v[spatial], n = v[spatial + 1];
  std::vector<Expr> inAt, wAt;
  for (size_t i = 0; i < spatial; ++i) {
    size_t d = spatial - 1 - i; // NCHW spatial index of Halide dim i
    inAt.push_back(v[i] * (int)stride[d] + r[i] * (int)dil[d] - (int)pad[d]);
    wAt.push_back(r[i]);
  }
  Expr channel = groups == 1 ? Expr(r[spatial]) : (o / og) * cg + r[spatial];
  inAt.push_back(channel);
  inAt.push_back(n);
  wAt.push_back(r[spatial]);
  wAt.push_back(o);

  Func f(fresh("conv"));
  Expr init = op.getBias() ? values[op.getBias()].f(o) : Expr(0.0f);
  f(asExprs(v)) = init;
  f(asExprs(v)) += w.f(wAt) * padded(x, inAt, std::vector<int64_t>(pad.begin(), pad.end()));
  (void)out;
  define(op.getResult(), f, v, OpStage::Conv, true, {}, r);
}

void Lowering::lowerFc(mlir::net::FcOp op) {
  const HTensor &x = values[op.getInput()];
  const HTensor &w = values[op.getWeight()];
  Func flat = flattened(x, fresh("flatten"));
  RDom r(0, (int)w.shape[1], fresh("r_fc"));
  Var o("x"), n("y");
  Func f(fresh("fc"));
  f(o, n) = op.getBias() ? values[op.getBias()].f(o) : Expr(0.0f);
  f(o, n) += w.f(r, o) * flat(r, n);
  define(op.getResult(), f, {o, n}, OpStage::Fc, true, {}, r);
}

void Lowering::lowerPool(mlir::Operation *op, bool isMax) {
  mlir::Value input = op->getOperand(0);
  const HTensor &x = values[input];
  llvm::ArrayRef<int64_t> kernel, stride, pad;
  if (auto m = dyn_cast<mlir::net::MaxPoolOp>(op)) {
    kernel = m.getKernel(), stride = m.getStride(), pad = m.getPad();
  } else {
    auto a = cast<mlir::net::AvgPoolOp>(op);
    kernel = a.getKernel(), stride = a.getStride(), pad = a.getPad();
  }
  size_t spatial = x.rank() - 2;
  Region dom;
  for (size_t i = 0; i < spatial; ++i)
    dom.push_back(Range(0, (int)kernel[spatial - 1 - i]));
  RDom r(dom, fresh("r_pool"));
  std::vector<Var> v = makeVars(x.rank());
  std::vector<Expr> at = asExprs(v);
  Expr inside = Internal::const_true();
  Expr count = 1;
  for (size_t i = 0; i < spatial; ++i) {
    size_t d = spatial - 1 - i;
    int n = (int)x.shape[x.rank() - 1 - i];
    Expr start = v[i] * (int)stride[d] - (int)pad[d];
    at[i] = start + r[i];
    inside = inside && at[i] >= 0 && at[i] < n;
    // count_include_pad: the window clipped to the padded extent.
    count = count * (min(start + (int)kernel[d], n + (int)pad[d]) - start);
    at[i] = clamp(at[i], 0, n - 1);
  }
  Func f(fresh(isMax ? "maxpool" : "avgpool"));
  Expr value = x.f(at);
  if (isMax) {
    f(asExprs(v)) = Float(32).min();
    f(asExprs(v)) = max(f(asExprs(v)), select(inside, value, Float(32).min()));
    define(op->getResult(0), f, v, OpStage::Pool, true, {}, r);
    return;
  }
  Func sum(fresh("avgpool_sum"));
  sum(asExprs(v)) = 0.0f;
  sum(asExprs(v)) += select(inside, value, 0.0f);
  f(asExprs(v)) = sum(asExprs(v)) / cast<float>(count);
  define(op->getResult(0), f, v, OpStage::Pool, false, {sum});
}

void Lowering::lowerSoftmax(mlir::net::SoftmaxOp op) {
  const HTensor &x = values[op.getInput()];
  int64_t axis = op.getAxis();
  size_t hd = x.rank() - 1 - axis; // Halide dim of the axis
  std::vector<Var> v = makeVars(x.rank());
  RDom r(0, (int)x.shape[axis], fresh("r_softmax"));
  std::vector<Expr> at = asExprs(v);
  at[hd] = r;
  // Reductions are defined over the other dims; the axis coordinate is 0.
  std::vector<Expr> red = asExprs(v);
  red[hd] = 0;
  Func mx(fresh("softmax_max")), sum(fresh("softmax_sum")),
      f(fresh("softmax"));
  mx(asExprs(v)) = Float(32).min();
  mx(asExprs(v)) = max(mx(asExprs(v)), x.f(at));
  Func e(fresh("softmax_exp"));
  e(asExprs(v)) = exp(x.f(asExprs(v)) - mx(red));
  sum(asExprs(v)) = 0.0f;
  sum(asExprs(v)) += e(at);
  f(asExprs(v)) = e(asExprs(v)) / sum(red);
  define(op.getResult(), f, v, OpStage::Reduction, false, {mx, e, sum});
}

void Lowering::lowerConcat(mlir::net::ConcatOp op) {
  std::vector<int64_t> out = shapeOf(op.getResult());
  size_t hd = out.size() - 1 - op.getAxis();
  std::vector<Var> v = makeVars(out.size());
  // A select chain over the axis coordinate, last input outermost.
  struct Part {
    int offset, extent;
    Func f;
  };
  std::vector<Part> parts;
  int offset = 0;
  for (mlir::Value in : op.getInputs()) {
    const HTensor &t = values[in];
    int extent = (int)t.shape[op.getAxis()];
    parts.push_back({offset, extent, t.f});
    offset += extent;
  }
  Expr value;
  for (size_t i = parts.size(); i-- > 0;) {
    std::vector<Expr> at = asExprs(v);
    // Clamped so that bounds inference asks each input for its own extent.
    at[hd] = clamp(v[hd] - parts[i].offset, 0, parts[i].extent - 1);
    Expr e = parts[i].f(at);
    value = value.defined() ? select(v[hd] < parts[i + 1].offset, e, value) : e;
  }
  Func f(fresh("concat"));
  f(asExprs(v)) = value;
  define(op.getResult(), f, v, OpStage::Copy, false);
}

void Lowering::lowerCrossEntropy(mlir::net::CrossEntropyOp op) {
  const HTensor &logits = values[op.getLogits()];
  const HTensor &label = values[op.getLabel()];
  int classes = (int)logits.shape[1];
  Var n("x");
  RDom rc(0, classes, fresh("r_classes"));
  Func mx(fresh("ce_max")), lse(fresh("ce_lse")), item(fresh("ce_item"));
  mx(n) = maximum(logits.f(rc, n));
  lse(n) = log(sum(exp(logits.f(rc, n) - mx(n)))) + mx(n);
  // Labels outside [0, C) are clamped (PyTorch raises instead).
  item(n) = lse(n) - logits.f(clamp(label.f(n), 0, classes - 1), n);
  Expr count = extent(logits, 0);
  RDom rn(0, count, fresh("r_batch"));
  Func total(fresh("cross_entropy"));
  Expr s = sum(item(rn));
  total() = op.getReduction() == "mean" ? s / cast<float>(count) : s;
  defineScalar(op.getResult(), total, {mx, lse, item});
}

void Lowering::lowerPairLoss(mlir::Operation *op, bool squared, bool mean) {
  const HTensor &a = values[op->getOperand(0)];
  const HTensor &b = values[op->getOperand(1)];
  Region dom;
  Expr count = 1;
  for (size_t i = 0; i < a.rank(); ++i) {
    Expr e = extent(a, a.rank() - 1 - i);
    dom.push_back(Range(0, e));
    count = count * e;
  }
  RDom r(dom, fresh("r_loss"));
  std::vector<Expr> at;
  for (int i = 0; i < r.dimensions(); ++i)
    at.push_back(r[i]);
  Expr d = a.f(at) - b.f(at);
  Func total(fresh(squared ? "mse" : "l1"));
  Expr s = sum(squared ? d * d : abs(d));
  total() = mean ? s / cast<float>(count) : s;
  defineScalar(op->getResult(0), total, {});
}

mlir::LogicalResult Lowering::lower(mlir::Operation *op, std::string &error) {
  using namespace mlir::net;
  auto unary = [&](mlir::Value in, mlir::Value out, auto fn,
                   const char *name) {
    const HTensor &x = values[in];
    std::vector<Var> v = makeVars(x.rank());
    Func f(fresh(name));
    f(asExprs(v)) = fn(x.f(asExprs(v)));
    define(out, f, v, OpStage::Elementwise, false);
  };
  auto binary = [&](mlir::Operation *op, auto fn, const char *name) {
    const HTensor &a = values[op->getOperand(0)];
    const HTensor &b = values[op->getOperand(1)];
    std::vector<Var> v = makeVars(a.rank());
    Func f(fresh(name));
    f(asExprs(v)) = fn(a.f(asExprs(v)), b.f(asExprs(v)));
    define(op->getResult(0), f, v, OpStage::Elementwise, false);
  };
  return llvm::TypeSwitch<mlir::Operation *, mlir::LogicalResult>(op)
      .Case<WeightOp>([&](WeightOp w) {
        if (!weights.count(w.getName())) {
          error = "no value for parameter '" + w.getName().str() + "'";
          return mlir::failure();
        }
        values[w.getResult()] = {weight(w), shapeOf(w.getResult())};
        return mlir::success();
      })
      .Case<ConvOp>([&](ConvOp c) {
        lowerConv(c);
        return mlir::success();
      })
      .Case<FcOp>([&](FcOp c) {
        lowerFc(c);
        return mlir::success();
      })
      .Case<MaxPoolOp>([&](MaxPoolOp p) {
        lowerPool(p, true);
        return mlir::success();
      })
      .Case<AvgPoolOp>([&](AvgPoolOp p) {
        lowerPool(p, false);
        return mlir::success();
      })
      .Case<BatchNormOp>([&](BatchNormOp bn) {
        // Eval-mode batchnorm is a per-channel affine map, folded here.
        const HTensor &x = values[bn.getInput()];
        auto get = [&](mlir::Value v) -> const std::vector<float> & {
          return weights.find(
                            cast<WeightOp>(v.getDefiningOp()).getName())
              ->second;
        };
        const std::vector<float> &g = get(bn.getWeight()), &b = get(bn.getBias()),
                                 &m = get(bn.getMean()), &var = get(bn.getVar());
        int c = (int)g.size();
        Buffer<float> scale(c, fresh("bn_scale")), shift(c, fresh("bn_shift"));
        float eps = bn.getEps().convertToFloat();
        for (int i = 0; i < c; ++i) {
          scale(i) = g[i] / std::sqrt(var[i] + eps);
          shift(i) = b[i] - m[i] * scale(i);
        }
        std::vector<Var> v = makeVars(x.rank());
        Var ch = v[x.rank() - 2];
        Func f(fresh("batchnorm"));
        f(asExprs(v)) = x.f(asExprs(v)) * scale(ch) + shift(ch);
        define(bn.getResult(), f, v, OpStage::Elementwise, false);
        return mlir::success();
      })
      .Case<ReluOp>([&](ReluOp r) {
        unary(r.getInput(), r.getResult(), [](Expr e) { return max(e, 0.0f); },
              "relu");
        return mlir::success();
      })
      .Case<SigmoidOp>([&](SigmoidOp s) {
        unary(s.getInput(), s.getResult(),
              [](Expr e) { return 1.0f / (1.0f + exp(-e)); }, "sigmoid");
        return mlir::success();
      })
      .Case<TanhOp>([&](TanhOp t) {
        unary(t.getInput(), t.getResult(), [](Expr e) { return tanh(e); },
              "tanh");
        return mlir::success();
      })
      .Case<AffineOp>([&](AffineOp a) {
        float scale = a.getScale().convertToFloat();
        float shift = a.getShift().convertToFloat();
        unary(a.getInput(), a.getResult(),
              [&](Expr e) { return e * scale + shift; }, "affine");
        return mlir::success();
      })
      .Case<AddOp>([&](AddOp o) {
        binary(o, [](Expr a, Expr b) { return a + b; }, "add");
        return mlir::success();
      })
      .Case<SubOp>([&](SubOp o) {
        binary(o, [](Expr a, Expr b) { return a - b; }, "sub");
        return mlir::success();
      })
      .Case<MulOp>([&](MulOp o) {
        binary(o, [](Expr a, Expr b) { return a * b; }, "mul");
        return mlir::success();
      })
      .Case<DivOp>([&](DivOp o) {
        binary(o, [](Expr a, Expr b) { return a / b; }, "div");
        return mlir::success();
      })
      .Case<SoftmaxOp>([&](SoftmaxOp s) {
        if (s.getAxis() == 0) {
          error = "softmax over the batch axis is not supported";
          return mlir::failure();
        }
        lowerSoftmax(s);
        return mlir::success();
      })
      .Case<ConcatOp>([&](ConcatOp c) {
        if (c.getAxis() == 0) {
          error = "concat along the batch axis is not supported";
          return mlir::failure();
        }
        lowerConcat(c);
        return mlir::success();
      })
      .Case<FlattenOp>([&](FlattenOp f) {
        const HTensor &x = values[f.getInput()];
        Func flat = flattened(x, fresh("flatten"));
        Var i("x"), n("y");
        Func g(fresh("flatten"));
        g(i, n) = flat(i, n);
        define(f.getResult(), g, {i, n}, OpStage::Copy, false);
        return mlir::success();
      })
      .Case<CrossEntropyOp>([&](CrossEntropyOp c) {
        lowerCrossEntropy(c);
        return mlir::success();
      })
      .Case<MseOp>([&](MseOp m) {
        lowerPairLoss(m, true, m.getReduction() == "mean");
        return mlir::success();
      })
      .Case<L1Op>([&](L1Op m) {
        lowerPairLoss(m, false, m.getReduction() == "mean");
        return mlir::success();
      })
      .Case<mlir::func::ReturnOp>([&](auto) { return mlir::success(); })
      .Default([&](mlir::Operation *other) {
        error = "no Halide lowering for '" +
                other->getName().getStringRef().str() + "'";
        return mlir::failure();
      });
}

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

  for (mlir::Operation &op : fn.getBody().front())
    if (failed(lower(&op, error)))
      return std::nullopt;

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
