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

/// Where one raw parameter is in the library's weight blob.
struct StoredRaw {
  int64_t offset = -1; ///< from netc_weights_blob; -1: bound at open
  int64_t bytes = 0;   ///< as stored
  bool coded = false;  ///< WeightCoding.h's form, else f32
};

/// The executor's C source; it includes "NAME.h". The embedded raw
/// parameters are in the library as `stored` says (one per Program::raw);
/// with `profile` it times every call and prints the table when the
/// library is unloaded. `device` is where the kernels run: 0 the CPU,
/// 1 CUDA, 2 OpenCL (activations then live in device memory).
std::string executorSource(const Program &prog, bool profile,
                           const std::vector<StoredRaw> &stored, int device = 0);

/// The call order of every entry point, one line per call (--emit=halide).
std::string describeCalls(const Program &prog);

/// The linker version script: only the ABI's symbols are exported.
std::string versionScript(const Program &prog);

} // namespace netc

#endif // NETC_CODEGEN_EXECUTOR_H
