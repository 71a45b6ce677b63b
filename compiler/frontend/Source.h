//===- Source.h - Source buffers and located diagnostics --------*- C++ -*-===//
//
// Every front-end diagnostic goes through MLIR's diagnostic engine with a
// FileLineColLoc, so lexer, parser, sema and op verifiers print alike:
// `file:line:col: error: message`, the source line and a caret.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_FRONTEND_SOURCE_H
#define NETC_FRONTEND_SOURCE_H

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "llvm/Support/SMLoc.h"
#include "llvm/Support/SourceMgr.h"

namespace netc {

class Source {
public:
  Source(llvm::SourceMgr &mgr, mlir::MLIRContext *ctx) : mgr(mgr), ctx(ctx) {}

  mlir::Location loc(llvm::SMLoc at) const {
    unsigned buf = mgr.FindBufferContainingLoc(at);
    if (!buf)
      return mlir::UnknownLoc::get(ctx);
    auto [line, col] = mgr.getLineAndColumn(at, buf);
    return mlir::FileLineColLoc::get(
        ctx, mgr.getMemoryBuffer(buf)->getBufferIdentifier(), line, col);
  }
  mlir::InFlightDiagnostic error(llvm::SMLoc at) const {
    ++numErrors;
    return mlir::emitError(loc(at));
  }
  mlir::InFlightDiagnostic warning(llvm::SMLoc at) const {
    return mlir::emitWarning(loc(at));
  }
  /// Counts errors reported through MLIR directly (e.g. by op inference).
  void noteError() const { ++numErrors; }
  unsigned errors() const { return numErrors; }

  llvm::SourceMgr &mgr;
  mlir::MLIRContext *ctx;

private:
  mutable unsigned numErrors = 0;
};

} // namespace netc

#endif // NETC_FRONTEND_SOURCE_H
