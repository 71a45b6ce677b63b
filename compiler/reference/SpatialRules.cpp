//===- SpatialRules.cpp - Reference rules of the spatial ops --------------===//
//
// deconv, lrn and upsample, in double precision and written as directly as
// PyTorch documents them (deconv scatters each input into the output, the
// opposite of the gather the Halide lowering does). dwconv, minpool, the
// global pools and residual are built from core ops by the front end.
//
//===----------------------------------------------------------------------===//
#include "reference/Evaluator.h"

#include "net/IR/NetOps.h"

#include <algorithm>
#include <cmath>

using namespace netc;
using namespace mlir;

namespace {

int64_t offsetOf(const std::vector<int64_t> &idx,
                 const std::vector<int64_t> &strides) {
  int64_t off = 0;
  for (size_t d = 0; d < idx.size(); ++d)
    off += idx[d] * strides[d];
  return off;
}

std::optional<RefTensor> deconv(Evaluator &ev, net::DeconvOp op) {
  const RefTensor &x = ev.get(op.getInput()), &w = ev.get(op.getWeight());
  std::vector<int64_t> yshape = ev.shapeOf(op.getResult(), x.shape[0]);
  size_t sp = x.shape.size() - 2;
  int64_t out = w.shape[1];
  auto xs = stridesOf(x.shape), ws = stridesOf(w.shape), ys = stridesOf(yshape);
  std::vector<double> acc(RefTensor{yshape, {}}.numel(), 0.0);
  if (op.getBias()) {
    const RefTensor &b = ev.get(op.getBias());
    forEachIndex(yshape, [&](const std::vector<int64_t> &o) {
      acc[offsetOf(o, ys)] = b.data[o[1]];
    });
  }
  std::vector<int64_t> kshape(w.shape.begin() + 2, w.shape.end());
  // Every input element adds w[c, o, k] * x to output k*d + j*s - p.
  forEachIndex(x.shape, [&](const std::vector<int64_t> &i) {
    double xv = x.data[offsetOf(i, xs)];
    forEachIndex(kshape, [&](const std::vector<int64_t> &k) {
      int64_t yoff = i[0] * ys[0];
      for (size_t d = 0; d < sp; ++d) {
        int64_t pos = i[2 + d] * op.getStride()[d] - op.getPad()[d] +
                      k[d] * op.getDilation()[d];
        if (pos < 0 || pos >= yshape[2 + d])
          return;
        yoff += pos * ys[2 + d];
      }
      int64_t woff = i[1] * ws[0];
      for (size_t d = 0; d < sp; ++d)
        woff += k[d] * ws[2 + d];
      for (int64_t o = 0; o < out; ++o)
        acc[yoff + o * ys[1]] += (double)w.data[woff + o * ws[1]] * xv;
    });
  });
  return RefTensor{yshape, std::vector<float>(acc.begin(), acc.end())};
}

std::optional<RefTensor> lrn(Evaluator &ev, net::LrnOp op) {
  const RefTensor &x = ev.get(op.getInput());
  int64_t size = op.getSize();
  double alpha = op.getAlpha().convertToDouble(),
         beta = op.getBeta().convertToDouble(), k = op.getK().convertToDouble();
  int64_t channels = x.shape[1];
  int64_t inner = x.numel() / (x.shape[0] * channels);
  RefTensor y = x;
  for (int64_t n = 0; n < x.shape[0]; ++n)
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t i = 0; i < inner; ++i) {
        // PyTorch: zero-pad size/2 channels before, (size-1)/2 after, then
        // average over `size` channels.
        double sum = 0;
        int64_t first = std::max<int64_t>(c - size / 2, 0);
        int64_t last = std::min<int64_t>(c + (size - 1) / 2, channels - 1);
        for (int64_t cc = first; cc <= last; ++cc) {
          double v = x.data[(n * channels + cc) * inner + i];
          sum += v * v;
        }
        int64_t at = (n * channels + c) * inner + i;
        y.data[at] =
            (float)(x.data[at] / std::pow(k + alpha * (sum / size), beta));
      }
  return y;
}

std::optional<RefTensor> upsample(Evaluator &ev, net::UpsampleOp op) {
  const RefTensor &x = ev.get(op.getInput());
  RefTensor y;
  y.shape = ev.shapeOf(op.getResult(), x.shape[0]);
  y.data.resize(y.numel());
  size_t sp = x.shape.size() - 2;
  ArrayRef<int64_t> scale = op.getScale();
  bool nearest = op.getMode() == "nearest";
  auto xs = stridesOf(x.shape);
  int64_t idx = 0;
  forEachIndex(y.shape, [&](const std::vector<int64_t> &o) {
    int64_t base = o[0] * xs[0] + o[1] * xs[1];
    if (nearest) {
      for (size_t d = 0; d < sp; ++d)
        base += (o[2 + d] / scale[d]) * xs[2 + d];
      y.data[idx++] = x.data[base];
      return;
    }
    // align_corners=False: src = (dst + 0.5) / scale - 0.5, clamped at 0.
    std::vector<int64_t> lo(sp), hi(sp);
    std::vector<double> frac(sp);
    for (size_t d = 0; d < sp; ++d) {
      double src =
          std::max((o[2 + d] + 0.5) / (double)scale[d] - 0.5, 0.0);
      lo[d] = std::min((int64_t)std::floor(src), x.shape[2 + d] - 1);
      hi[d] = std::min(lo[d] + 1, x.shape[2 + d] - 1);
      frac[d] = src - lo[d];
    }
    double value = 0;
    for (unsigned corner = 0; corner < (1u << sp); ++corner) {
      double weight = 1;
      int64_t off = base;
      for (size_t d = 0; d < sp; ++d) {
        bool high = corner & (1u << d);
        weight *= high ? frac[d] : 1 - frac[d];
        off += (high ? hi[d] : lo[d]) * xs[2 + d];
      }
      value += weight * x.data[off];
    }
    y.data[idx++] = (float)value;
  });
  return y;
}

} // namespace

void netc::registerSpatialRules(RefTable &t) {
  t[net::DeconvOp::getOperationName()] = [](Evaluator &ev, Operation *op) {
    return deconv(ev, cast<net::DeconvOp>(op));
  };
  t[net::LrnOp::getOperationName()] = [](Evaluator &ev, Operation *op) {
    return lrn(ev, cast<net::LrnOp>(op));
  };
  t[net::UpsampleOp::getOperationName()] = [](Evaluator &ev, Operation *op) {
    return upsample(ev, cast<net::UpsampleOp>(op));
  };
}
