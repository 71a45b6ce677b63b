//===- X86Target.cpp - The x86 CPU cost model (#net.x86) ------------------===//
//
// What net-layout and net-tile ask the target, answered for an x86 core
// with `vector_width` float lanes, `registers` vector registers and `l2`
// bytes of L2 cache.
//
// A direct convolution keeps an (oc x ow) block of outputs in registers:
// oc output channels (oc / vec vectors) times ow output columns. Per input
// channel and tap it loads oc/vec weight vectors and broadcasts ow inputs,
// then issues (oc/vec)*ow FMAs, so larger blocks mean fewer loads per FMA,
// until the block no longer fits the register file.
//
//===----------------------------------------------------------------------===//
#include "net/IR/NetAttrs.h"
#include "net/IR/NetOps.h"

#include <climits>
#include <cmath>

using namespace mlir;
using namespace mlir::net;

namespace {

struct RegisterBlock {
  int64_t vec, oc, ow;
};

/// Fraction of `blocks` of size `block` covering `n` that is real work.
double useful(int64_t n, int64_t block) {
  int64_t blocks = (n + block - 1) / block;
  return double(n) / double(blocks * block);
}

/// The best (oc, ow) register block for `channels` output channels and
/// `width` output columns: the most FMAs per block, discounted by the
/// padding a block size wastes at the edges (tails are computed guarded).
/// k weight vectors and `broadcasts` registers for the broadcast input
/// stay live beside the k*ow sums.
RegisterBlock chooseBlock(int64_t channels, int64_t width, int64_t vec,
                          int64_t registers, int64_t broadcasts = 1) {
  RegisterBlock best{vec, vec, 1};
  double bestScore = -1;
  for (int64_t k = 1; k <= 4; ++k) {
    if (k > 1 && k * vec > channels)
      break;
    int64_t maxOw =
        std::min<int64_t>({(registers - k - broadcasts) / k, 8, width});
    for (int64_t ow = 1; ow <= maxOw; ++ow) {
      double score = double(k * ow) * useful(width, ow) *
                     useful(channels, k * vec);
      if (score > bestScore + 1e-9) {
        bestScore = score;
        best = {vec, k * vec, ow};
      }
    }
  }
  return best;
}

/// Bytes fetched from beyond L2 when `bytes` are read `times` times: once
/// if they fit in L2, every time otherwise.
double traffic(double bytes, double times, double l2) {
  return bytes <= l2 ? bytes : bytes * times;
}

/// "n,y,oc,ow" (input rows stay in cache, weights stream per row) or
/// "oc,n,y,ow" (a channel block's weights stay, the input streams per
/// block), whichever moves fewer bytes for one image.
TileOrder chooseOrder(RankedTensorType in, RankedTensorType out,
                      RankedTensorType weight, int64_t oc, int64_t l2) {
  double inBytes = 4.0 * in.getDimSize(1) * in.getDimSize(2) * in.getDimSize(3);
  double wBytes = 4.0 * weight.getNumElements();
  double rows = out.getDimSize(2);
  double blocks = (out.getDimSize(1) + oc - 1) / oc;
  double rowsOuter = inBytes + traffic(wBytes, rows, l2);
  double blocksOuter = traffic(inBytes, blocks, l2) + wBytes;
  return blocksOuter < rowsOuter ? TileOrder::blocks_outer
                                 : TileOrder::rows_outer;
}

/// The Winograd output tile m for a convolution (0: direct). Winograd
/// needs a dense stride-1 3x3 kernel; it pays with enough channels for its
/// GEMMs (measured here 2-3x faster than the direct kernel from 64
/// channels up), and the GEMMs have no channel tails. F(4x4, 3x3) on
/// maps of 14 and up; F(2x2, 3x3) from 8 to 13, where 4x4 tiles waste too
/// much at the edges. On 7x7 maps (ResNet's last stage, GoogLeNet's
/// inception 5) the direct kernel wins: F(2x2)'s 16 tiles leave its
/// transforms and GEMMs too little work per stage (resnet18 batch 1: 8%
/// faster without it, resnet50 3%).
int64_t winogradTile(Operation *op, RankedTensorType out, int64_t vec) {
  auto weight = cast<RankedTensorType>(op->getOperand(1).getType());
  auto attr = [&](StringRef name) {
    return op->getAttrOfType<DenseI64ArrayAttr>(name).asArrayRef();
  };
  auto ones = [](ArrayRef<int64_t> a) {
    return llvm::all_of(a, [](int64_t v) { return v == 1; });
  };
  if (weight.getRank() != 4)
    return 0;
  int64_t k = weight.getDimSize(0), c = weight.getDimSize(1);
  if (weight.getDimSize(2) != 3 || weight.getDimSize(3) != 3 ||
      !ones(attr("stride")) || !ones(attr("dilation")) ||
      op->getAttrOfType<IntegerAttr>("groups").getInt() != 1 || k < 64 ||
      c < 64 || k % vec || c % vec)
    return 0;
  int64_t side = std::min(out.getDimSize(2), out.getDimSize(3));
  if (side < 8)
    return 0;
  return side >= 14 ? 4 : 2;
}

} // namespace

int64_t X86TargetAttr::getFloatLanes() const { return getVectorWidth(); }

int64_t X86TargetAttr::getCacheBytes() const { return getL2(); }

bool X86TargetAttr::storesChannelsInnermost(Operation *op) const {
  if (op->getNumResults() != 1)
    return false;
  auto type = llvm::dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!type || type.getRank() != 4 || type.getDimSize(1) < getVectorWidth())
    return false;
  if (llvm::isa<MaxPoolOp, AvgPoolOp, BatchNormOp, ReluOp, Relu6Op, LeakyReluOp,
          QdqOp, AddOp, ConcatOp>(op))
    return true;
  // Of the convolutions, the dense and depthwise ones have channels-
  // innermost schedules; other grouped ones read channels by group.
  if (llvm::isa<ConvOp, FusedConvOp>(op)) {
    int64_t g = op->getAttrOfType<IntegerAttr>("groups").getInt();
    return g == 1 || g == type.getDimSize(1);
  }
  return false;
}

Attribute X86TargetAttr::chooseConvTile(Operation *op,
                                       bool fastAlgorithms) const {
  if (!llvm::isa<ConvOp, FusedConvOp>(op))
    return {};
  auto out = llvm::cast<RankedTensorType>(op->getResult(0).getType());
  auto in = llvm::cast<RankedTensorType>(op->getOperand(0).getType());
  auto weight = llvm::cast<RankedTensorType>(op->getOperand(1).getType());
  int64_t vec = getVectorWidth(), l2 = getL2();
  // An int8 layer reading u8 codes (net-quantize's qdq): the direct kernel
  // on int8 dot products, the same register block as f32 (one int32 sum
  // per lane). With VNNI one vpdpbusd does 4x an f32 FMA's multiplies and
  // beats Winograd; without, vpmaddwd + vpaddd do what two FMAs do, so a
  // layer f32 would run with Winograd keeps it (f32 sums of the dequantized
  // u8 codes and int8 weights: the same values up to f32 rounding).
  bool winogradFirst = !getVnni() && fastAlgorithms && winogradTile(op, out, vec);
  if (op->hasAttr(kInt8Attr) && quantizedSource(op->getOperand(0)) &&
      op->getAttrOfType<IntegerAttr>("groups").getInt() == 1 &&
      weight.getRank() == 4 && !winogradFirst) {
    // vpmaddwd writes a product that vpaddd then adds: one register more
    // than an FMA or vpdpbusd, which accumulate in place (with AVX2's 16,
    // 24 channels x 4 columns spilled a sum every iteration: 0.96 ms for a
    // 256-channel 1x1 layer on 28x28, f32 0.55).
    int64_t regs = getVnni() ? getRegisters() : getRegisters() - 1;
    RegisterBlock t = chooseBlock(out.getDimSize(1), out.getDimSize(3), vec,
                                  regs);
    return TileAttr::get(getContext(),
                         getVnni() ? ConvAlgo::vnni : ConvAlgo::pmaddwd, t.vec,
                         t.oc, t.ow, chooseOrder(in, out, weight, t.oc, l2));
  }
  if (int64_t m = fastAlgorithms ? winogradTile(op, out, vec) : 0) {
    // GEMM blocks of oc channels x ow tiles, and where the GEMMs run (see
    // WinogradSchedule.cpp): per block of 16 x 2 tiles, or per image when
    // the transformed filter U is too large to stream once per block (4 x
    // L2 or more) and the image's transformed tiles stay under 16 x L2.
    // Per block, every task streams all of U: ResNet's 14x14 and 7x7
    // layers have 2 tasks per image, so U went through memory twice per
    // image; per image it goes once, split over the cores (resnet18 at
    // batch 1: 18.5 -> 14.7 ms; the threshold of 16 x L2 this replaces
    // caught only 512-channel layers).
    int64_t k = out.getDimSize(1), c = in.getDimSize(1), t = m + 2;
    int64_t tiles = ((out.getDimSize(2) + m - 1) / m) *
                    ((out.getDimSize(3) + m - 1) / m);
    double uBytes = 4.0 * t * t * c * k;
    double vmBytes = 4.0 * t * t * (c + k) * tiles;
    bool perImage = uBytes >= 4.0 * l2 && vmBytes <= 16.0 * l2;
    // At most 4 tiles per GEMM block within blocks of 16 tiles (4 divides
    // them), 6 when a GEMM spans a whole image.
    RegisterBlock g = chooseBlock(k, perImage ? 6 : 4, vec, getRegisters());
    return TileAttr::get(getContext(),
                         m == 4 ? ConvAlgo::winograd4 : ConvAlgo::winograd2,
                         g.vec, g.oc, g.ow,
                         perImage ? TileOrder::per_image
                                  : TileOrder::tile_blocks);
  }
  RegisterBlock t = chooseBlock(out.getDimSize(1), out.getDimSize(3), vec,
                        getRegisters());
  // Loop order, outermost first; inside a block the reduction runs input
  // channels innermost, then the taps.
  return TileAttr::get(getContext(), ConvAlgo::direct, t.vec, t.oc, t.ow,
                       chooseOrder(in, out, weight, t.oc, l2));
}

/// A 1x1 stride-1 convolution as a GEMM on its flattened map (the
/// schedule: ConvSchedule.cpp, scheduleGemmConv): sums of oc channels x ow
/// pixels in registers, weights stored per block of oc channels (one
/// contiguous stream per input channel), tasks of oc channels x `pixels`
/// pixels. Measured on resnet50's seven 1x1 shapes (2-core AVX-512 Zen 4,
/// netc --profile): against a row tile whose weight vectors lay 64 KB
/// apart (the same L1 sets as the 4 KB-apart pixels' inputs) and whose
/// blocks did not divide 256 channels, up to 14% faster (1024 -> 256 on
/// 14x14: 0.530 -> 0.465 ms, the FMA peak being 0.449), within the noise on
/// the 64- and 2048-channel shapes. Tasks reading 100-200 KB of input (on
/// a 1 MB L2) did best, and blocks that divide the pixels (ow = 7 on
/// 56/28/14/7 maps) matter more than the last register.
Attribute X86TargetAttr::chooseGemmTile(Operation *op) const {
  auto tile = op->getAttrOfType<TileAttr>(kTileAttr);
  int64_t vec = getVectorWidth();
  if (!tile || tile.getAlgo() != ConvAlgo::direct ||
      tile.getOrder() == TileOrder::pixels || op->hasAttr(kInt8Attr) ||
      !isNhwc(op) || !flatPointwiseShape(op, vec))
    return {};
  auto in = llvm::cast<RankedTensorType>(op->getOperand(0).getType());
  auto out = llvm::cast<RankedTensorType>(op->getResult(0).getType());
  int64_t C = in.getDimSize(1), O = out.getDimSize(1);
  int64_t P = in.getDimSize(2) * in.getDimSize(3);
  // AVX-512's FMAs may read their broadcast from memory ({1to16}): the
  // block may take every register but the weights' (LLVM spills at most
  // one sum per input channel for 4 x 7); AVX2 needs one for it.
  RegisterBlock best =
      chooseBlock(O, P, vec, getRegisters(), vec >= 16 ? 0 : 1);
  // Fewer vectors a block rather than a last block shifted in, where that
  // divides the channels (160: 5 x 32, not 3 x 64, 20% recomputed): a
  // block of 2 vectors x 7 pixels still keeps the FMAs busy (mobilenet_v2's
  // 960 -> 160 projections on 7x7: 0.090 -> 0.075 ms), and a GEMM whose
  // blocks divide its channels may write over its residual in place.
  // (When it wastes less in all, pixels included, with 8 sums or more.)
  if (O % best.oc)
    for (int64_t k = best.oc / vec - 1; k >= 2; --k)
      if (O % (k * vec) == 0) {
        RegisterBlock d =
            chooseBlock(k * vec, P, vec, getRegisters(), vec >= 16 ? 0 : 1);
        if (k * d.ow >= 8 &&
            useful(P, d.ow) > useful(P, best.ow) * useful(O, best.oc) + 1e-9)
          best = {vec, k * vec, d.ow};
        break;
      }
  // Chunks of at most L2/10 of input each, as few as that allows, of
  // whole blocks (the schedule shifts the map's last block inwards and
  // leaves the last chunk short: every pixel is computed once).
  int64_t ow = best.ow, tiles = (P + ow - 1) / ow;
  double inBytes = 4.0 * double(C) * double(P);
  // And at least 4 tasks per image (channel blocks x chunks), for the
  // cores at batch 1.
  int64_t blocks = (O + best.oc - 1) / best.oc;
  int64_t chunks = std::clamp<int64_t>(
      std::max<int64_t>((int64_t)std::ceil(inBytes / (double(getL2()) / 10.0)),
                        (4 + blocks - 1) / blocks),
      1, tiles);
  int64_t pixels = (tiles + chunks - 1) / chunks * ow;
  return TileAttr::get(getContext(), ConvAlgo::direct, vec, best.oc, ow,
                       TileOrder::pixels, pixels);
}

int64_t mlir::net::flatSparseTile(int64_t pixels, int64_t lanes,
                                  int64_t *computed) {
  int64_t chunks = (pixels + lanes - 1) / lanes, best = 0;
  std::pair<int64_t, bool> bestKey;
  for (int64_t k = 4; k >= 2; --k) {
    if (chunks < k)
      continue;
    int64_t tiles = (chunks + k - 1) / k;
    std::pair<int64_t, bool> key{tiles * k, tiles < 2};
    if (!best || key < bestKey)
      best = k, bestKey = key;
  }
  if (computed)
    *computed = best ? bestKey.first : 0;
  return best;
}

bool mlir::net::flatSparseShape(Operation *op, int64_t lanes,
                                 int64_t *computed) {
  if (!flatPointwiseShape(op, lanes))
    return false;
  auto in = llvm::cast<RankedTensorType>(op->getOperand(0).getType());
  return flatSparseTile(in.getDimSize(2) * in.getDimSize(3), lanes, computed);
}

bool mlir::net::flatPointwiseShape(Operation *op, int64_t lanes) {
  if (!llvm::isa<ConvOp, FusedConvOp>(op))
    return false;
  auto in = llvm::cast<RankedTensorType>(op->getOperand(0).getType());
  auto weight = llvm::cast<RankedTensorType>(op->getOperand(1).getType());
  auto ones = [](ArrayRef<int64_t> a) {
    return llvm::all_of(a, [](int64_t v) { return v == 1; });
  };
  auto zeros = [](ArrayRef<int64_t> a) {
    return llvm::all_of(a, [](int64_t v) { return v == 0; });
  };
  return in.getRank() == 4 && weight.getRank() == 4 &&
         weight.getDimSize(2) == 1 && weight.getDimSize(3) == 1 &&
         op->getAttrOfType<IntegerAttr>("groups").getInt() == 1 &&
         ones(op->getAttrOfType<DenseI64ArrayAttr>("stride").asArrayRef()) &&
         zeros(op->getAttrOfType<DenseI64ArrayAttr>("pad").asArrayRef()) &&
         weight.getDimSize(0) % lanes == 0 &&
         weight.getDimSize(1) % lanes == 0 &&
         op->getOperand(0).getDefiningOp() &&
         !quantizedSource(op->getOperand(0));
}

/// Costs are in the time of one dense vector FMA at the direct kernel's
/// usual efficiency, per image. The sparse convolution (SparseSchedule.cpp)
/// walks tiles of `vec` columns x 4 rows; per output channel it runs that
/// channel's nonzeros, each a broadcast weight, an index and 4 vector
/// FMAs on input rows from L1/L2. The coefficients are a least-squares fit
/// of per-layer times (netc --profile, mobilenet_v1 at S = 0.9 and
/// resnet50 at S = 0.8, every layer sparse, 2-core AVX-512 machine; within
/// 25% on the stride-1 1x1 layers): per pixel vector of a tile, 2.45 per
/// nonzero (loads without reuse), 31 per output channel (its loop, the
/// count, the transposed store of its sums) and 28 per input channel and
/// tap (the transposed input tile). Larger kernels cost 1.2x that, strided
/// ones 2.8x (their input tiles are wider and read with strides). Dense:
/// Winograd's measured speed-up over the direct kernel (F(4x4) about 2.2x,
/// F(2x2) 1.6x), the untiled schedule about half the tiled one's speed.
Attribute X86TargetAttr::chooseWeightFormat(Operation *op, int64_t nnz,
                                           int64_t rowMax) const {
  if (auto fc = llvm::dyn_cast<FcOp>(op)) {
    // Dense: one vector FMA per `vec` weights, but streamed from memory
    // (about 4x the FMA time at batch 1: weights are read once per
    // image block). Sparse (blocks of 16 rows, each row padded to
    // row_max): about 0.7 units per padded entry, one gathered input per
    // lane (resnet50's fc at S = 0.8: 0.17 ms sparse against 0.27 dense),
    // plus each output.
    auto weight = llvm::cast<RankedTensorType>(fc.getWeight().getType());
    int64_t numel = weight.getNumElements();
    int64_t rows = weight.getDimSize(0);
    double dense = 4.0 * double(numel) / double(getVectorWidth());
    double sparse = 0.7 * double(rowMax) * double((rows + 15) / 16 * 16) +
                    2.0 * double(rows);
    return KernelAttr::get(getContext(),
                           sparse < 0.8 * dense ? WeightFormat::sparse
                                                : WeightFormat::dense,
                           nnz, numel, rowMax, (int64_t)dense,
                           (int64_t)sparse);
  }
  if (!llvm::isa<ConvOp, FusedConvOp>(op))
    return {};
  auto out = llvm::cast<RankedTensorType>(op->getResult(0).getType());
  auto weight = llvm::cast<RankedTensorType>(op->getOperand(1).getType());
  if (weight.getRank() != 4 || out.getRank() != 4)
    return {};
  int64_t vec = getVectorWidth();
  int64_t O = weight.getDimSize(0), C = weight.getDimSize(1);
  int64_t taps = weight.getDimSize(2) * weight.getDimSize(3);
  int64_t H = out.getDimSize(2), W = out.getDimSize(3);
  double macs = double(O) * C * taps * H * W;
  double dense = macs / double(vec);
  // int8 kernels: their measured gain over f32 (resnet50 on vpdpbusd about
  // 3x; 1x1 layers on vpmaddwd 1.35x); the sparse kernel is f32.
  if (auto tile = op->getAttrOfType<TileAttr>(kTileAttr))
    dense /= tile.getAlgo() == ConvAlgo::winograd4   ? 2.2
             : tile.getAlgo() == ConvAlgo::winograd2 ? 1.6
             : tile.getAlgo() == ConvAlgo::vnni      ? 3.0
             : tile.getAlgo() == ConvAlgo::pmaddwd   ? 1.35
                                                     : 1.0;
  else
    dense *= 2.0; // the plain (untiled) schedule
  auto strides = op->getAttrOfType<DenseI64ArrayAttr>("stride").asArrayRef();
  int64_t numel = weight.getNumElements();
  // The flat kernel (flatSparseShape: what codegen flattens). Per chunk of `vec`
  // pixels the tiles compute: 2.0 per nonzero (its broadcast, load and
  // FMA) and 21 per output channel (its sums' prologue, store and
  // transpose back), a least-squares fit of mobilenet_v1's 1x1 layers at
  // S = 0.9 (netc --profile, --sparse-kernels=always against never),
  // within 15% but the 32-channel one (about 30% low).
  int64_t chunks = 0;
  if (flatSparseShape(op, vec, &chunks)) {
    double sparse = double(chunks) * (2.0 * double(nnz) + 21.0 * double(O));
    return KernelAttr::get(getContext(),
                           sparse < 0.8 * dense ? WeightFormat::sparse
                                                : WeightFormat::dense,
                           nnz, numel, rowMax, (int64_t)dense, (int64_t)sparse);
  }
  // Pixel vectors the sparse kernel computes: tiles of 4 rows x `vec`.
  double pixelVectors = double((H + 3) / 4 * 4) * double((W + vec - 1) / vec);
  double sparse = pixelVectors * (2.45 * double(nnz) + 31.0 * double(O) +
                                  28.0 * double(C * taps));
  if (taps > 1)
    sparse *= 1.2;
  if (llvm::any_of(strides, [](int64_t s) { return s != 1; }))
    sparse *= 2.8;
  // The fit is within about 25%: sparse only where it wins by more, so no
  // layer should come out slower than dense.
  return KernelAttr::get(getContext(),
                         sparse < 0.8 * dense ? WeightFormat::sparse
                                        : WeightFormat::dense,
                         nnz, numel, rowMax, (int64_t)dense, (int64_t)sparse);
}
