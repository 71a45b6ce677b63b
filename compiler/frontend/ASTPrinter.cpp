//===- ASTPrinter.cpp - `netc --emit=ast` ---------------------------------===//
#include "frontend/AST.h"

#include "llvm/Support/Format.h"

using namespace netc;

namespace {
struct Printer {
  const llvm::SourceMgr &mgr;
  llvm::raw_ostream &os;

  void indent(int depth) { os.indent(2 * depth); }
  void at(llvm::SMLoc loc) {
    auto [line, col] = mgr.getLineAndColumn(loc);
    os << " @" << line << ":" << col << "\n";
  }

  void expr(const Expr &e, int depth, llvm::StringRef argName = "") {
    indent(depth);
    if (!argName.empty())
      os << argName << "=";
    switch (e.kind) {
    case Expr::Number:
      if (e.isInt)
        os << "Int " << static_cast<int64_t>(e.number);
      else
        os << "Float " << llvm::format("%g", e.number);
      break;
    case Expr::String: os << "String \"" << e.text << "\""; break;
    case Expr::Bool: os << "Bool " << (e.boolean ? "true" : "false"); break;
    case Expr::Name: os << "Name " << e.text; break;
    case Expr::Call:
      os << "Call " << e.text;
      if (e.asName)
        os << " as \"" << *e.asName << "\"";
      break;
    case Expr::Binary: os << "Binary '" << e.op << "'"; break;
    case Expr::Neg: os << "Neg"; break;
    case Expr::List: os << "List"; break;
    }
    at(e.loc);
    for (const Arg &a : e.args)
      expr(*a.value, depth + 1, a.name);
    for (const ExprPtr &item : e.items)
      expr(*item, depth + 1);
  }

  void stmt(const Stmt &s, int depth) {
    indent(depth);
    switch (s.kind) {
    case Stmt::Network: os << "Network " << s.name; break;
    case Stmt::Input: {
      os << "Input " << s.name << ": " << s.dtype << "[";
      for (size_t i = 0; i < s.dims.size(); ++i) {
        if (i)
          os << ", ";
        if (s.dims[i].symbol.empty())
          os << s.dims[i].size;
        else
          os << s.dims[i].symbol;
      }
      os << "]";
      break;
    }
    case Stmt::Assign: os << "Assign " << s.name; break;
    case Stmt::Output: os << "Output " << s.name; break;
    case Stmt::Loss: os << "Loss " << s.name; break;
    case Stmt::Return: os << "Return"; break;
    case Stmt::Weights: os << "Weights \"" << s.path << "\""; break;
    case Stmt::Import: os << "Import \"" << s.path << "\""; break;
    case Stmt::Block: {
      os << "Block " << s.name << "(";
      for (size_t i = 0; i < s.params.size(); ++i) {
        const Param &p = s.params[i];
        os << (i ? ", " : "") << p.name
           << (p.kind == Param::Int     ? ": int"
               : p.kind == Param::Float ? ": float"
                                        : "");
        if (p.defaultValue)
          os << " = ...";
      }
      os << ")";
      break;
    }
    }
    at(s.loc);
    for (const Param &p : s.params)
      if (p.defaultValue)
        expr(*p.defaultValue, depth + 1, p.name);
    if (s.value)
      expr(*s.value, depth + 1);
    for (const StmtPtr &b : s.body)
      stmt(*b, depth + 1);
  }
};
} // namespace

void netc::printAST(const Module &m, const llvm::SourceMgr &mgr,
                    llvm::raw_ostream &os) {
  os << "Module " << m.fileName << "\n";
  Printer p{mgr, os};
  for (const StmtPtr &s : m.stmts)
    p.stmt(*s, 1);
}
