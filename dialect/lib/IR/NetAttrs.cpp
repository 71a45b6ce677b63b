//===- NetAttrs.cpp - Verifiers of the net dialect's attributes -----------===//
#include "net/IR/NetAttrs.h"
#include "net/IR/NetOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace mlir::net;

#include "net/IR/NetEnums.cpp.inc"
#include "net/IR/NetTargetInterface.cpp.inc"
#define GET_ATTRDEF_CLASSES
#include "net/IR/NetAttrs.cpp.inc"

LogicalResult TileAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                               ConvAlgo algo, int64_t vec, int64_t oc,
                               int64_t ow, TileOrder order, int64_t pixels) {
  if (vec < 1 || oc < vec || oc % vec != 0)
    return emitError() << "tile needs oc (" << oc
                       << ") a positive multiple of vec (" << vec << ")";
  if (ow < 1)
    return emitError() << "tile needs ow >= 1, got " << ow;
  bool winograd = algo == ConvAlgo::winograd2 || algo == ConvAlgo::winograd4;
  bool winogradOrder = order == TileOrder::tile_blocks || order == TileOrder::per_image;
  if (winograd != winogradOrder)
    return emitError() << "tile order " << stringifyTileOrder(order)
                       << " does not go with algo " << stringifyConvAlgo(algo);
  if ((order == TileOrder::pixels) != (pixels > 0))
    return emitError() << "tile pixels (" << pixels << ") go with order "
                       << "pixels, and only with it";
  if (pixels > 0 && (algo != ConvAlgo::direct || pixels % ow != 0))
    return emitError() << "tile order pixels needs algo direct and pixels ("
                       << pixels << ") a multiple of ow (" << ow << ")";
  return success();
}

LogicalResult StripAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                int64_t rows) {
  if (rows < 1)
    return emitError() << "strip needs rows >= 1, got " << rows;
  return success();
}

LogicalResult SparsityAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                   int64_t zeros, int64_t numel) {
  if (numel < 0 || zeros < 0 || zeros > numel)
    return emitError() << "sparsity needs 0 <= zeros <= numel, got " << zeros
                       << " of " << numel;
  return success();
}

SparsityAttr SparsityAttr::count(MLIRContext *ctx, ArrayRef<float> values) {
  int64_t zeros = llvm::count(values, 0.0f); // -0.0f == 0.0f
  return SparsityAttr::get(ctx, zeros, (int64_t)values.size());
}

LogicalResult CodebookAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                   int64_t entries, int64_t nonzeros) {
  if (entries < 0 || entries > 256 || nonzeros < 0 || (nonzeros > 0) != (entries > 0))
    return emitError() << "codebook needs 0 <= entries <= 256, nonzeros >= 0 "
                          "and entries > 0 exactly when nonzeros > 0, got "
                       << entries << " entries for " << nonzeros << " nonzeros";
  return success();
}

LogicalResult RangeAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                FloatAttr min, FloatAttr max) {
  if (!min || !max)
    return emitError() << "range needs min and max";
  double lo = min.getValueAsDouble(), hi = max.getValueAsDouble();
  if (!std::isfinite(lo) || !std::isfinite(hi) || lo > hi)
    return emitError() << "range needs finite min <= max, got " << lo << ", "
                       << hi;
  return success();
}

LogicalResult KernelAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 WeightFormat format, int64_t nnz, int64_t numel,
                                 int64_t rowMax, int64_t denseCost,
                                 int64_t sparseCost) {
  if (numel < 1 || nnz < 0 || nnz > numel)
    return emitError() << "kernel needs 0 <= nnz <= numel, numel >= 1, got "
                       << nnz << " of " << numel;
  if (rowMax < 0 || rowMax > nnz)
    return emitError() << "kernel needs 0 <= row_max <= nnz, got " << rowMax;
  if (denseCost < 0 || sparseCost < 0)
    return emitError() << "kernel costs must be >= 0";
  return success();
}

LogicalResult GroupAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                int64_t id) {
  if (id < 0)
    return emitError() << "group id must be >= 0, got " << id;
  return success();
}

LogicalResult
X86TargetAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                      int64_t vectorWidth, int64_t registers, int64_t l2,
                      bool vnni) {
  if (vectorWidth < 1 || (vectorWidth & (vectorWidth - 1)))
    return emitError() << "x86 vector_width must be a power of two, got "
                       << vectorWidth;
  if (registers < 4)
    return emitError() << "x86 needs at least 4 vector registers, got "
                       << registers;
  if (l2 < 1)
    return emitError() << "x86 l2 must be positive, got " << l2;
  return success();
}

LogicalResult
GpuTargetAttr::verify(function_ref<InFlightDiagnostic()> emitError, GpuApi api,
                      int64_t capability, int64_t sms, int64_t warp,
                      int64_t registers, int64_t shared, int64_t threads) {
  if (api == GpuApi::cuda && (capability < 30 || capability > 86))
    return emitError() << "gpu capability must be a CUDA compute capability "
                          "Halide 14 generates (30 to 86), got "
                       << capability;
  if (warp < 1 || (warp & (warp - 1)))
    return emitError() << "gpu warp must be a power of two, got " << warp;
  if (sms < 1 || registers < 16 || shared < 1024 || threads < warp)
    return emitError() << "gpu sms, registers (>= 16), shared (>= 1024 "
                          "bytes) and threads (>= warp) must be positive";
  return success();
}

TargetAttrInterface mlir::net::targetOf(Operation *op) {
  auto module = op ? (isa<ModuleOp>(op) ? cast<ModuleOp>(op)
                                        : op->getParentOfType<ModuleOp>())
                   : ModuleOp();
  return module ? module->getAttrOfType<TargetAttrInterface>(kTargetAttr)
                : TargetAttrInterface();
}

void NetDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "net/IR/NetAttrs.cpp.inc"
      >();
}

LogicalResult NetDialect::verifyOperationAttribute(Operation *op,
                                                   NamedAttribute attr) {
  StringRef name = attr.getName().getValue();
  auto expect = [&](bool ok, const char *what) -> LogicalResult {
    if (ok)
      return success();
    return op->emitOpError() << "attribute '" << name << "' must be " << what;
  };
  if (name == kLayoutAttr)
    return expect(isa<LayoutAttr>(attr.getValue()) && op->getNumResults() == 1,
                  "a #net.layout on an op with one result");
  if (name == kTileAttr)
    return expect(isa<TileAttr>(attr.getValue()) && isa<ConvLikeOp>(op) &&
                      !isa<DeconvOp>(op),
                  "a #net.tile on a convolution");
  if (name == kFuseProducerAttr)
    return expect(isa<StripAttr>(attr.getValue()) &&
                      isa<MaxPoolOp, AvgPoolOp, ConvOp, FusedConvOp>(op),
                  "a #net.strip on a max or average pool or a convolution");
  if (name == kGroupAttr)
    return expect(isa<GroupAttr>(attr.getValue()) && !isa<WeightOp>(op),
                  "a #net.group on an op other than net.weight");
  if (name == kSparsityAttr)
    return expect(isa<SparsityAttr>(attr.getValue()) && isa<WeightOp>(op),
                  "a #net.sparsity on a net.weight");
  if (name == kCodebookAttr)
    return expect(isa<CodebookAttr>(attr.getValue()) && isa<WeightOp>(op),
                  "a #net.codebook on a net.weight");
  if (name == kInputRangeAttr)
    return expect(isa<RangeAttr>(attr.getValue()) &&
                      (isa<FcOp>(op) || isa<ConvOp, FusedConvOp>(op)),
                  "a #net.range on a conv or fc");
  if (name == kInt8Attr) {
    auto pool = dyn_cast<MaxPoolOp>(op);
    return expect(isa<UnitAttr>(attr.getValue()) &&
                      (isa<FcOp>(op) || isa<ConvOp, FusedConvOp>(op) ||
                       (pool && quantizedSource(pool.getInput()))),
                  "a unit attribute on a conv, an fc, or a max pool of a "
                  "net.qdq value");
  }
  if (name == kWeightScalesAttr)
    return expect(isa<DenseF32ArrayAttr>(attr.getValue()) && isa<WeightOp>(op),
                  "an array<f32> on a net.weight");
  if (name == kKernelAttr)
    return expect(isa<KernelAttr>(attr.getValue()) &&
                      (isa<FcOp>(op) || isa<ConvOp, FusedConvOp>(op)),
                  "a #net.kernel on a conv or fc");
  if (name == kTargetAttr)
    return expect(isa<TargetAttrInterface>(attr.getValue()) && isa<ModuleOp>(op),
                  "a target (such as #net.x86) on a module");
  if (name == kInPlaceAttr)
    return expect(isa<UnitAttr>(attr.getValue()) && isa<ConcatOp>(op),
                  "a unit attribute on a concat");
  return success();
}
