//===- Parser.h - Recursive-descent parser for .net -------------*- C++ -*-===//
#ifndef NETC_FRONTEND_PARSER_H
#define NETC_FRONTEND_PARSER_H

#include "frontend/AST.h"
#include "frontend/Lexer.h"

namespace netc {

/// Parses the tokens of one buffer. Syntax errors are reported at their
/// token; the parser then skips to the next statement and goes on, so one
/// run reports every error it can.
Module parse(const Source &src, unsigned bufferId,
             const std::vector<Token> &tokens);

} // namespace netc

#endif // NETC_FRONTEND_PARSER_H
