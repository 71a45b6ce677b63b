//===- Reference.cpp - Naive reference evaluator of the net dialect -------===//
#include "reference/Evaluator.h"

#include "net/IR/NetOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace netc;
using namespace mlir;

int64_t RefTensor::numel() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

namespace {

/// The core rules: the ops the dialect started with.
struct Core : Evaluator {
  /// net.conv, and the convolution of net.fused_conv.
  template <typename ConvLike> RefTensor conv(ConvLike op) {
    const RefTensor &x = env[op.getInput()], &w = env[op.getWeight()];
    RefTensor y;
    y.shape = shapeOf(op.getResult(), x.shape[0]);
    y.data.assign(y.numel(), 0.0f);
    size_t sp = x.shape.size() - 2;
    int64_t groups = op.getGroups();
    int64_t cg = w.shape[1], og = w.shape[0] / groups;
    auto xs = stridesOf(x.shape), ws = stridesOf(w.shape), ys = stridesOf(y.shape);
    std::vector<int64_t> kshape(w.shape.begin() + 2, w.shape.end());
    // Read once: the attributes' ArrayRefs are not free in the inner loop.
    std::vector<int64_t> stride(op.getStride()), dilation(op.getDilation()),
        pad(op.getPad());
    if (sp == 2) {
      conv2d(x, w, op.getBias() ? &env[op.getBias()] : nullptr, stride,
             dilation, pad, groups, y);
      return y;
    }
    forEachIndex(y.shape, [&](const std::vector<int64_t> &o) {
      int64_t n = o[0], oc = o[1], g = oc / og;
      double acc = op.getBias() ? env[op.getBias()].data[oc] : 0.0;
      for (int64_t ci = 0; ci < cg; ++ci) {
        forEachIndex(kshape, [&](const std::vector<int64_t> &k) {
          int64_t xoff = n * xs[0] + (g * cg + ci) * xs[1];
          for (size_t d = 0; d < sp; ++d) {
            int64_t pos = o[2 + d] * stride[d] + k[d] * dilation[d] - pad[d];
            if (pos < 0 || pos >= x.shape[2 + d])
              return;
            xoff += pos * xs[2 + d];
          }
          int64_t woff = oc * ws[0] + ci * ws[1];
          for (size_t d = 0; d < sp; ++d)
            woff += k[d] * ws[2 + d];
          acc += (double)w.data[woff] * x.data[xoff];
        });
      }
      int64_t yoff = 0;
      for (size_t d = 0; d < o.size(); ++d)
        yoff += o[d] * ys[d];
      y.data[yoff] = (float)acc;
    });
    return y;
  }

  /// The 2-D case of conv() with the same sums in the same order (per
  /// output: input channels, then the taps row by row, skipping those in
  /// the padding; in double), one output plane at a time so the inner loop
  /// runs along a row: calibrating a ResNet-50 on the reference evaluator
  /// took 30 s per image through the generic loop nest.
  static void conv2d(const RefTensor &x, const RefTensor &w,
                     const RefTensor *bias, const std::vector<int64_t> &stride,
                     const std::vector<int64_t> &dil,
                     const std::vector<int64_t> &pad, int64_t groups,
                     RefTensor &y) {
    int64_t N = y.shape[0], O = y.shape[1], OH = y.shape[2], OW = y.shape[3];
    int64_t C = x.shape[1], H = x.shape[2], W = x.shape[3];
    int64_t cg = w.shape[1], KH = w.shape[2], KW = w.shape[3];
    int64_t og = O / groups;
    std::vector<double> acc(OH * OW);
    for (int64_t n = 0; n < N; ++n)
      for (int64_t oc = 0; oc < O; ++oc) {
        std::fill(acc.begin(), acc.end(), bias ? bias->data[oc] : 0.0);
        int64_t g = oc / og;
        for (int64_t ci = 0; ci < cg; ++ci) {
          const float *plane = &x.data[(n * C + g * cg + ci) * H * W];
          for (int64_t ky = 0; ky < KH; ++ky)
            for (int64_t kx = 0; kx < KW; ++kx) {
              double wv = w.data[((oc * cg + ci) * KH + ky) * KW + kx];
              int64_t dx = kx * dil[1] - pad[1];
              // Columns whose input ox * stride + dx lies in [0, W).
              int64_t lo = dx >= 0 ? 0 : (-dx + stride[1] - 1) / stride[1];
              int64_t hi = W - dx <= 0 ? 0 : (W - dx + stride[1] - 1) / stride[1];
              hi = std::min(hi, OW);
              for (int64_t oy = 0; oy < OH; ++oy) {
                int64_t iy = oy * stride[0] + ky * dil[0] - pad[0];
                if (iy < 0 || iy >= H)
                  continue;
                const float *row = plane + iy * W;
                double *a = &acc[oy * OW];
                for (int64_t ox = lo; ox < hi; ++ox)
                  a[ox] += wv * row[ox * stride[1] + dx];
              }
            }
        }
        float *out = &y.data[(n * O + oc) * OH * OW];
        for (int64_t i = 0; i < OH * OW; ++i)
          out[i] = (float)acc[i];
      }
  }

  /// The epilogue step by step, unfolded: conv, batchnorm, residual, act.
  RefTensor fusedConv(net::FusedConvOp op) {
    RefTensor y = conv(op);
    int64_t c = y.shape[1], inner = y.numel() / (y.shape[0] * c);
    const std::vector<float> *residual =
        op.getResidual() ? &env[op.getResidual()].data : nullptr;
    double eps = op.getBnEps() ? op.getBnEps()->convertToDouble() : 0.0;
    double slope = op.getSlope() ? op.getSlope()->convertToDouble() : 0.0;
    mlir::net::Activation act = op.getAct();
    for (int64_t i = 0; i < y.numel(); ++i) {
      int64_t ch = (i / inner) % c;
      double v = y.data[i];
      if (op.hasBatchNorm())
        v = (v - env[op.getBnMean()].data[ch]) /
                std::sqrt((double)env[op.getBnVar()].data[ch] + eps) *
                env[op.getBnWeight()].data[ch] +
            env[op.getBnBias()].data[ch];
      if (residual)
        v += (*residual)[i];
      if (act == mlir::net::Activation::relu)
        v = std::max(v, 0.0);
      else if (act == mlir::net::Activation::relu6)
        v = std::min(std::max(v, 0.0), 6.0);
      else if (act == mlir::net::Activation::leaky_relu && v < 0)
        v *= slope;
      y.data[i] = (float)v;
    }
    return y;
  }

  RefTensor fc(net::FcOp op) {
    const RefTensor &x = env[op.getInput()], &w = env[op.getWeight()];
    int64_t n = x.shape[0], in = w.shape[1], out = w.shape[0];
    RefTensor y{{n, out}, std::vector<float>(n * out)};
    for (int64_t b = 0; b < n; ++b)
      for (int64_t o = 0; o < out; ++o) {
        double acc = op.getBias() ? env[op.getBias()].data[o] : 0.0;
        for (int64_t i = 0; i < in; ++i)
          acc += (double)w.data[o * in + i] * x.data[b * in + i];
        y.data[b * out + o] = (float)acc;
      }
    return y;
  }

  RefTensor pool(Operation *op, ArrayRef<int64_t> kernel,
                 ArrayRef<int64_t> stride, ArrayRef<int64_t> pad, bool isMax) {
    const RefTensor &x = env[op->getOperand(0)];
    RefTensor y;
    y.shape = shapeOf(op->getResult(0), x.shape[0]);
    y.data.resize(y.numel());
    size_t sp = x.shape.size() - 2;
    auto xs = stridesOf(x.shape);
    std::vector<int64_t> ks(kernel.begin(), kernel.end());
    int64_t idx = 0;
    forEachIndex(y.shape, [&](const std::vector<int64_t> &o) {
      double best = -std::numeric_limits<double>::infinity(), sum = 0;
      // count_include_pad: the window clipped to the padded input.
      int64_t count = 1;
      for (size_t d = 0; d < sp; ++d) {
        int64_t start = o[2 + d] * stride[d] - pad[d];
        int64_t end = std::min(start + kernel[d], x.shape[2 + d] + pad[d]);
        count *= end - start;
      }
      forEachIndex(ks, [&](const std::vector<int64_t> &k) {
        int64_t off = o[0] * xs[0] + o[1] * xs[1];
        for (size_t d = 0; d < sp; ++d) {
          int64_t pos = o[2 + d] * stride[d] - pad[d] + k[d];
          if (pos < 0 || pos >= x.shape[2 + d])
            return;
          off += pos * xs[2 + d];
        }
        best = std::max(best, (double)x.data[off]);
        sum += x.data[off];
      });
      y.data[idx++] = isMax ? (float)best : (float)(sum / count);
    });
    return y;
  }

  RefTensor softmax(net::SoftmaxOp op) {
    const RefTensor &x = env[op.getInput()];
    RefTensor y = x;
    int64_t axis = op.getAxis();
    int64_t inner = stridesOf(x.shape)[axis], len = x.shape[axis];
    int64_t outer = x.numel() / (inner * len);
    for (int64_t a = 0; a < outer; ++a)
      for (int64_t b = 0; b < inner; ++b) {
        auto at = [&](int64_t i) { return (a * len + i) * inner + b; };
        double m = -std::numeric_limits<double>::infinity(), s = 0;
        for (int64_t i = 0; i < len; ++i)
          m = std::max(m, (double)x.data[at(i)]);
        for (int64_t i = 0; i < len; ++i)
          s += std::exp(x.data[at(i)] - m);
        for (int64_t i = 0; i < len; ++i)
          y.data[at(i)] = (float)(std::exp(x.data[at(i)] - m) / s);
      }
    return y;
  }

  RefTensor concat(net::ConcatOp op) {
    RefTensor y;
    const RefTensor &first = env[op.getInputs()[0]];
    y.shape = shapeOf(op.getResult(), first.shape[0]);
    int64_t axis = op.getAxis();
    int64_t outer = 1;
    for (int64_t d = 0; d < axis; ++d)
      outer *= y.shape[d];
    for (int64_t a = 0; a < outer; ++a)
      for (Value in : op.getInputs()) {
        const RefTensor &t = env[in];
        int64_t chunk = t.numel() / outer;
        y.data.insert(y.data.end(), t.data.begin() + a * chunk,
                      t.data.begin() + (a + 1) * chunk);
      }
    return y;
  }

  template <typename Fn> RefTensor map(Value in, Fn fn) {
    RefTensor y = env[in];
    for (float &v : y.data)
      v = fn(v);
    return y;
  }
  template <typename Fn> RefTensor zip(Value a, Value b, Fn fn) {
    RefTensor y = env[a];
    const RefTensor &t = env[b];
    for (size_t i = 0; i < y.data.size(); ++i)
      y.data[i] = fn(y.data[i], t.data[i]);
    return y;
  }

  RefTensor pairLoss(Value av, Value bv, bool squared, StringRef reduction) {
    const RefTensor &a = env[av], &b = env[bv];
    double total = 0;
    for (size_t i = 0; i < a.data.size(); ++i) {
      double d = (double)a.data[i] - b.data[i];
      total += squared ? d * d : std::abs(d);
    }
    if (reduction == "mean")
      total /= a.data.size();
    return RefTensor{{}, {(float)total}};
  }

};

} // namespace

std::optional<RefTensor> Evaluator::evalCore(Operation *op) {
  using namespace net;
  Core &self = static_cast<Core &>(*this);
  return
        llvm::TypeSwitch<Operation *, std::optional<RefTensor>>(op)
            .Case<WeightOp>([&](WeightOp w) -> std::optional<RefTensor> {
              std::optional<std::vector<float>> values = w.getValues();
              if (!values) {
                error = "no value for parameter '" + w.getName().str() + "'";
                return std::nullopt;
              }
              auto s = shapeOf(w.getResult(), 0);
              return RefTensor{s, std::move(*values)};
            })
            .Case<ConvOp>([&](ConvOp c) { return self.conv(c); })
            .Case<FusedConvOp>([&](FusedConvOp f) { return self.fusedConv(f); })
            .Case<FcOp>([&](FcOp f) { return self.fc(f); })
            .Case<MaxPoolOp>([&](MaxPoolOp p) {
              return self.pool(p, p.getKernel(), p.getStride(), p.getPad(), true);
            })
            .Case<AvgPoolOp>([&](AvgPoolOp p) {
              return self.pool(p, p.getKernel(), p.getStride(), p.getPad(), false);
            })
            .Case<BatchNormOp>([&](BatchNormOp bn) {
              RefTensor y = env[bn.getInput()];
              const auto &g = env[bn.getWeight()].data, &b = env[bn.getBias()].data,
                         &m = env[bn.getMean()].data, &v = env[bn.getVar()].data;
              double eps = bn.getEps().convertToDouble();
              int64_t c = y.shape[1], inner = y.numel() / (y.shape[0] * c);
              for (int64_t i = 0; i < y.numel(); ++i) {
                int64_t ch = (i / inner) % c;
                y.data[i] = (float)((y.data[i] - m[ch]) /
                                        std::sqrt((double)v[ch] + eps) * g[ch] +
                                    b[ch]);
              }
              return y;
            })
            .Case<ReluOp>([&](ReluOp o) {
              return self.map(o.getInput(), [](float v) { return v > 0 ? v : 0.0f; });
            })
            .Case<SigmoidOp>([&](SigmoidOp o) {
              return self.map(o.getInput(), [](float v) {
                return (float)(1.0 / (1.0 + std::exp(-(double)v)));
              });
            })
            .Case<TanhOp>([&](TanhOp o) {
              return self.map(o.getInput(), [](float v) { return std::tanh(v); });
            })
            .Case<AffineOp>([&](AffineOp o) {
              double s = o.getScale().convertToDouble(),
                     t = o.getShift().convertToDouble();
              return self.map(o.getInput(),
                         [&](float v) { return (float)(s * v + t); });
            })
            .Case<AddOp>([&](AddOp o) {
              return self.zip(o.getLhs(), o.getRhs(), [](float a, float b) { return a + b; });
            })
            .Case<SubOp>([&](SubOp o) {
              return self.zip(o.getLhs(), o.getRhs(), [](float a, float b) { return a - b; });
            })
            .Case<MulOp>([&](MulOp o) {
              return self.zip(o.getLhs(), o.getRhs(), [](float a, float b) { return a * b; });
            })
            .Case<DivOp>([&](DivOp o) {
              return self.zip(o.getLhs(), o.getRhs(), [](float a, float b) { return a / b; });
            })
            .Case<SoftmaxOp>([&](SoftmaxOp s) { return self.softmax(s); })
            .Case<ConcatOp>([&](ConcatOp c) { return self.concat(c); })
            .Case<CrossEntropyOp>([&](CrossEntropyOp ce) {
              const RefTensor &x = env[ce.getLogits()], &l = env[ce.getLabel()];
              int64_t n = x.shape[0], c = x.shape[1];
              double total = 0;
              for (int64_t b = 0; b < n; ++b) {
                double m = -std::numeric_limits<double>::infinity(), s = 0;
                for (int64_t k = 0; k < c; ++k)
                  m = std::max(m, (double)x.data[b * c + k]);
                for (int64_t k = 0; k < c; ++k)
                  s += std::exp(x.data[b * c + k] - m);
                int64_t label = std::clamp<int64_t>((int64_t)l.data[b], 0, c - 1);
                total += std::log(s) + m - x.data[b * c + label];
              }
              if (ce.getReduction() == "mean")
                total /= n;
              return RefTensor{{}, {(float)total}};
            })
            .Case<MseOp>([&](MseOp m) {
              return self.pairLoss(m.getLhs(), m.getRhs(), true, m.getReduction());
            })
            .Case<L1Op>([&](L1Op m) {
              return self.pairLoss(m.getLhs(), m.getRhs(), false, m.getReduction());
            })
            .Case<FlattenOp>([&](FlattenOp f) {
              RefTensor y = env[f.getInput()];
              y.shape = {y.shape[0], y.numel() / y.shape[0]};
              return y;
            })
            .Default([&](Operation *other) -> std::optional<RefTensor> {
              error = "the reference evaluator has no rule for '" +
                      other->getName().getStringRef().str() + "'";
              return std::nullopt;
            });
}

bool Evaluator::eval(Operation *op) {
  auto rule = referenceRules().find(op->getName().getStringRef());
  std::optional<RefTensor> r =
      rule != referenceRules().end() ? rule->second(*this, op) : evalCore(op);
  if (!r)
    return false;
  env[op->getResult(0)] = std::move(*r);
  return true;
}

bool netc::evaluateReference(
    ModuleOp module, llvm::StringRef entry,
    const std::map<std::string, RefTensor> &inputs,
    std::vector<std::pair<std::string, RefTensor>> &outputs,
    std::string &error, const RefObserver &observe) {
  auto forward = module.lookupSymbol<func::FuncOp>(entry);
  if (!forward) {
    error = "the module has no @" + entry.str() + " function";
    return false;
  }
  Evaluator ev;
  for (auto [i, arg] : llvm::enumerate(forward.getArguments())) {
    auto name = forward.getArgAttrOfType<StringAttr>(i, "net.name");
    std::string n = name ? name.str() : "input" + std::to_string(i);
    auto it = inputs.find(n);
    if (it == inputs.end() && arg.use_empty())
      continue;
    if (it == inputs.end()) {
      error = "missing input '" + n + "'";
      return false;
    }
    auto type = cast<RankedTensorType>(arg.getType());
    const RefTensor &t = it->second;
    bool ok = (int64_t)t.shape.size() == type.getRank();
    for (size_t d = 0; ok && d < t.shape.size(); ++d)
      ok = type.isDynamicDim(d) || type.getDimSize(d) == t.shape[d];
    if (!ok) {
      auto dims = [](auto range) {
        std::string s;
        for (int64_t d : range)
          s += (s.empty() ? "" : ", ") +
               (ShapedType::isDynamic(d) ? std::string("N") : std::to_string(d));
        return "[" + s + "]";
      };
      error = "input '" + n + "' has shape " + dims(t.shape) + " but " +
              dims(type.getShape()) + " is expected";
      return false;
    }
    ev.env[arg] = t;
  }
  for (Operation &op : forward.getBody().front()) {
    if (isa<func::ReturnOp>(op))
      break;
    if (observe && op.getNumOperands() > 0) {
      auto it = ev.env.find(op.getOperand(0));
      if (it != ev.env.end())
        observe(&op, it->second);
    }
    if (!ev.eval(&op)) {
      error = ev.error;
      return false;
    }
  }
  auto ret = cast<func::ReturnOp>(forward.getBody().front().back());
  for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
    auto name = forward.getResultAttrOfType<StringAttr>(i, "net.name");
    outputs.push_back({name ? name.str() : "output" + std::to_string(i),
                       ev.env[v]});
  }
  return true;
}
