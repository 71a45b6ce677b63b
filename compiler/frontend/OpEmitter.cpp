//===- OpEmitter.cpp - What built-in op generators build with -------------===//
#include "frontend/OpEmitter.h"

#include "net/IR/NetOps.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

#include <cmath>

using namespace netc;
using namespace mlir;

std::string netc::describeVal(const Val &v) {
  switch (v.kind) {
  case Val::Poison: return "an invalid value";
  case Val::Tensor: return "a tensor";
  case Val::Number: return v.isInt ? "an int" : "a float";
  case Val::Bool: return "a bool";
  case Val::String: return "a string";
  case Val::List: return "a list";
  case Val::BlockRef: return "a block";
  }
  return "?";
}

std::string netc::typeStr(mlir::Value v) {
  auto t = cast<RankedTensorType>(v.getType());
  std::string s = t.getElementType().isInteger(32) ? "i32[" : "f32[";
  for (auto [i, d] : llvm::enumerate(t.getShape())) {
    if (i)
      s += ", ";
    s += ShapedType::isDynamic(d) ? std::string("N") : std::to_string(d);
  }
  return s + "]";
}


std::optional<int64_t> OpEmitter::getInt(const Bound &b, StringRef op, StringRef name,
                                int64_t dflt) {
    auto it = b.named.find(name);
    if (it == b.named.end())
      return dflt;
    const Val &v = it->second.first;
    if (v.kind != Val::Number || !v.isInt) {
      src.error(it->second.second) << "argument '" << name << "' of " << op
                                   << " must be an int, got "
                                   << describeVal(v);
      return std::nullopt;
    }
    if (std::abs(v.number) > kMaxExtent) {
      src.error(it->second.second) << "argument '" << name << "' of " << op
                                   << " is out of range: " << v.number;
      return std::nullopt;
    }
    return static_cast<int64_t>(v.number);
  }

std::optional<double> OpEmitter::getFloat(const Bound &b, StringRef op, StringRef name,
                                 double dflt) {
    auto it = b.named.find(name);
    if (it == b.named.end())
      return dflt;
    const Val &v = it->second.first;
    if (v.kind != Val::Number) {
      src.error(it->second.second) << "argument '" << name << "' of " << op
                                   << " must be a number, got "
                                   << describeVal(v);
      return std::nullopt;
    }
    return v.number;
  }

std::optional<bool> OpEmitter::getBool(const Bound &b, StringRef op, StringRef name,
                              bool dflt) {
    auto it = b.named.find(name);
    if (it == b.named.end())
      return dflt;
    const Val &v = it->second.first;
    if (v.kind != Val::Bool) {
      src.error(it->second.second) << "argument '" << name << "' of " << op
                                   << " must be true or false, got "
                                   << describeVal(v);
      return std::nullopt;
    }
    return v.boolean;
  }

std::optional<std::string> OpEmitter::getStr(const Bound &b, StringRef op,
                                    StringRef name, StringRef dflt) {
    auto it = b.named.find(name);
    if (it == b.named.end())
      return dflt.str();
    const Val &v = it->second.first;
    if (v.kind != Val::String) {
      src.error(it->second.second) << "argument '" << name << "' of " << op
                                   << " must be a string, got "
                                   << describeVal(v);
      return std::nullopt;
    }
    return v.str;
  }

bool OpEmitter::checkAxis(Bound &b, StringRef op, int64_t axis, int64_t rank,
                          SMLoc callLoc) {
    if (axis >= -rank && axis < rank)
      return true;
    src.error(b.where("axis", callLoc))
        << op << ": axis " << axis << " is out of range for a rank-" << rank
        << " tensor";
    return false;
  }

std::optional<SmallVector<int64_t>> OpEmitter::getInts(const Bound &b, StringRef op,
                                              StringRef name, size_t n,
                                              std::optional<int64_t> dflt) {
    auto it = b.named.find(name);
    if (it == b.named.end()) {
      if (!dflt)
        return std::nullopt;
      return SmallVector<int64_t>(n, *dflt);
    }
    const Val &v = it->second.first;
    SMLoc at = it->second.second;
    auto outOfRange = [&](const Val &e) {
      if (std::abs(e.number) <= kMaxExtent)
        return false;
      src.error(at) << "argument '" << name << "' of " << op
                    << " is out of range: " << e.number;
      return true;
    };
    if (v.kind == Val::Number && v.isInt && outOfRange(v))
      return std::nullopt;
    if (v.kind == Val::Number && v.isInt)
      return SmallVector<int64_t>(n, static_cast<int64_t>(v.number));
    if (v.kind == Val::List) {
      SmallVector<int64_t> r;
      for (const Val &e : v.list) {
        if (e.kind != Val::Number || !e.isInt) {
          src.error(at) << "argument '" << name << "' of " << op
                        << " must be an int or a list of ints";
          return std::nullopt;
        }
        if (outOfRange(e))
          return std::nullopt;
        r.push_back(static_cast<int64_t>(e.number));
      }
      if (r.size() != n) {
        src.error(at) << "argument '" << name << "' of " << op << " has "
                      << r.size() << " entries but the input has " << n
                      << " spatial dims";
        return std::nullopt;
      }
      return r;
    }
    src.error(at) << "argument '" << name << "' of " << op
                  << " must be an int or a list of ints, got "
                  << describeVal(v);
    return std::nullopt;
  }

bool OpEmitter::checkTensor(mlir::Value v, SMLoc at, StringRef op, size_t minRank,
                   size_t maxRank, StringRef what) {
    auto t = cast<RankedTensorType>(v.getType());
    if (!t.getElementType().isF32()) {
      src.error(at) << op << " needs an f32 tensor but its " << what
                    << " is " << typeStr(v);
      return false;
    }
    if (t.getRank() < (int64_t)minRank || t.getRank() > (int64_t)maxRank) {
      auto d = src.error(at);
      d << op << " needs an " << what << " of rank " << minRank;
      if (maxRank != minRank)
        d << " to " << maxRank;
      d << ", got " << typeStr(v);
      return false;
    }
    return true;
  }


mlir::Value OpEmitter::param(const std::string &name, ArrayRef<int64_t> shape,
                              ParamInit init, bool autoNamed, SMLoc at,
                              std::vector<float> frozen, bool isFrozen) {
    int64_t elements = 1;
    for (int64_t d : shape) {
      if (d < 1) {
        src.error(at) << "parameter '" << name << "' would have a dim of "
                      << d;
        return {};
      }
      elements *= d;
      if (elements > kMaxParamElements) {
        src.error(at) << "parameter '" << name << "' would have more than "
                      << kMaxParamElements << " elements";
        return {};
      }
    }
    auto type = RankedTensorType::get(shape, builder.getF32Type());
    auto it = paramIndex.find(name);
    if (it != paramIndex.end()) {
      ParamInfo &p = prog.params[it->second];
      if (p.shape != std::vector<int64_t>(shape.begin(), shape.end())) {
        src.error(at) << "parameter '" << name << "' is shared with an "
                      << "earlier call but has shape "
                      << typeStr(paramValues[name]).substr(3) << " there and ["
                      << llvm::join(llvm::map_range(shape,
                                                    [](int64_t d) {
                                                      return std::to_string(d);
                                                    }),
                                    ", ")
                      << "] here";
        return {};
      }
      return paramValues[name];
    }
    ParamInfo p{name, std::vector<int64_t>(shape.begin(), shape.end()), init,
                isFrozen, std::move(frozen), autoNamed, loc(at)};
    paramIndex[name] = prog.params.size();
    prog.params.push_back(std::move(p));
    auto op = builder.create<mlir::net::WeightOp>(loc(at), type, name, isFrozen,
                                                  mlir::ElementsAttr());
    paramValues[name] = op.getResult();
    return op.getResult();
  }

