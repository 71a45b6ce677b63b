//===- Parser.cpp - Recursive-descent parser for .net ---------------------===//
#include "frontend/Parser.h"

#include <cstdlib>

using namespace netc;

namespace {

class Parser {
public:
  Parser(const Source &src, const std::vector<Token> &toks)
      : src(src), toks(toks) {}

  void parseFile(Module &m) {
    while (!at(Tok::Eof)) {
      if (accept(Tok::Newline))
        continue;
      size_t errorsBefore = src.errors();
      StmtPtr s = parseStmt(/*inBlock=*/false);
      if (s && src.errors() == errorsBefore && !at(Tok::Newline) &&
          !at(Tok::Eof)) {
        src.error(cur().loc) << "expected end of statement, found "
                             << describe(cur());
      }
      if (src.errors() != errorsBefore) {
        syncToNewline();
        continue;
      }
      m.stmts.push_back(std::move(s));
    }
  }

private:
  const Source &src;
  const std::vector<Token> &toks;
  size_t pos = 0;

  const Token &cur() const { return toks[pos]; }
  bool at(Tok k) const { return cur().kind == k; }
  bool accept(Tok k) {
    if (!at(k))
      return false;
    ++pos;
    return true;
  }
  static std::string describe(const Token &t) {
    switch (t.kind) {
    case Tok::Eof: return "end of file";
    case Tok::Newline: return "end of line";
    default: return "'" + t.text.str() + "'";
    }
  }
  bool expect(Tok k, const char *what) {
    if (accept(k))
      return true;
    src.error(cur().loc) << "expected " << what << ", found " << describe(cur());
    return false;
  }
  /// Skips the rest of a broken statement (brackets balanced).
  void syncToNewline() {
    while (!at(Tok::Eof) && !at(Tok::Newline))
      ++pos;
    accept(Tok::Newline);
  }
  bool expectIdent(std::string &out, llvm::SMLoc &loc, const char *what) {
    loc = cur().loc;
    if (!at(Tok::Ident)) {
      src.error(cur().loc) << "expected " << what << ", found "
                           << describe(cur());
      return false;
    }
    out = cur().text.str();
    ++pos;
    return true;
  }

  StmtPtr parseStmt(bool inBlock) {
    const Token &t = cur();
    switch (t.kind) {
    case Tok::KwNetwork: {
      ++pos;
      auto s = std::make_unique<Stmt>(Stmt::Network, t.loc);
      if (!expectIdent(s->name, s->nameLoc, "a network name"))
        return nullptr;
      return s;
    }
    case Tok::KwInput:
      return parseInput();
    case Tok::KwOutput: {
      ++pos;
      auto s = std::make_unique<Stmt>(Stmt::Output, t.loc);
      if (!expectIdent(s->name, s->nameLoc, "an output name"))
        return nullptr;
      if (accept(Tok::Equal) && !(s->value = parseExpr()))
        return nullptr;
      return s;
    }
    case Tok::KwLoss: {
      ++pos;
      auto s = std::make_unique<Stmt>(Stmt::Loss, t.loc);
      if (!expectIdent(s->name, s->nameLoc, "a loss name") ||
          !expect(Tok::Equal, "'='") || !(s->value = parseExpr()))
        return nullptr;
      return s;
    }
    case Tok::KwBlock:
      if (inBlock) {
        src.error(t.loc) << "blocks cannot be nested";
        return nullptr;
      }
      return parseBlock();
    case Tok::KwReturn: {
      ++pos;
      if (!inBlock) {
        src.error(t.loc) << "'return' outside a block";
        return nullptr;
      }
      auto s = std::make_unique<Stmt>(Stmt::Return, t.loc);
      if (!(s->value = parseExpr()))
        return nullptr;
      return s;
    }
    case Tok::Ident: {
      if (t.text == "weights" || t.text == "import") {
        if (toks[pos + 1].kind == Tok::String) {
          auto s = std::make_unique<Stmt>(
              t.text == "weights" ? Stmt::Weights : Stmt::Import, t.loc);
          s->path = toks[pos + 1].str;
          s->nameLoc = toks[pos + 1].loc;
          pos += 2;
          return s;
        }
      }
      auto s = std::make_unique<Stmt>(Stmt::Assign, t.loc);
      s->name = t.text.str();
      s->nameLoc = t.loc;
      ++pos;
      if (!expect(Tok::Equal, "'=' after a name") ||
          !(s->value = parseExpr()))
        return nullptr;
      return s;
    }
    default:
      src.error(t.loc) << "expected a statement, found " << describe(t);
      return nullptr;
    }
  }

  StmtPtr parseInput() {
    auto s = std::make_unique<Stmt>(Stmt::Input, cur().loc);
    ++pos;
    llvm::SMLoc typeLoc;
    if (!expectIdent(s->name, s->nameLoc, "an input name") ||
        !expect(Tok::Colon, "':' and a type") ||
        !expectIdent(s->dtype, typeLoc, "a type (f32 or i32)"))
      return nullptr;
    if (s->dtype != "f32" && s->dtype != "i32") {
      src.error(typeLoc) << "unknown element type '" << s->dtype
                         << "' (expected f32 or i32)";
      return nullptr;
    }
    if (!expect(Tok::LBracket, "'[' and the dims"))
      return nullptr;
    if (!at(Tok::RBracket)) {
      do {
        Dim d;
        d.loc = cur().loc;
        if (at(Tok::Int)) {
          d.size = std::strtoll(cur().text.str().c_str(), nullptr, 10);
          if (d.size < 1 || d.size > (int64_t(1) << 31) - 1 ||
              cur().text.size() > 10) {
            src.error(d.loc) << "a dim must be in [1, 2^31)";
            return nullptr;
          }
        } else if (at(Tok::Ident)) {
          d.symbol = cur().text.str();
        } else {
          src.error(d.loc) << "expected a dim (an integer or a name), found "
                           << describe(cur());
          return nullptr;
        }
        ++pos;
        s->dims.push_back(std::move(d));
      } while (accept(Tok::Comma));
    }
    if (!expect(Tok::RBracket, "']'"))
      return nullptr;
    return s;
  }

  StmtPtr parseBlock() {
    auto s = std::make_unique<Stmt>(Stmt::Block, cur().loc);
    ++pos;
    if (!expectIdent(s->name, s->nameLoc, "a block name") ||
        !expect(Tok::LParen, "'('"))
      return nullptr;
    if (!at(Tok::RParen)) {
      do {
        Param p;
        if (!expectIdent(p.name, p.loc, "a parameter name"))
          return nullptr;
        if (accept(Tok::Colon)) {
          std::string type;
          llvm::SMLoc typeLoc;
          if (!expectIdent(type, typeLoc, "a parameter type"))
            return nullptr;
          if (type == "int")
            p.kind = Param::Int;
          else if (type == "float")
            p.kind = Param::Float;
          else if (type == "tensor")
            p.kind = Param::Tensor;
          else {
            src.error(typeLoc) << "unknown parameter type '" << type
                               << "' (expected int, float or tensor)";
            return nullptr;
          }
        }
        if (accept(Tok::Equal) && !(p.defaultValue = parseExpr()))
          return nullptr;
        s->params.push_back(std::move(p));
      } while (accept(Tok::Comma));
    }
    if (!expect(Tok::RParen, "')'") || !expect(Tok::LBrace, "'{'"))
      return nullptr;
    while (!at(Tok::RBrace)) {
      if (at(Tok::Eof)) {
        src.error(s->loc) << "block '" << s->name << "' is not closed by '}'";
        return nullptr;
      }
      if (accept(Tok::Newline))
        continue;
      StmtPtr b = parseStmt(/*inBlock=*/true);
      if (!b)
        return nullptr;
      if (b->kind != Stmt::Assign && b->kind != Stmt::Return) {
        src.error(b->loc) << "only 'NAME = EXPR' and 'return EXPR' may appear "
                             "in a block";
        return nullptr;
      }
      bool isReturn = b->kind == Stmt::Return;
      s->body.push_back(std::move(b));
      if (isReturn && !at(Tok::RBrace)) {
        src.error(cur().loc) << "'return' must be the last statement of block '"
                             << s->name << "'";
        return nullptr;
      }
    }
    ++pos; // '}'
    if (s->body.empty() || s->body.back()->kind != Stmt::Return) {
      src.error(s->loc) << "block '" << s->name << "' has no 'return'";
      return nullptr;
    }
    return s;
  }

  // expr := sum ('|>' call)*
  ExprPtr parseExpr() {
    ExprPtr lhs = parseSum();
    while (lhs && at(Tok::Pipe)) {
      llvm::SMLoc pipeLoc = cur().loc;
      ++pos;
      if (!at(Tok::Ident) && !at(Tok::KwRepeat)) {
        src.error(cur().loc) << "expected an op or block name after '|>', found "
                             << describe(cur());
        return nullptr;
      }
      auto call = std::make_unique<Expr>(Expr::Call, cur().loc);
      call->text = cur().text.str();
      ++pos;
      call->args.push_back({"", pipeLoc, std::move(lhs)});
      if (at(Tok::LParen) && !parseArgs(*call))
        return nullptr;
      if (!parseAs(*call))
        return nullptr;
      lhs = std::move(call);
    }
    return lhs;
  }

  /// One left-associative level: operand ((opA | opB) operand)*.
  ExprPtr parseLevel(Tok opA, Tok opB, ExprPtr (Parser::*operand)()) {
    ExprPtr lhs = (this->*operand)();
    while (lhs && (at(opA) || at(opB))) {
      auto b = std::make_unique<Expr>(Expr::Binary, cur().loc);
      b->op = cur().text[0];
      ++pos;
      ExprPtr rhs = (this->*operand)();
      if (!rhs)
        return nullptr;
      b->items.push_back(std::move(lhs));
      b->items.push_back(std::move(rhs));
      lhs = std::move(b);
    }
    return lhs;
  }
  ExprPtr parseSum() { return parseLevel(Tok::Plus, Tok::Minus, &Parser::parseProd); }
  ExprPtr parseProd() {
    return parseLevel(Tok::Star, Tok::Slash, &Parser::parseUnary);
  }

  ExprPtr parseUnary() {
    if (at(Tok::Minus)) {
      auto n = std::make_unique<Expr>(Expr::Neg, cur().loc);
      ++pos;
      ExprPtr x = parseUnary();
      if (!x)
        return nullptr;
      // Fold literal negation so `-1` stays a number (reshape dims, pads).
      if (x->kind == Expr::Number) {
        x->number = -x->number;
        x->loc = n->loc;
        return x;
      }
      n->items.push_back(std::move(x));
      return n;
    }
    return parsePrimary();
  }

  bool parseArgs(Expr &call) {
    ++pos; // '('
    if (accept(Tok::RParen))
      return true;
    do {
      Arg a;
      a.loc = cur().loc;
      if (at(Tok::Ident) && toks[pos + 1].kind == Tok::Equal) {
        a.name = cur().text.str();
        pos += 2;
      }
      if (!(a.value = parseExpr()))
        return false;
      call.args.push_back(std::move(a));
    } while (accept(Tok::Comma));
    return expect(Tok::RParen, "',' or ')' in the argument list");
  }

  bool parseAs(Expr &call) {
    if (!accept(Tok::KwAs))
      return true;
    call.asLoc = cur().loc;
    if (!at(Tok::String)) {
      src.error(cur().loc) << "expected a string after 'as', found "
                           << describe(cur());
      return false;
    }
    call.asName = cur().str;
    if (call.asName->empty()) {
      src.error(cur().loc) << "the name after 'as' is empty";
      return false;
    }
    ++pos;
    return true;
  }

  ExprPtr parsePrimary() {
    const Token &t = cur();
    switch (t.kind) {
    case Tok::Int:
    case Tok::Float: {
      auto e = std::make_unique<Expr>(Expr::Number, t.loc);
      e->isInt = t.kind == Tok::Int;
      e->number = std::strtod(t.text.str().c_str(), nullptr);
      ++pos;
      return e;
    }
    case Tok::String: {
      auto e = std::make_unique<Expr>(Expr::String, t.loc);
      e->text = t.str;
      ++pos;
      return e;
    }
    case Tok::KwTrue:
    case Tok::KwFalse: {
      auto e = std::make_unique<Expr>(Expr::Bool, t.loc);
      e->boolean = t.kind == Tok::KwTrue;
      ++pos;
      return e;
    }
    case Tok::Ident:
    case Tok::KwRepeat: {
      ++pos;
      if (!at(Tok::LParen)) {
        if (t.kind == Tok::KwRepeat) {
          src.error(cur().loc) << "expected '(' after 'repeat'";
          return nullptr;
        }
        auto e = std::make_unique<Expr>(Expr::Name, t.loc);
        e->text = t.text.str();
        return e;
      }
      auto e = std::make_unique<Expr>(Expr::Call, t.loc);
      e->text = t.text.str();
      if (!parseArgs(*e) || !parseAs(*e))
        return nullptr;
      return e;
    }
    case Tok::LParen: {
      ++pos;
      ExprPtr e = parseExpr();
      if (!e || !expect(Tok::RParen, "')'"))
        return nullptr;
      return e;
    }
    case Tok::LBracket: {
      auto e = std::make_unique<Expr>(Expr::List, t.loc);
      ++pos;
      if (!at(Tok::RBracket)) {
        do {
          ExprPtr item = parseExpr();
          if (!item)
            return nullptr;
          e->items.push_back(std::move(item));
        } while (accept(Tok::Comma));
      }
      if (!expect(Tok::RBracket, "',' or ']' in the list"))
        return nullptr;
      return e;
    }
    default:
      src.error(t.loc) << "expected an expression, found " << describe(t);
      return nullptr;
    }
  }
};

} // namespace

Module netc::parse(const Source &src, unsigned bufferId,
                   const std::vector<Token> &tokens) {
  Module m;
  m.bufferId = bufferId;
  m.fileName = src.mgr.getMemoryBuffer(bufferId)->getBufferIdentifier().str();
  Parser(src, tokens).parseFile(m);
  return m;
}
