//===- Frontend.h - From a .net file to the net dialect ---------*- C++ -*-===//
#ifndef NETC_FRONTEND_FRONTEND_H
#define NETC_FRONTEND_FRONTEND_H

#include "frontend/AST.h"
#include "frontend/Lexer.h"
#include "frontend/MLIRGen.h"

#include <memory>

namespace netc {

/// The main file and, transitively, every file it imports, parsed.
struct ParsedProgram {
  std::vector<std::unique_ptr<Module>> files; // files[0] is the main file
};

/// Loads `path` into the source manager (reporting a missing file), lexes
/// and parses it and its imports (relative to the importing file; cycles are
/// reported). Returns nullopt when any error was reported.
std::optional<ParsedProgram> parseProgram(const Source &src,
                                          llvm::StringRef path);

/// Lexes only the main file (for `--emit=tokens`).
std::optional<std::vector<Token>> lexFile(const Source &src,
                                          llvm::StringRef path);

/// Parses, checks and generates the dialect.
/// `fixedBatch` > 0 replaces the symbolic batch dim by that size.
std::optional<NetProgram> genProgram(const Source &src,
                                     const ParsedProgram &parsed,
                                     int64_t fixedBatch = 0);

} // namespace netc

#endif // NETC_FRONTEND_FRONTEND_H
