//===- Frontend.cpp - From a .net file to the net dialect -----------------===//
#include "frontend/Frontend.h"
#include "frontend/Parser.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"

#include <functional>
#include "llvm/Support/Path.h"

#include <set>

using namespace netc;

static std::optional<unsigned> loadBuffer(const Source &src,
                                          llvm::StringRef path,
                                          llvm::SMLoc includedFrom) {
  auto buf = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buf) {
    if (includedFrom.isValid())
      src.error(includedFrom) << "cannot read '" << path
                              << "': " << buf.getError().message();
    else {
      src.noteError();
      mlir::emitError(mlir::FileLineColLoc::get(src.ctx, path, 0, 0))
          << "cannot read '" << path << "': " << buf.getError().message();
    }
    return std::nullopt;
  }
  return src.mgr.AddNewSourceBuffer(std::move(*buf), includedFrom);
}

std::optional<std::vector<Token>> netc::lexFile(const Source &src,
                                                llvm::StringRef path) {
  std::optional<unsigned> id = loadBuffer(src, path, llvm::SMLoc());
  if (!id)
    return std::nullopt;
  std::vector<Token> toks = lex(src, *id);
  if (src.errors())
    return std::nullopt;
  return toks;
}

std::optional<ParsedProgram> netc::parseProgram(const Source &src,
                                                llvm::StringRef path) {
  ParsedProgram prog;
  std::set<std::string> seen;
  // Depth-first over imports; `stack` detects import cycles.
  std::vector<std::string> stack;
  std::function<void(llvm::StringRef, llvm::SMLoc)> visit =
      [&](llvm::StringRef file, llvm::SMLoc from) {
        llvm::SmallString<256> real;
        if (llvm::sys::fs::real_path(file, real))
          real = file;
        if (llvm::is_contained(stack, real.str().str())) {
          src.error(from) << "import cycle: '" << file
                          << "' imports itself";
          return;
        }
        if (!seen.insert(real.str().str()).second)
          return;
        std::optional<unsigned> id = loadBuffer(src, file, from);
        if (!id)
          return;
        std::vector<Token> toks = lex(src, *id);
        auto m = std::make_unique<Module>(parse(src, *id, toks));
        stack.push_back(real.str().str());
        for (const StmtPtr &s : m->stmts) {
          if (s->kind != Stmt::Import)
            continue;
          llvm::SmallString<256> p(s->path);
          if (!llvm::sys::path::is_absolute(p)) {
            p = llvm::sys::path::parent_path(file);
            llvm::sys::path::append(p, s->path);
          }
          visit(p, s->nameLoc);
        }
        stack.pop_back();
        prog.files.push_back(std::move(m));
      };
  visit(path, llvm::SMLoc());
  if (src.errors())
    return std::nullopt;
  // Imports were appended before their importer: put the main file first.
  std::rotate(prog.files.begin(), prog.files.end() - 1, prog.files.end());
  return prog;
}

std::optional<NetProgram> netc::genProgram(const Source &src,
                                           const ParsedProgram &parsed,
                                           int64_t fixedBatch) {
  std::vector<const Module *> imports;
  for (size_t i = 1; i < parsed.files.size(); ++i) {
    imports.push_back(parsed.files[i].get());
    for (const StmtPtr &s : parsed.files[i]->stmts)
      if (s->kind != Stmt::Block && s->kind != Stmt::Import)
        src.warning(s->loc) << "only blocks are imported; this statement "
                               "of an imported file is ignored";
  }
  return genNet(src, *parsed.files[0], imports, fixedBatch);
}
