//===- OpEmitter.h - What built-in op generators build with ----*- C++ -*-===//
//
// The front end's evaluator hands each built-in op call to a generator
// registered in a table (frontend/ops/*.cpp, one file per family of ops).
// Generators see the call's bound arguments and an OpEmitter: argument
// conversion with located errors, parameters by state_dict name, and op
// creation through the dialect's type inference.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_FRONTEND_OPEMITTER_H
#define NETC_FRONTEND_OPEMITTER_H

#include "frontend/AST.h"
#include "frontend/MLIRGen.h"
#include "frontend/Source.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringMap.h"

#include <optional>
#include <string>
#include <vector>

namespace netc {

using llvm::SMLoc;
using llvm::StringRef;

/// A value of the language: a tensor, a scalar, a string or a list.
struct Val {
  enum Kind { Poison, Tensor, Number, Bool, String, List, BlockRef } kind =
      Poison;
  mlir::Value tensor;
  double number = 0;
  bool isInt = false;
  bool boolean = false;
  std::string str;
  std::vector<Val> list;

  static Val poison() { return {}; }
  static Val ofTensor(mlir::Value v) {
    Val r;
    r.kind = Tensor;
    r.tensor = v;
    return r;
  }
  static Val ofNumber(double d, bool isInt) {
    Val r;
    r.kind = Number;
    r.number = d;
    r.isInt = isInt;
    return r;
  }
  bool ok() const { return kind != Poison; }
};

std::string describeVal(const Val &v);
/// "f32[N, 3, 8, 8]": how diagnostics spell a tensor's type.
std::string typeStr(mlir::Value v);

/// Bounds that keep hostile input from exhausting memory or time: Halide
/// extents are 32-bit.
constexpr int64_t kMaxExtent = (int64_t(1) << 31) - 1;
constexpr int64_t kMaxParamElements = int64_t(1) << 31;

/// Argument kinds of built-in ops.
enum class AK { Tensor, Tensors, Int, Ints, Float, Bool, Str, Pad, Const };
struct ArgSpec {
  const char *name;
  AK kind;
  bool required;
};

/// A call's arguments by parameter name, with where each was written.
struct Bound {
  llvm::StringMap<std::pair<Val, SMLoc>> named;
  std::vector<mlir::Value> tensors; // the AK::Tensors argument
  /// The tensor argument `name` (bound: the signature made it required).
  mlir::Value tensor(StringRef name) { return named[name].first.tensor; }
  SMLoc where(StringRef name, SMLoc dflt) const {
    auto it = named.find(name);
    return it == named.end() ? dflt : it->second.second;
  }
};

/// One call of a built-in op.
struct OpCall {
  const Expr &call;
  Bound &args;
  std::string prefix;     // parameter prefix (ops with parameters)
  bool autoNamed = false; // the prefix was made up (`conv_0`)
  /// The enclosing block instance's prefix ("" at top level), for ops whose
  /// parameters are named relative to it (residual's downsample).
  std::string scopePrefix;
  SMLoc at() const { return call.loc; }
  StringRef op() const { return call.text; }
};

class OpEmitter;
using OpGenFn = Val (*)(OpEmitter &, OpCall &);

struct OpSig {
  std::vector<ArgSpec> args;
  bool hasParams; // owns learned tensors: takes a name prefix
  OpGenFn gen;
};
using OpTable = llvm::StringMap<OpSig>;

/// Every built-in op, by name.
const OpTable &builtinOps();
// One registration function per family (frontend/ops/).
void registerLayerOps(OpTable &table);
void registerPoolOps(OpTable &table);
void registerElementwiseOps(OpTable &table);
void registerTensorOps(OpTable &table);
void registerLossOps(OpTable &table);
void registerMathOps(OpTable &table);
void registerSpatialOps(OpTable &table);
void registerVisionOps(OpTable &table);

class OpEmitter {
public:
  explicit OpEmitter(const Source &src)
      : src(src), ctx(src.ctx), builder(src.ctx) {}

  const Source &src;
  mlir::MLIRContext *ctx;
  mlir::OpBuilder builder;
  NetProgram prog;

  mlir::Location loc(SMLoc at) const { return src.loc(at); }

  //===--- argument conversion (errors at the argument) -------------------===//
  std::optional<int64_t> getInt(const Bound &b, StringRef op, StringRef name,
                                int64_t dflt);
  std::optional<double> getFloat(const Bound &b, StringRef op, StringRef name,
                                 double dflt);
  std::optional<bool> getBool(const Bound &b, StringRef op, StringRef name,
                              bool dflt);
  std::optional<std::string> getStr(const Bound &b, StringRef op,
                                    StringRef name, StringRef dflt);
  /// An int or a list of ints, expanded to `n` entries.
  std::optional<llvm::SmallVector<int64_t>>
  getInts(const Bound &b, StringRef op, StringRef name, size_t n,
          std::optional<int64_t> dflt);
  /// An axis in [-rank, rank), as PyTorch accepts it; errors at the `axis`
  /// argument, else at the call.
  bool checkAxis(Bound &b, StringRef op, int64_t axis, int64_t rank,
                 SMLoc callLoc);
  /// Requires an f32 tensor of rank in [minRank, maxRank].
  bool checkTensor(mlir::Value v, SMLoc at, StringRef op, size_t minRank,
                   size_t maxRank, StringRef what = "input");

  /// The parameter `name` of the given shape; shared by every call with the
  /// same full name (shapes must agree).
  mlir::Value param(const std::string &name, llvm::ArrayRef<int64_t> shape,
                    ParamInit init, bool autoNamed, SMLoc at,
                    std::vector<float> frozen = {}, bool isFrozen = false);

  /// Creates a layer op through its type inference; errors land at `at`.
  template <typename OpTy, typename... Args>
  Val create(SMLoc at, Args &&...args) {
    mlir::Location l = loc(at);
    mlir::OperationState state(l, OpTy::getOperationName());
    OpTy::build(builder, state, mlir::TypeRange{}, std::forward<Args>(args)...);
    llvm::SmallVector<mlir::Type> types;
    if (failed(OpTy::inferReturnTypes(ctx, l, state.operands,
                                      state.attributes.getDictionary(ctx),
                                      state.getRawProperties(), state.regions,
                                      types))) {
      src.noteError();
      return Val::poison();
    }
    state.addTypes(types);
    return Val::ofTensor(builder.create(state)->getResult(0));
  }

  template <typename OpTy> Val createUnary(SMLoc at, mlir::Value x) {
    return Val::ofTensor(builder.create<OpTy>(loc(at), x.getType(), x));
  }


private:
  llvm::StringMap<size_t> paramIndex; // name -> prog.params
  llvm::StringMap<mlir::Value> paramValues;
};

} // namespace netc

#endif // NETC_FRONTEND_OPEMITTER_H
