//===- Wrapper.h - C glue of a model library (internal) ---------*- C++ -*-===//
#ifndef NETC_CODEGEN_WRAPPER_H
#define NETC_CODEGEN_WRAPPER_H

#include "codegen/Lowered.h"

#include <string>

namespace netc {

/// NAME.h: the netrt ABI restated, plus the model's entry points and a
/// comment listing its inputs and outputs.
std::string modelHeader(const LoweredModel &model);

/// The C source that turns netrt tensors into halide_buffer_t, calls the
/// pipelines `<implPrefix><entry>`, records errors per thread and exports
/// `netrt_model()` and `netrt_forward_inputs()`. It includes "NAME.h".
std::string wrapperSource(const LoweredModel &model,
                          const std::string &implPrefix);

/// The linker version script: only the ABI's symbols are exported.
std::string versionScript(const LoweredModel &model);

} // namespace netc

#endif // NETC_CODEGEN_WRAPPER_H
