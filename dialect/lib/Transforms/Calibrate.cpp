//===- Calibrate.cpp - The input range of every conv and fc layer ---------===//
//
// See NetCalibrate in Passes.td. The model runs once on the calibration
// batch in the reference evaluator (plain loops: slow, but independent of
// the kernels being quantized); each layer's input is observed as the
// evaluator reaches it.
//
//===----------------------------------------------------------------------===//
#include "net/IR/NetAttrs.h"
#include "net/IR/NetOps.h"
#include "net/Transforms/Passes.h"
#include "netrt/Npy.h"
#include "reference/Reference.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/MapVector.h"

#include <algorithm>
#include <cmath>
#include <thread>

namespace mlir::net {
#define GEN_PASS_DEF_NETCALIBRATE
#include "net/Transforms/Passes.h.inc"
} // namespace mlir::net

using namespace mlir;
using namespace mlir::net;

namespace {

/// The layers that run in int8: convolutions (not deconvolutions) and fc
/// whose weight is a parameter; one with a frozen constant (a Sobel
/// filter, written in the source) stays f32.
bool quantizable(Operation *op) {
  Value w;
  if (auto fc = dyn_cast<FcOp>(op))
    w = fc.getWeight();
  else if (isa<ConvOp, FusedConvOp>(op))
    w = cast<ConvLikeOp>(op).getConvWeight();
  auto weight = w ? w.getDefiningOp<WeightOp>() : WeightOp();
  return weight && !weight.getFrozen();
}

/// What is kept of one layer's inputs: the extremes, and every value when
/// the estimator needs the distribution.
struct Observed {
  float lo = INFINITY, hi = -INFINITY;
  std::vector<float> values;
};

/// numpy.percentile(v, q) with its default linear interpolation; reorders v.
float percentile(std::vector<float> &v, double q) {
  double at = q / 100.0 * (double)(v.size() - 1);
  size_t i = (size_t)std::floor(at);
  std::nth_element(v.begin(), v.begin() + i, v.end());
  double a = v[i];
  if (i + 1 >= v.size())
    return (float)a;
  double b = *std::min_element(v.begin() + i + 1, v.end());
  return (float)(a + (b - a) * (at - (double)i));
}

/// TensorRT's entropy calibration: the clipping threshold T of |x| whose
/// quantization to `levels` levels keeps the distribution closest (KL
/// divergence) to the unclipped one, on a 2048-bin histogram of the
/// nonzero values.
float entropyThreshold(const std::vector<float> &v, int levels) {
  constexpr int kBins = 2048;
  float amax = 0;
  for (float x : v)
    amax = std::max(amax, std::fabs(x));
  if (!(amax > 0))
    return 0;
  // Exact zeros (ReLU's spike) are left out: every threshold represents
  // them exactly, and they would drown the shape of the rest.
  std::vector<double> hist(kBins, 0.0);
  for (float x : v)
    if (x != 0.0f)
      hist[std::min(kBins - 1, (int)(std::fabs(x) / amax * kBins))] += 1;
  double bestKl = INFINITY;
  int best = kBins;
  for (int i = levels; i <= kBins; ++i) {
    std::vector<double> p(hist.begin(), hist.begin() + i);
    for (int j = i; j < kBins; ++j)
      p[i - 1] += hist[j]; // the clipped mass lands in the last bin
    // q: the unclipped histogram merged into `levels` groups, each group's
    // mass spread over the bins where p is nonzero (so clipping costs).
    std::vector<double> q(i, 0.0);
    for (int g = 0; g < levels; ++g) {
      int start = (int)((int64_t)g * i / levels),
          end = (int)((int64_t)(g + 1) * i / levels);
      double mass = 0;
      int nonzero = 0;
      for (int j = start; j < end; ++j) {
        mass += hist[j];
        nonzero += p[j] > 0;
      }
      for (int j = start; j < end; ++j)
        if (p[j] > 0)
          q[j] = mass / nonzero;
    }
    double sp = 0, sq = 0;
    for (int j = 0; j < i; ++j) {
      sp += p[j];
      sq += q[j];
    }
    // KL(p || q); a bin q misses entirely costs as if q held 1e-6 of it.
    double kl = 0;
    for (int j = 0; j < i; ++j)
      if (p[j] > 0)
        kl += p[j] / sp *
              std::log((p[j] / sp) / std::max(q[j] / sq, 1e-6 * p[j] / sp));
    if (kl < bestKl) {
      bestKl = kl;
      best = i;
    }
  }
  return amax * (float)best / kBins;
}

struct CalibratePass : public net::impl::NetCalibrateBase<CalibratePass> {
  using NetCalibrateBase::NetCalibrateBase;

  LogicalResult fail(const Twine &msg) {
    getOperation().emitError() << "net-calibrate: " << msg;
    return failure();
  }

  /// The calibration arrays by input name, checked against @forward.
  LogicalResult loadInputs(func::FuncOp forward,
                           std::map<std::string, netc::RefTensor> &inputs) {
    std::vector<std::pair<std::string, RankedTensorType>> f32;
    for (auto [i, arg] : llvm::enumerate(forward.getArguments())) {
      auto type = cast<RankedTensorType>(arg.getType());
      auto name = forward.getArgAttrOfType<StringAttr>(i, "net.name");
      if (!arg.use_empty() && type.getElementType().isF32())
        f32.push_back({name ? name.str() : "input" + std::to_string(i), type});
    }
    for (const std::string &entry : calibration) {
      auto [name, file] = StringRef(entry).split('=');
      if (file.empty()) {
        if (f32.size() != 1)
          return fail("the model has " + Twine(f32.size()) +
                      " f32 inputs: name each calibration file (NAME=FILE.npy)");
        file = name;
        name = f32[0].first;
      }
      auto it = llvm::find_if(f32, [&](auto &p) { return p.first == name; });
      if (it == f32.end())
        return fail("'" + name + "' is not an f32 input of the model");
      netrt::NpyArray a;
      std::string err;
      if (!netrt::readNpy(file.str(), a, err))
        return fail("calibration file: " + err);
      RankedTensorType type = it->second;
      std::string want = "f32[N";
      for (int64_t d : type.getShape().drop_front())
        want += ", " + std::to_string(d);
      want += "]";
      bool ok = a.dtype == NETRT_F32 && (int64_t)a.shape.size() == type.getRank() &&
                !a.shape.empty() && a.shape[0] >= 1;
      for (int64_t d = 1; ok && d < type.getRank(); ++d)
        ok = type.isDynamicDim(d) || a.shape[d] == type.getDimSize(d);
      if (ok && !type.isDynamicDim(0))
        ok = a.shape[0] == type.getDimSize(0);
      if (!ok)
        return fail("calibration file '" + file + "' holds " +
                    netrt::formatType(a.dtype, a.shape) + ", but input '" +
                    name + "' is " + want);
      netc::RefTensor t;
      t.shape = a.shape;
      t.data.assign(a.f32(), a.f32() + a.numel());
      inputs[name.str()] = std::move(t);
    }
    for (auto &[name, type] : f32)
      if (!inputs.count(name))
        return fail("no calibration file for input '" + name + "'");
    return success();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto [kind, arg] = StringRef(method).split(':');
    double p = 0;
    if (!(kind == "minmax" && arg.empty()) && !(kind == "entropy" && arg.empty()) &&
        !(kind == "percentile" && !arg.getAsDouble(p) && p > 0 && p <= 100)) {
      (void)fail("unknown method '" + method +
                 "' (minmax, percentile:P with 0 < P <= 100, or entropy)");
      return signalPassFailure();
    }
    auto forward = module.lookupSymbol<func::FuncOp>("forward");
    if (!forward) {
      (void)fail("the module has no @forward function");
      return signalPassFailure();
    }
    std::map<std::string, netc::RefTensor> inputs;
    if (failed(loadInputs(forward, inputs)))
      return signalPassFailure();

    // The batch in one slice per core, each evaluated on its own thread
    // (the evaluator only reads the IR), the observations merged in order.
    bool keep = kind != "minmax";
    int64_t batch = inputs.begin()->second.shape[0];
    for (auto &[name, t] : inputs)
      if (t.shape[0] != batch) {
        (void)fail("the calibration files hold different batch sizes");
        return signalPassFailure();
      }
    int64_t slices = std::max<int64_t>(
        1, std::min<int64_t>(batch, std::thread::hardware_concurrency()));
    std::vector<llvm::MapVector<Operation *, Observed>> part(slices);
    std::vector<std::string> errors(slices);
    auto runSlice = [&](int64_t k) {
      int64_t from = batch * k / slices, to = batch * (k + 1) / slices;
      std::map<std::string, netc::RefTensor> slice;
      for (auto &[name, t] : inputs) {
        netc::RefTensor s;
        s.shape = t.shape;
        s.shape[0] = to - from;
        int64_t per = t.numel() / batch;
        s.data.assign(t.data.begin() + from * per, t.data.begin() + to * per);
        slice[name] = std::move(s);
      }
      auto observe = [&](Operation *op, const netc::RefTensor &x) {
        if (!quantizable(op))
          return;
        Observed &o = part[k][op];
        for (float v : x.data) {
          o.lo = std::min(o.lo, v);
          o.hi = std::max(o.hi, v);
        }
        if (keep)
          o.values.insert(o.values.end(), x.data.begin(), x.data.end());
      };
      std::vector<std::pair<std::string, netc::RefTensor>> outputs;
      netc::evaluateReference(module, "forward", slice, outputs, errors[k],
                              observe);
    };
    std::vector<std::thread> threads;
    for (int64_t k = 1; k < slices; ++k)
      threads.emplace_back(runSlice, k);
    runSlice(0);
    for (std::thread &t : threads)
      t.join();
    for (const std::string &e : errors)
      if (!e.empty()) {
        (void)fail("running the calibration batch: " + e);
        return signalPassFailure();
      }
    llvm::MapVector<Operation *, Observed> seen = std::move(part[0]);
    for (int64_t k = 1; k < slices; ++k)
      for (auto &[op, o] : part[k]) {
        Observed &all = seen[op];
        all.lo = std::min(all.lo, o.lo);
        all.hi = std::max(all.hi, o.hi);
        all.values.insert(all.values.end(), o.values.begin(), o.values.end());
      }
    for (auto &[op, o] : seen) {
      float lo = o.lo, hi = o.hi;
      if (kind == "percentile") {
        hi = percentile(o.values, p);
        lo = percentile(o.values, 100 - p);
      } else if (kind == "entropy") {
        float t = entropyThreshold(o.values, o.lo < 0 ? 127 : 255);
        hi = std::min(hi, t);
        lo = std::max(lo, -t);
      }
      auto f = [&](float v) {
        return FloatAttr::get(Float32Type::get(&getContext()), v);
      };
      op->setAttr(kInputRangeAttr, RangeAttr::get(&getContext(), f(lo), f(hi)));
    }
  }
};

} // namespace
