//===- Lexer.cpp - Tokens of the .net language ----------------------------===//
#include "frontend/Lexer.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"

using namespace netc;

const char *netc::tokName(Tok kind) {
  switch (kind) {
  case Tok::Eof: return "eof";
  case Tok::Newline: return "newline";
  case Tok::Ident: return "ident";
  case Tok::Int: return "int";
  case Tok::Float: return "float";
  case Tok::String: return "string";
  case Tok::KwNetwork: case Tok::KwInput: case Tok::KwOutput:
  case Tok::KwLoss: case Tok::KwBlock: case Tok::KwReturn:
  case Tok::KwRepeat: case Tok::KwAs: case Tok::KwTrue: case Tok::KwFalse:
    return "keyword";
  default: return "punct";
  }
}

static bool isIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
static bool isDigit(char c) { return c >= '0' && c <= '9'; }

std::vector<Token> netc::lex(const Source &src, unsigned bufferId) {
  llvm::StringRef buf = src.mgr.getMemoryBuffer(bufferId)->getBuffer();
  const char *p = buf.begin(), *end = buf.end();
  std::vector<Token> toks;
  int depth = 0; // open ( [ {
  auto push = [&](Tok k, const char *b, const char *e) {
    toks.push_back({k, llvm::StringRef(b, e - b), llvm::SMLoc::getFromPointer(b),
                    {}});
  };

  while (p < end) {
    char c = *p;
    if (c == '#') {
      while (p < end && *p != '\n')
        ++p;
      continue;
    }
    if (c == '\n') {
      if (depth == 0 && !toks.empty() && toks.back().kind != Tok::Newline)
        push(Tok::Newline, p, p + 1);
      ++p;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r') {
      ++p;
      continue;
    }
    const char *b = p;
    if (isIdentStart(c)) {
      while (p < end && (isIdentStart(*p) || isDigit(*p)))
        ++p;
      llvm::StringRef word(b, p - b);
      Tok k = llvm::StringSwitch<Tok>(word)
                  .Case("network", Tok::KwNetwork)
                  .Case("input", Tok::KwInput)
                  .Case("output", Tok::KwOutput)
                  .Case("loss", Tok::KwLoss)
                  .Case("block", Tok::KwBlock)
                  .Case("return", Tok::KwReturn)
                  .Case("repeat", Tok::KwRepeat)
                  .Case("as", Tok::KwAs)
                  .Case("true", Tok::KwTrue)
                  .Case("false", Tok::KwFalse)
                  .Default(Tok::Ident);
      push(k, b, p);
      continue;
    }
    if (isDigit(c) || (c == '.' && p + 1 < end && isDigit(p[1]))) {
      bool isFloat = false;
      while (p < end && isDigit(*p))
        ++p;
      if (p < end && *p == '.') {
        isFloat = true;
        ++p;
        while (p < end && isDigit(*p))
          ++p;
      }
      if (p < end && (*p == 'e' || *p == 'E')) {
        const char *q = p + 1;
        if (q < end && (*q == '+' || *q == '-'))
          ++q;
        if (q < end && isDigit(*q)) {
          isFloat = true;
          p = q;
          while (p < end && isDigit(*p))
            ++p;
        } else {
          src.error(llvm::SMLoc::getFromPointer(p))
              << "malformed number: exponent without digits";
          while (p < end && (isIdentStart(*p) || isDigit(*p)))
            ++p;
        }
      }
      if (p < end && (isIdentStart(*p))) {
        src.error(llvm::SMLoc::getFromPointer(p))
            << "malformed number: unexpected '" << *p << "' after digits";
        while (p < end && (isIdentStart(*p) || isDigit(*p)))
          ++p;
      }
      push(isFloat ? Tok::Float : Tok::Int, b, p);
      continue;
    }
    if (c == '"') {
      std::string value;
      ++p;
      bool closed = false;
      while (p < end && *p != '\n') {
        if (*p == '"') {
          closed = true;
          ++p;
          break;
        }
        if (*p == '\\' && p + 1 < end && p[1] != '\n') {
          char e = p[1];
          value += e == 'n' ? '\n' : e == 't' ? '\t' : e;
          p += 2;
          continue;
        }
        value += *p++;
      }
      if (!closed)
        src.error(llvm::SMLoc::getFromPointer(b)) << "unterminated string";
      push(Tok::String, b, p);
      toks.back().str = std::move(value);
      continue;
    }
    Tok k;
    size_t len = 1;
    switch (c) {
    case '(': k = Tok::LParen; ++depth; break;
    case ')': k = Tok::RParen; depth = depth ? depth - 1 : 0; break;
    case '[': k = Tok::LBracket; ++depth; break;
    case ']': k = Tok::RBracket; depth = depth ? depth - 1 : 0; break;
    // Inside braces statements delimit themselves (netlang.md section 2).
    case '{': k = Tok::LBrace; ++depth; break;
    case '}': k = Tok::RBrace; depth = depth ? depth - 1 : 0; break;
    case ',': k = Tok::Comma; break;
    case ':': k = Tok::Colon; break;
    case '=': k = Tok::Equal; break;
    case '+': k = Tok::Plus; break;
    case '-': k = Tok::Minus; break;
    case '*': k = Tok::Star; break;
    case '/': k = Tok::Slash; break;
    case '|':
      if (p + 1 < end && p[1] == '>') {
        k = Tok::Pipe;
        len = 2;
        break;
      }
      [[fallthrough]];
    default: {
      src.error(llvm::SMLoc::getFromPointer(p))
          << "unexpected character '"
          << (c >= 32 && c < 127 ? std::string(1, c)
                                 : "\\x" + llvm::utohexstr((uint8_t)c))
          << "'";
      ++p;
      continue;
    }
    }
    push(k, p, p + len);
    p += len;
  }
  if (!toks.empty() && toks.back().kind != Tok::Newline)
    push(Tok::Newline, end, end);
  push(Tok::Eof, end, end);
  return toks;
}
