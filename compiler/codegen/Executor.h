//===- Executor.h - The C executor of a model library (internal) -*- C++ -*-===//
//
// The generated C part of libNAME.so: the netrt ABI (descriptor, entry
// points, errors), the weights (embedded raw parameters or bound ones,
// prepared once) and, per entry point, the kernel calls over one arena
// (executor/Runtime.c is its fixed part).
//
//===----------------------------------------------------------------------===//
#ifndef NETC_CODEGEN_EXECUTOR_H
#define NETC_CODEGEN_EXECUTOR_H

#include "codegen/Lowered.h"

#include <string>

namespace netc {

/// NAME.h: the netrt ABI restated, plus the model's entry points and a
/// comment listing its inputs and outputs.
std::string modelHeader(const Program &prog);

/// The executor's C source; it includes "NAME.h". The embedded raw
/// parameters are in the library at `offsets` (byte offsets into the blob
/// symbol netc_weights_blob, one per Program::raw, -1 for those bound when
/// the library is opened); with `profile` it times every call and prints the
/// table when the library is unloaded.
std::string executorSource(const Program &prog, bool profile,
                           const std::vector<int64_t> &offsets);

/// The call order of every entry point, one line per call (--emit=halide).
std::string describeCalls(const Program &prog);

/// The linker version script: only the ABI's symbols are exported.
std::string versionScript(const Program &prog);

} // namespace netc

#endif // NETC_CODEGEN_EXECUTOR_H
