//===- LowerContext.h - Lowering net ops to Halide Funcs (internal) -*- C++ -*-===//
//
// The state shared by the per-family lowerings (lower/*.cpp) while one kernel
// (a fusion group) is lowered: the Halide::Func of every value lowered so
// far, the kernel's weight arguments with how each is prepared, fresh names
// and the stages the schedule will see. A lowering builds the algorithm
// only; weights reach it as buffer arguments, never as constants.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_CODEGEN_LOWER_LOWERCONTEXT_H
#define NETC_CODEGEN_LOWER_LOWERCONTEXT_H

#include "codegen/Lowered.h"
#include "codegen/WeightPrep.h"

#include "mlir/IR/Operation.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"

#include <functional>
#include <map>

namespace mlir::net {
class WeightOp;
} // namespace mlir::net

namespace netc {

/// A value during lowering: its Halide::Func and NCHW shape (-1 = batch).
/// A net.qdq value also has its u8 codes: f = (codes - zeroPoint) * scale,
/// exactly; the int8 kernels read the codes, every other op f.
struct HTensor {
  Halide::Func f;
  std::vector<int64_t> shape;
  Halide::Func codes; // UInt(8), defined for a net.qdq value
  float scale = 0;
  int zeroPoint = 0;
  size_t rank() const { return shape.size(); }
  bool hasCodes() const { return codes.defined(); }
};

/// NCHW shape of a tensor value, -1 for the dynamic batch.
std::vector<int64_t> shapeOf(mlir::Value v);
/// A C-identifier version of a name, for Halide::Func and buffer names.
std::string sanitize(llvm::StringRef name);

class LowerContext {
public:
  explicit LowerContext(int &counter) : counter(counter), batchParam("N") {
    batch = batchParam;
  }

  int &counter; // names unique in the kernel
  LoweredEntry model;
  /// Convolutions keep their sums a stage apart from the epilogue even
  /// when the epilogue is the identity: a GPU target computes the sums per
  /// thread, in registers, inside the epilogue's grid (GpuSchedule.cpp).
  bool sumsApart = false;
  /// A std::map: get() may add a weight while a caller holds a reference.
  struct ValueLess {
    bool operator()(mlir::Value a, mlir::Value b) const {
      return a.getAsOpaquePointer() < b.getAsOpaquePointer();
    }
  };
  std::map<mlir::Value, HTensor, ValueLess> values;
  /// The run-time batch N: every kernel takes it as its first argument.
  Halide::Param<int> batchParam;
  Halide::Expr batch;
  /// The kernel's weight arguments, in argument order, each with how the
  /// executor prepares it from the raw parameters.
  std::vector<std::pair<Halide::ImageParam, PrepSpec>> weightArgs;

  /// The Func of `v`; a net.weight not seen yet becomes a raw weight
  /// argument.
  const HTensor &get(mlir::Value v);

  /// A weight argument prepared by `spec`, as a Func over its Halide dims.
  Halide::Func prepared(const PrepSpec &spec, const std::string &name);

  /// The index in model.stages of the stage computing `f`, or -1.
  int stageOf(const Halide::Func &f) const {
    for (int i = (int)model.stages.size() - 1; i >= 0; --i)
      if (model.stages[i].func.name() == f.name())
        return i;
    return -1;
  }

  std::string fresh(llvm::StringRef base) {
    return sanitize(base) + "_" + std::to_string(counter++);
  }

  static std::vector<Halide::Var> makeVars(size_t rank) {
    std::vector<Halide::Var> v;
    static const char *names[] = {"x", "y", "z", "w", "u", "t", "s", "r"};
    for (size_t i = 0; i < rank; ++i)
      v.push_back(Halide::Var(names[i]));
    return v;
  }
  static std::vector<Halide::Expr> asExprs(const std::vector<Halide::Var> &vars) {
    return std::vector<Halide::Expr>(vars.begin(), vars.end());
  }

  /// The u8 code of f32 `x` on the grid (scale, zeroPoint), as PyTorch's
  /// fake_quantize computes it: x times the reciprocal, rounded half to
  /// even, clamped to [0, 255].
  static Halide::Expr quantize(Halide::Expr x, float scale, int zeroPoint) {
    return Halide::ConciseCasts::u8(Halide::clamp(
        Halide::round(x * (1.0f / scale)) + (float)zeroPoint, 0.0f, 255.0f));
  }
  /// A value held as its u8 `codes`: f = (codes - zeroPoint) * scale, a
  /// Func its readers inline.
  HTensor onCodes(Halide::Func codes, std::vector<int64_t> shape, float scale,
                  int zeroPoint) {
    std::vector<Halide::Var> v = makeVars(shape.size());
    Halide::Func f(fresh("dequantize"));
    f(v) = (Halide::ConciseCasts::f32(codes(v)) - (float)zeroPoint) * scale;
    return {f, std::move(shape), codes, scale, zeroPoint};
  }

  /// Records `f` as the stage that computes `result`.
  void define(mlir::Value result, Halide::Func f, std::vector<Halide::Var> vars,
              OpStage::Kind kind, bool hasUpdate,
              std::vector<Halide::Func> helpers = {}, Halide::RDom rdom = Halide::RDom()) {
    std::vector<int64_t> shape = shapeOf(result);
    values[result] = {f, shape, Halide::Func()};
    model.stages.push_back({kind, f, std::move(vars), shape, hasUpdate,
                            std::move(helpers), rdom});
  }

  /// A parameter as a weight argument, Halide dims reversed; with
  /// `rowBlock` > 0 a matrix [O, I] is prepared in blocks of rowBlock rows,
  /// each block column-major (what the fc schedule streams).
  Halide::Func weight(mlir::net::WeightOp op, int rowBlock = 0);
  /// x(args) with zeros outside [0, extent) on the padded spatial dims.
  static Halide::Expr padded(const HTensor &x, const std::vector<Halide::Expr> &at,
                     const std::vector<int64_t> &pad) {
    Halide::Expr inside = Halide::Internal::const_true();
    std::vector<Halide::Expr> clamped = at;
    size_t spatial = pad.size();
    for (size_t i = 0; i < spatial; ++i) {
      if (pad[spatial - 1 - i] == 0)
        continue;
      int64_t n = x.shape[x.rank() - 1 - i];
      inside = inside && at[i] >= 0 && at[i] < (int)n;
      clamped[i] = Halide::clamp(at[i], 0, (int)n - 1);
    }
    if (Halide::Internal::is_const_one(inside))
      return x.f(at);
    return Halide::select(inside, x.f(clamped), 0.0f);
  }

  /// The extent of NCHW dim `d` of a tensor (N is the run-time batch).
  Halide::Expr extent(const HTensor &t, size_t d) {
    return t.shape[d] >= 0 ? Halide::Expr((int)t.shape[d]) : batch;
  }
  void defineScalar(mlir::Value result, Halide::Func f, std::vector<Halide::Func> helpers) {
    values[result] = {f, {}, Halide::Func()};
    model.stages.push_back({OpStage::Reduction, f, {}, {}, false,
                            std::move(helpers), Halide::RDom()});
  }
  /// The [N, features] view of a tensor.
  Halide::Func flattened(const HTensor &x, const std::string &name);
};

/// The Winograd F(m x m, 3 x 3) value of a stride-1 3x3 convolution of
/// `x` with the [K][C][3][3] weights prepared by `filter` (a Winograd spec
/// whose extents this fills) at `v` (x, y, k, n), bias and epilogue
/// excluded; fills `parts` for the schedule.
Halide::Expr lowerWinograd(LowerContext &cx, const HTensor &x,
                           PrepSpec filter, int K,
                           llvm::ArrayRef<int64_t> pad, int m,
                           const std::vector<Halide::Var> &v,
                           const std::string &layer, OpStage::Winograd &parts);

/// Lowers one op into `cx`; on failure says why in `error`.
using LowerFn = std::function<mlir::LogicalResult(
    LowerContext &cx, mlir::Operation *op, std::string &error)>;
using LowerTable = llvm::StringMap<LowerFn>;

/// Every lowering, by operation name ("net.conv").
const LowerTable &lowerings();
// One registration function per family (lower/*.cpp).
void registerLayerLowerings(LowerTable &t);
void registerConvLowerings(LowerTable &t);
void registerPoolLowerings(LowerTable &t);
void registerElementwiseLowerings(LowerTable &t);
void registerTensorLowerings(LowerTable &t);
void registerLossLowerings(LowerTable &t);
void registerMathLowerings(LowerTable &t);
void registerSpatialLowerings(LowerTable &t);
void registerVisionLowerings(LowerTable &t);
// The gradient ops of net-differentiate (NetGradOps.td).
void registerLayerGradLowerings(LowerTable &t);
void registerTensorGradLowerings(LowerTable &t);
void registerLossGradLowerings(LowerTable &t);
void registerSpatialGradLowerings(LowerTable &t);

/// Registers `fn` for OpTy; `fn` cannot fail.
template <typename OpTy>
void addLowering(LowerTable &t, void (*fn)(LowerContext &, OpTy)) {
  t[OpTy::getOperationName()] = [fn](LowerContext &cx, mlir::Operation *op,
                                     std::string &) {
    fn(cx, llvm::cast<OpTy>(op));
    return mlir::success();
  };
}

/// Registers an elementwise op of one operand: y = fn(x).
template <typename OpTy>
void addUnary(LowerTable &t, Halide::Expr (*fn)(Halide::Expr),
              const char *name) {
  t[OpTy::getOperationName()] = [fn, name](LowerContext &cx,
                                           mlir::Operation *op, std::string &) {
    const HTensor &x = cx.get(op->getOperand(0));
    std::vector<Halide::Var> v = cx.makeVars(x.rank());
    Halide::Func f(cx.fresh(name));
    f(cx.asExprs(v)) = fn(x.f(cx.asExprs(v)));
    cx.define(op->getResult(0), f, v, OpStage::Elementwise, false);
    return mlir::success();
  };
}

} // namespace netc

#endif // NETC_CODEGEN_LOWER_LOWERCONTEXT_H
