//===- Lexer.h - Tokens of the .net language --------------------*- C++ -*-===//
#ifndef NETC_FRONTEND_LEXER_H
#define NETC_FRONTEND_LEXER_H

#include "frontend/Source.h"

#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace netc {

enum class Tok {
  Eof, Newline, Ident, Int, Float, String,
  // keywords
  KwNetwork, KwInput, KwOutput, KwLoss, KwBlock, KwReturn, KwRepeat, KwAs,
  KwTrue, KwFalse,
  // punctuation
  LParen, RParen, LBracket, RBracket, LBrace, RBrace, Comma, Colon, Equal,
  Plus, Minus, Star, Slash, Pipe,
};

const char *tokName(Tok kind);

struct Token {
  Tok kind;
  llvm::StringRef text; // spelling in the buffer (string tokens: with quotes)
  llvm::SMLoc loc;
  std::string str;      // decoded value of a string literal
};

/// Splits one buffer into tokens. A newline ends a statement unless a
/// bracket is open. Errors are reported and the offending bytes skipped.
std::vector<Token> lex(const Source &src, unsigned bufferId);

} // namespace netc

#endif // NETC_FRONTEND_LEXER_H
