//===- MLIRGen.cpp - Semantic analysis and `net` dialect generation -------===//
//
// An evaluator over the AST: statements bind names to tensors (SSA values)
// or scalars, block calls are inlined with their own scope and parameter
// prefix, and every op is created through its type inference, so the
// dialect's shape rules produce the located errors. A failed statement binds
// its name to a poison value that silences follow-on errors.
//
//===----------------------------------------------------------------------===//
#include "frontend/MLIRGen.h"
#include "frontend/OpEmitter.h"

#include "net/IR/NetOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Path.h"

#include <cmath>
#include <functional>
#include <map>

using namespace netc;
using namespace mlir;
using llvm::SMLoc;

namespace {

struct Binding {
  Val val;
  SMLoc loc;
};

struct Scope {
  llvm::StringMap<Binding> names;
  std::string prefix; // parameter prefix of this block instance ("" at top)
  std::map<std::string, int> autoCounters;
};

/// What a statement tells the calls inside it about their names.
struct StmtCtx {
  std::string lhs;
  int paramCalls = 0;
};

constexpr int64_t kMaxRepeat = 4096;
constexpr int64_t kMaxExpansions = 100000;

class Gen : public OpEmitter {
public:
  Gen(const Source &src, const Module &main,
      const std::vector<const Module *> &imports, int64_t fixedBatch)
      : OpEmitter(src), main(main), fixedBatch(fixedBatch) {
    for (const Module *m : imports)
      collectBlocks(*m);
    collectBlocks(main);
  }

  std::optional<NetProgram> run();

private:
  const Module &main;
  int64_t fixedBatch;
  llvm::StringMap<const Stmt *> blocks;
  std::vector<const Stmt *> callStack; // blocks being expanded
  int64_t expansions = 0;
  llvm::StringMap<mlir::Value> inputArgs;

  void collectBlocks(const Module &m) {
    for (const StmtPtr &s : m.stmts) {
      if (s->kind != Stmt::Block)
        continue;
      if (builtinOps().count(s->name) || s->name == "repeat") {
        src.error(s->nameLoc) << "block '" << s->name
                              << "' has the name of a built-in op";
        continue;
      }
      auto [it, inserted] = blocks.try_emplace(s->name, s.get());
      if (!inserted) {
        auto [line, col] = src.mgr.getLineAndColumn(it->second->nameLoc);
        src.error(s->nameLoc) << "block '" << s->name
                              << "' is already defined at line " << line
                              << ":" << col;
      }
    }
  }

  //===--- names ----------------------------------------------------------===//

  void bind(Scope &scope, const std::string &name, SMLoc at, Val v) {
    auto [it, inserted] = scope.names.try_emplace(name, Binding{v, at});
    if (!inserted) {
      auto [line, col] = src.mgr.getLineAndColumn(it->second.loc);
      src.error(at) << "'" << name << "' is already bound (at line " << line
                    << ":" << col << "); a name is bound once per scope";
    }
  }

  /// Counts the calls in an expression that take a parameter prefix.
  int countParamCalls(const Expr &e) {
    int n = 0;
    if (e.kind == Expr::Call) {
      auto it = builtinOps().find(e.text);
      if ((it != builtinOps().end() && it->second.hasParams) ||
          blocks.count(e.text) || e.text == "repeat")
        ++n;
    }
    for (const Arg &a : e.args)
      n += countParamCalls(*a.value);
    for (const ExprPtr &i : e.items)
      n += countParamCalls(*i);
    return n;
  }

  /// The prefix of a call's parameters (netlang.md section 5).
  std::string prefixFor(const Expr &call, Scope &scope, const StmtCtx &sc,
                        bool &autoNamed) {
    std::string local;
    autoNamed = false;
    if (call.asName)
      local = *call.asName;
    else if (sc.paramCalls == 1 && !sc.lhs.empty())
      local = sc.lhs;
    else {
      local = call.text + "_" + std::to_string(scope.autoCounters[call.text]++);
      autoNamed = true;
    }
    return scope.prefix.empty() ? local : scope.prefix + "." + local;
  }

  //===--- statements -----------------------------------------------------===//

  void genStmt(const Stmt &s, Scope &scope);
  Val evalExpr(const Expr &e, Scope &scope, const StmtCtx &sc);
  Val evalCall(const Expr &e, Scope &scope, const StmtCtx &sc);
  Val evalBinary(const Expr &e, Scope &scope, const StmtCtx &sc);
  Val callBlock(const Expr &call, const Stmt &block,
                std::vector<std::pair<const Arg *, Val>> &args,
                const std::string &prefix);
  Val callBuiltin(const Expr &call, const OpSig &sig,
                  std::vector<std::pair<const Arg *, Val>> &args,
                  Scope &scope, const StmtCtx &sc);

  //===--- argument conversion -------------------------------------------===//

  bool bindArgs(const Expr &call, const OpSig &sig,
                std::vector<std::pair<const Arg *, Val>> &args, Bound &out);
};

} // namespace

//===----------------------------------------------------------------------===//
// Calls
//===----------------------------------------------------------------------===//

bool Gen::bindArgs(const Expr &call, const OpSig &sig,
                   std::vector<std::pair<const Arg *, Val>> &args, Bound &out) {
  size_t next = 0; // next positional parameter
  bool ok = true;
  for (auto &[arg, val] : args) {
    const ArgSpec *spec = nullptr;
    if (arg->name.empty()) {
      if (next < sig.args.size() && sig.args[next].kind == AK::Tensors) {
        if (val.kind != Val::Tensor) {
          src.error(arg->loc) << call.text << " takes tensors positionally, "
                              << "got " << describeVal(val);
          ok = false;
          continue;
        }
        out.tensors.push_back(val.tensor);
        continue;
      }
      if (next >= sig.args.size()) {
        src.error(arg->loc) << call.text << " takes at most "
                            << sig.args.size() << " arguments";
        ok = false;
        continue;
      }
      spec = &sig.args[next++];
    } else {
      for (const ArgSpec &s : sig.args)
        if (arg->name == s.name && s.kind != AK::Tensors)
          spec = &s;
      if (!spec) {
        auto d = src.error(arg->loc);
        d << "unknown argument '" << arg->name << "' of " << call.text
          << " (it takes:";
        for (const ArgSpec &s : sig.args)
          d << " " << s.name;
        d << ")";
        ok = false;
        continue;
      }
      if (next < sig.args.size() && sig.args[next].kind == AK::Tensors)
        ++next; // a named argument ends the variadic tensors
    }
    if (out.named.count(spec->name)) {
      src.error(arg->loc) << "argument '" << spec->name << "' of "
                          << call.text << " is given twice";
      ok = false;
      continue;
    }
    if (spec->kind == AK::Tensor && val.kind != Val::Tensor) {
      src.error(arg->loc) << "argument '" << spec->name << "' of " << call.text
                          << " must be a tensor, got " << describeVal(val);
      ok = false;
      continue;
    }
    if (spec->kind != AK::Tensor && val.kind == Val::Tensor) {
      src.error(arg->loc) << "argument '" << spec->name << "' of " << call.text
                          << " must be a constant, got a tensor";
      ok = false;
      continue;
    }
    out.named[spec->name] = {val, arg->loc};
  }
  for (const ArgSpec &s : sig.args) {
    bool present = s.kind == AK::Tensors ? !out.tensors.empty()
                                         : out.named.count(s.name) > 0;
    if (s.required && !present && ok) {
      src.error(call.loc) << call.text << ": missing required argument '"
                          << s.name << "'";
      ok = false;
    }
  }
  return ok;
}

Val Gen::evalCall(const Expr &e, Scope &scope, const StmtCtx &sc) {
  // `repeat(n, BLOCK, x, args...)`: BLOCK is a name, not a value.
  std::vector<std::pair<const Arg *, Val>> args;
  bool ok = true;
  for (size_t i = 0; i < e.args.size(); ++i) {
    const Arg &a = e.args[i];
    if (e.text == "repeat" && i == 1 && a.name.empty() &&
        a.value->kind == Expr::Name) {
      Val v;
      v.kind = Val::BlockRef;
      v.str = a.value->text;
      args.push_back({&a, v});
      continue;
    }
    Val v = evalExpr(*a.value, scope, sc);
    ok &= v.ok();
    args.push_back({&a, std::move(v)});
  }
  if (!ok)
    return Val::poison();

  if (e.text == "repeat") {
    if (args.size() < 3 || args[0].second.kind != Val::Number ||
        !args[0].second.isInt || args[1].second.kind != Val::BlockRef) {
      src.error(e.loc) << "repeat needs (n, BLOCK, x, args...) with an int n "
                          "and the name of a block";
      return Val::poison();
    }
    int64_t n = static_cast<int64_t>(args[0].second.number);
    auto it = blocks.find(args[1].second.str);
    if (it == blocks.end()) {
      src.error(args[1].first->loc) << "unknown block '" << args[1].second.str
                                    << "'";
      return Val::poison();
    }
    if (n < 1 || n > kMaxRepeat) {
      src.error(args[0].first->loc) << "repeat count must be in [1, "
                                    << kMaxRepeat << "], got " << n;
      return Val::poison();
    }
    bool autoNamed;
    std::string prefix = prefixFor(e, scope, sc, autoNamed);
    std::vector<std::pair<const Arg *, Val>> rest(args.begin() + 2,
                                                  args.end());
    for (int64_t i = 0; i < n; ++i) {
      Val out = callBlock(e, *it->second, rest, prefix + "." + std::to_string(i));
      if (!out.ok())
        return out;
      rest[0].second = out;
    }
    return rest[0].second;
  }

  if (auto it = blocks.find(e.text); it != blocks.end()) {
    bool autoNamed;
    std::string prefix = prefixFor(e, scope, sc, autoNamed);
    return callBlock(e, *it->second, args, prefix);
  }
  auto it = builtinOps().find(e.text);
  if (it == builtinOps().end()) {
    src.error(e.loc) << "unknown op or block '" << e.text << "'";
    return Val::poison();
  }
  return callBuiltin(e, it->second, args, scope, sc);
}

Val Gen::callBlock(const Expr &call, const Stmt &block,
                   std::vector<std::pair<const Arg *, Val>> &args,
                   const std::string &prefix) {
  for (const Stmt *active : callStack)
    if (active == &block) {
      auto d = src.error(call.loc);
      d << "recursion between blocks: ";
      for (const Stmt *s : callStack)
        d << s->name << " -> ";
      d << block.name;
      return Val::poison();
    }

  Scope scope;
  scope.prefix = prefix;
  size_t numTensorParams = llvm::count_if(
      block.params, [](const Param &p) { return p.kind == Param::Tensor; });
  size_t numTensors = llvm::count_if(
      args, [](auto &a) { return a.first->name.empty() &&
                                 a.second.kind == Val::Tensor; });
  if (numTensors != numTensorParams) {
    src.error(call.loc) << "block '" << block.name << "' takes "
                        << numTensorParams << " tensor(s) but " << numTensors
                        << " were given";
    return Val::poison();
  }
  // Positional arguments fill parameters in order; the rest go by name.
  size_t next = 0;
  llvm::StringMap<std::pair<Val, SMLoc>> given;
  for (auto &[arg, val] : args) {
    std::string name = arg->name;
    if (name.empty()) {
      if (next >= block.params.size()) {
        src.error(arg->loc) << "block '" << block.name << "' takes "
                            << block.params.size() << " arguments";
        return Val::poison();
      }
      name = block.params[next++].name;
    }
    const Param *p = nullptr;
    for (const Param &q : block.params)
      if (q.name == name)
        p = &q;
    if (!p) {
      src.error(arg->loc) << "block '" << block.name
                          << "' has no parameter '" << name << "'";
      return Val::poison();
    }
    bool wantTensor = p->kind == Param::Tensor;
    if (wantTensor != (val.kind == Val::Tensor) ||
        (p->kind == Param::Int && !(val.kind == Val::Number && val.isInt)) ||
        (p->kind == Param::Float && val.kind != Val::Number)) {
      src.error(arg->loc) << "parameter '" << name << "' of block '"
                          << block.name << "' must be "
                          << (wantTensor             ? "a tensor"
                              : p->kind == Param::Int ? "an int"
                                                      : "a number")
                          << ", got " << describeVal(val);
      return Val::poison();
    }
    if (!given.try_emplace(name, val, arg->loc).second) {
      src.error(arg->loc) << "parameter '" << name << "' of block '"
                          << block.name << "' is given twice";
      return Val::poison();
    }
  }
  if (++expansions > kMaxExpansions) {
    if (expansions == kMaxExpansions + 1)
      src.error(call.loc) << "the network expands to more than "
                          << kMaxExpansions << " block instances";
    return Val::poison();
  }
  callStack.push_back(&block);
  auto restore = llvm::make_scope_exit([&] { callStack.pop_back(); });
  for (const Param &p : block.params) {
    auto it = given.find(p.name);
    Val v;
    if (it != given.end())
      v = it->second.first;
    else if (p.defaultValue)
      v = evalExpr(*p.defaultValue, scope, StmtCtx{});
    else {
      src.error(call.loc) << "block '" << block.name
                          << "': missing argument '" << p.name << "'";
      return Val::poison();
    }
    if (!v.ok())
      return v;
    if (p.kind == Param::Float && v.kind == Val::Number)
      v.isInt = false;
    scope.names[p.name] = Binding{v, p.loc};
  }
  unsigned errorsBefore = src.errors();
  for (const StmtPtr &s : block.body) {
    if (s->kind == Stmt::Return) {
      if (src.errors() != errorsBefore)
        return Val::poison();
      StmtCtx sc;
      sc.paramCalls = countParamCalls(*s->value);
      Val r = evalExpr(*s->value, scope, sc);
      if (r.ok() && r.kind != Val::Tensor) {
        src.error(s->loc) << "block '" << block.name
                          << "' must return a tensor, got " << describeVal(r);
        return Val::poison();
      }
      return r;
    }
    genStmt(*s, scope);
  }
  return Val::poison();
}

Val Gen::callBuiltin(const Expr &call, const OpSig &sig,
                     std::vector<std::pair<const Arg *, Val>> &args,
                     Scope &scope, const StmtCtx &sc) {
  Bound b;
  if (!bindArgs(call, sig, args, b))
    return Val::poison();
  OpCall c{call, b, "", false, scope.prefix};
  if (sig.hasParams)
    c.prefix = prefixFor(call, scope, sc, c.autoNamed);
  return sig.gen(*this, c);
}

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

Val Gen::evalBinary(const Expr &e, Scope &scope, const StmtCtx &sc) {
  Val a = evalExpr(*e.items[0], scope, sc);
  Val b = evalExpr(*e.items[1], scope, sc);
  if (!a.ok() || !b.ok())
    return Val::poison();
  SMLoc at = e.loc;
  auto isNum = [](const Val &v) { return v.kind == Val::Number; };
  if (isNum(a) && isNum(b)) {
    double r = e.op == '+'   ? a.number + b.number
               : e.op == '-' ? a.number - b.number
               : e.op == '*' ? a.number * b.number
                             : a.number / b.number;
    bool isInt = a.isInt && b.isInt && e.op != '/';
    return Val::ofNumber(r, isInt);
  }
  if (a.kind == Val::Tensor && b.kind == Val::Tensor) {
    if (!checkTensor(a.tensor, at, std::string("'") + e.op + "'", 0, 8,
                     "left operand") ||
        !checkTensor(b.tensor, at, std::string("'") + e.op + "'", 0, 8,
                     "right operand"))
      return Val::poison();
    switch (e.op) {
    case '+': return create<mlir::net::AddOp>(at, a.tensor, b.tensor);
    case '-': return create<mlir::net::SubOp>(at, a.tensor, b.tensor);
    case '*': return create<mlir::net::MulOp>(at, a.tensor, b.tensor);
    default: return create<mlir::net::DivOp>(at, a.tensor, b.tensor);
    }
  }
  // A tensor and a scalar: an affine map of the tensor.
  const Val &t = a.kind == Val::Tensor ? a : b;
  const Val &s = a.kind == Val::Tensor ? b : a;
  if (t.kind != Val::Tensor || !isNum(s)) {
    src.error(at) << "'" << e.op << "' needs tensors or numbers, got "
                  << describeVal(a) << " and " << describeVal(b);
    return Val::poison();
  }
  if (!checkTensor(t.tensor, at, std::string("'") + e.op + "'", 0, 8,
                   "operand"))
    return Val::poison();
  bool tensorLeft = a.kind == Val::Tensor;
  double scale = 1, shift = 0;
  switch (e.op) {
  case '+': shift = s.number; break;
  case '-':
    scale = tensorLeft ? 1 : -1;
    shift = tensorLeft ? -s.number : s.number;
    break;
  case '*': scale = s.number; break;
  case '/':
    if (!tensorLeft) {
      src.error(at) << "dividing a number by a tensor is not supported; "
                       "write the reciprocal as a tensor op";
      return Val::poison();
    }
    if (s.number == 0) {
      src.error(at) << "division of a tensor by zero";
      return Val::poison();
    }
    scale = 1.0 / s.number;
    break;
  }
  return Val::ofTensor(builder.create<mlir::net::AffineOp>(
      loc(at), t.tensor.getType(), t.tensor, builder.getF32FloatAttr(scale),
      builder.getF32FloatAttr(shift)));
}

Val Gen::evalExpr(const Expr &e, Scope &scope, const StmtCtx &sc) {
  switch (e.kind) {
  case Expr::Number:
    return Val::ofNumber(e.number, e.isInt);
  case Expr::String: {
    Val v;
    v.kind = Val::String;
    v.str = e.text;
    return v;
  }
  case Expr::Bool: {
    Val v;
    v.kind = Val::Bool;
    v.boolean = e.boolean;
    return v;
  }
  case Expr::Name: {
    auto it = scope.names.find(e.text);
    if (it == scope.names.end()) {
      auto d = src.error(e.loc);
      d << "'" << e.text << "' is not defined";
      if (blocks.count(e.text) || builtinOps().count(e.text))
        d << " ('" << e.text << "' is an op or block: call it with '(...)')";
      return Val::poison();
    }
    return it->second.val;
  }
  case Expr::List: {
    Val v;
    v.kind = Val::List;
    for (const ExprPtr &i : e.items) {
      Val item = evalExpr(*i, scope, sc);
      if (!item.ok())
        return item;
      if (item.kind != Val::Number && item.kind != Val::List) {
        src.error(i->loc) << "a list holds numbers or lists, got "
                          << describeVal(item);
        return Val::poison();
      }
      v.list.push_back(std::move(item));
    }
    return v;
  }
  case Expr::Neg: {
    Val x = evalExpr(*e.items[0], scope, sc);
    if (!x.ok())
      return x;
    if (x.kind == Val::Number)
      return Val::ofNumber(-x.number, x.isInt);
    if (x.kind != Val::Tensor) {
      src.error(e.loc) << "cannot negate " << describeVal(x);
      return Val::poison();
    }
    if (!checkTensor(x.tensor, e.loc, "'-'", 0, 8, "operand"))
      return Val::poison();
    return Val::ofTensor(builder.create<mlir::net::AffineOp>(
        loc(e.loc), x.tensor.getType(), x.tensor,
        builder.getF32FloatAttr(-1.0f), builder.getF32FloatAttr(0.0f)));
  }
  case Expr::Binary:
    return evalBinary(e, scope, sc);
  case Expr::Call:
    return evalCall(e, scope, sc);
  }
  return Val::poison();
}

//===----------------------------------------------------------------------===//
// Statements and the module
//===----------------------------------------------------------------------===//

void Gen::genStmt(const Stmt &s, Scope &scope) {
  StmtCtx sc;
  sc.lhs = s.name;
  if (s.value)
    sc.paramCalls = countParamCalls(*s.value);
  switch (s.kind) {
  case Stmt::Assign: {
    Val v = evalExpr(*s.value, scope, sc);
    bind(scope, s.name, s.nameLoc, v);
    return;
  }
  default:
    return;
  }
}

std::optional<NetProgram> Gen::run() {
  // The model name: `network NAME`, else the file's stem.
  prog.name = llvm::sys::path::stem(main.fileName).str();
  for (char &c : prog.name)
    if (!isalnum(static_cast<unsigned char>(c)))
      c = '_';
  if (prog.name.empty() || isdigit(static_cast<unsigned char>(prog.name[0])))
    prog.name = "model_" + prog.name;
  std::vector<const Stmt *> inputs;
  std::string batchSymbol;
  for (const StmtPtr &s : main.stmts) {
    if (s->kind == Stmt::Network)
      prog.name = s->name;
    if (s->kind == Stmt::Input)
      inputs.push_back(s.get());
    if (s->kind == Stmt::Weights) {
      llvm::SmallString<256> path(s->path);
      if (!llvm::sys::path::is_absolute(path)) {
        path = llvm::sys::path::parent_path(main.fileName);
        llvm::sys::path::append(path, s->path);
      }
      prog.weightsFile = path.str().str();
      prog.weightsLoc = loc(s->nameLoc);
    }
  }

  // Inputs become arguments of @forward; unused ones are dropped at the end.
  SmallVector<Type> argTypes;
  for (const Stmt *in : inputs) {
    SmallVector<int64_t> shape;
    for (auto [i, d] : llvm::enumerate(in->dims)) {
      if (d.symbol.empty()) {
        shape.push_back(d.size);
        continue;
      }
      if (i != 0) {
        src.error(d.loc) << "only the leading (batch) dim may be symbolic";
      } else if (!batchSymbol.empty() && batchSymbol != d.symbol) {
        src.error(d.loc) << "every input must use the same batch symbol ('"
                         << batchSymbol << "')";
      }
      batchSymbol = d.symbol;
      shape.push_back(fixedBatch > 0 ? fixedBatch : ShapedType::kDynamic);
    }
    Type elem = in->dtype == "i32" ? Type(builder.getI32Type())
                                   : Type(builder.getF32Type());
    argTypes.push_back(RankedTensorType::get(shape, elem));
  }

  auto module = ModuleOp::create(loc(main.stmts.empty()
                                         ? SMLoc()
                                         : main.stmts.front()->loc));
  module->setAttr("net.model", builder.getStringAttr(prog.name));
  builder.setInsertionPointToEnd(module.getBody());
  auto func = builder.create<func::FuncOp>(
      module.getLoc(), "forward", builder.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  builder.setInsertionPointToEnd(entry);

  Scope top;
  SmallVector<mlir::Value> results;
  SmallVector<std::string> resultNames;
  SmallVector<mlir::Value> losses;
  SmallVector<std::string> lossNames;
  llvm::StringSet<> outputNames;
  size_t inputIndex = 0;
  for (const StmtPtr &sp : main.stmts) {
    const Stmt &s = *sp;
    switch (s.kind) {
    case Stmt::Input: {
      mlir::Value arg = entry->getArgument(inputIndex++);
      func.setArgAttr(inputIndex - 1, "net.name",
                      builder.getStringAttr(s.name));
      bind(top, s.name, s.nameLoc, Val::ofTensor(arg));
      break;
    }
    case Stmt::Assign:
      genStmt(s, top);
      break;
    case Stmt::Output: {
      Val v;
      if (s.value) {
        StmtCtx sc{s.name, countParamCalls(*s.value)};
        v = evalExpr(*s.value, top, sc);
        bind(top, s.name, s.nameLoc, v);
      } else {
        auto it = top.names.find(s.name);
        if (it == top.names.end()) {
          src.error(s.nameLoc) << "output '" << s.name
                               << "' names nothing: bind it first or write "
                                  "'output "
                               << s.name << " = EXPR'";
          break;
        }
        v = it->second.val;
      }
      if (!outputNames.insert(s.name).second) {
        src.error(s.nameLoc) << "'" << s.name << "' is already an output";
        break;
      }
      if (v.ok() && v.kind != Val::Tensor) {
        src.error(s.nameLoc) << "output '" << s.name << "' must be a tensor, "
                             << "got " << describeVal(v);
        break;
      }
      if (v.ok()) {
        results.push_back(v.tensor);
        resultNames.push_back(s.name);
      }
      break;
    }
    case Stmt::Loss: {
      StmtCtx sc{s.name, countParamCalls(*s.value)};
      Val v = evalExpr(*s.value, top, sc);
      bind(top, s.name, s.nameLoc, v);
      if (!v.ok())
        break;
      if (v.kind != Val::Tensor ||
          cast<RankedTensorType>(v.tensor.getType()).getRank() != 0) {
        auto d = src.error(s.value->loc);
        d << "loss '" << s.name << "' must be a scalar (a loss term or a "
          << "weighted sum of them), got ";
        if (v.kind == Val::Tensor)
          d << typeStr(v.tensor);
        else
          d << describeVal(v);
        break;
      }
      if (!outputNames.insert(s.name).second) {
        src.error(s.nameLoc) << "'" << s.name << "' is already an output";
        break;
      }
      losses.push_back(v.tensor);
      lossNames.push_back(s.name);
      break;
    }
    default:
      break;
    }
  }
  if (resultNames.empty() && src.errors() == 0)
    src.error(main.stmts.empty()
                  ? SMLoc::getFromPointer(
                        src.mgr.getMemoryBuffer(main.bufferId)->getBufferStart())
                  : main.stmts.front()->loc)
        << "the network has no 'output'";
  if (src.errors())
    return std::nullopt;

  // @loss is @forward with the losses as results; dead layers are pruned
  // from each, so @forward reads only the inputs its outputs need.
  auto finish = [&](func::FuncOp fn, ArrayRef<mlir::Value> values,
                    ArrayRef<std::string> names) {
    Block &body = fn.getBody().front();
    if (!body.empty() && isa<func::ReturnOp>(body.back()))
      body.back().erase();
    builder.setInsertionPointToEnd(&body);
    builder.create<func::ReturnOp>(fn.getLoc(), values);
    SmallVector<Type> types;
    for (mlir::Value v : values)
      types.push_back(v.getType());
    fn.setFunctionType(builder.getFunctionType(argTypes, types));
    for (auto [i, name] : llvm::enumerate(names))
      fn.setResultAttr(i, "net.name", builder.getStringAttr(name));
    for (Operation &op : llvm::make_early_inc_range(llvm::reverse(body)))
      if (isOpTriviallyDead(&op))
        op.erase();
  };
  if (!losses.empty()) {
    IRMapping map;
    func::FuncOp lossFn = func.clone(map);
    lossFn.setName("loss");
    module.push_back(lossFn);
    SmallVector<mlir::Value> mapped;
    for (mlir::Value v : losses)
      mapped.push_back(map.lookup(v));
    finish(lossFn, mapped, lossNames);
  }
  finish(func, results, resultNames);
  prog.module = module;
  return std::move(prog);
}

std::optional<NetProgram>
netc::genNet(const Source &src, const Module &main,
             const std::vector<const Module *> &imports, int64_t fixedBatch) {
  return Gen(src, main, imports, fixedBatch).run();
}
