//===- WeightObject.h - The weights as a relocatable ELF object -*- C++ -*-===//
//
// A library's embedded weights are one read-only blob. Going through the
// assembler (`.incbin`) or `ld -b binary` copies it once more than needed,
// which for vgg16's 553 MB costs seconds; netc writes the object itself: an
// ELF64 x86-64 relocatable file with one SHF_ALLOC section
// `.rodata.netc_weights` and one hidden symbol at its start. The linker then
// copies the bytes once, into the library.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_CODEGEN_WEIGHTOBJECT_H
#define NETC_CODEGEN_WEIGHTOBJECT_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <functional>
#include <string>

namespace netc {

/// One piece of the blob: `bytes` bytes at `offset` (a multiple of `align`).
struct BlobPiece {
  int64_t bytes = 0;
  int64_t align = 64;
  int64_t offset = 0; // filled by layoutBlob
};

/// Places the pieces one after the other, each aligned; returns the size.
int64_t layoutBlob(llvm::MutableArrayRef<BlobPiece> pieces);

/// Writes `path`: an object whose section holds the pieces at their offsets,
/// each piece's bytes written by `write(i, os)`, which must write exactly
/// pieces[i].bytes bytes (or set `error` and return false). `symbol` names
/// the section's start (global, hidden).
bool writeWeightObject(
    const std::string &path, llvm::StringRef symbol,
    llvm::ArrayRef<BlobPiece> pieces,
    const std::function<bool(size_t, llvm::raw_ostream &, std::string &)> &write,
    std::string &error);

} // namespace netc

#endif
