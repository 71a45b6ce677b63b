//===- AST.h - Syntax tree of a .net file -----------------------*- C++ -*-===//
#ifndef NETC_FRONTEND_AST_H
#define NETC_FRONTEND_AST_H

#include "llvm/Support/SMLoc.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace netc {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Arg {
  std::string name; // empty when positional
  llvm::SMLoc loc;
  ExprPtr value;
};

struct Expr {
  enum Kind { Number, String, Bool, Name, Call, Binary, Neg, List } kind;
  llvm::SMLoc loc;
  double number = 0; // Number
  bool isInt = false; // Number written without '.' or exponent
  bool boolean = false;
  std::string text;     // String value, Name, Call callee
  char op = 0;          // Binary: + - * /
  std::vector<Arg> args; // Call arguments (a pipe's lhs is args[0])
  std::optional<std::string> asName; // Call: `as "..."`
  llvm::SMLoc asLoc;
  std::vector<ExprPtr> items; // Binary: {lhs, rhs}; Neg: {x}; List: elements

  Expr(Kind kind, llvm::SMLoc loc) : kind(kind), loc(loc) {}
};

struct Dim {
  int64_t size = 0;   // when symbol is empty
  std::string symbol; // a symbolic dim such as N
  llvm::SMLoc loc;
};

struct Param {
  std::string name;
  enum Kind { Tensor, Int, Float } kind = Tensor;
  ExprPtr defaultValue;
  llvm::SMLoc loc;
};

struct Stmt;
using StmtPtr = std::unique_ptr<Stmt>;

struct Stmt {
  enum Kind { Network, Input, Assign, Output, Loss, Block, Return, Weights,
              Import } kind;
  llvm::SMLoc loc;
  std::string name;        // Network/Input/Assign/Output/Loss/Block name
  llvm::SMLoc nameLoc;
  ExprPtr value;           // Assign/Output (optional)/Loss/Return
  std::string path;        // Weights/Import (as written)
  std::string dtype;       // Input: f32 | i32
  std::vector<Dim> dims;   // Input
  std::vector<Param> params; // Block
  std::vector<StmtPtr> body; // Block (its last statement is a Return)

  Stmt(Kind kind, llvm::SMLoc loc) : kind(kind), loc(loc) {}
};

struct Module {
  std::string fileName;
  unsigned bufferId = 0;
  std::vector<StmtPtr> stmts;
};

/// `--emit=ast`: an indented tree, one node per line, with line:col.
void printAST(const Module &m, const llvm::SourceMgr &mgr,
              llvm::raw_ostream &os);

} // namespace netc

#endif // NETC_FRONTEND_AST_H
