//===- TargetDesc.cpp - Vector width and register count of a target -------===//
#include "codegen/TargetDesc.h"
#include "codegen/Lowered.h"

#include <unistd.h>

netc::TargetDesc netc::targetDesc(const std::string &target) {
  Halide::Target t = halideTarget(target);
  TargetDesc d;
  d.vectorWidth = t.natural_vector_size<float>();
  // AVX-512 has 32 zmm registers; AVX2 and SSE have 16.
  d.registers = t.has_feature(Halide::Target::AVX512) ? 32 : 16;
  d.vnni = targetHasVnni(target);
  // Cache sizes are not part of a Halide target: the host's own, else the
  // common 1 MiB per core.
  if (target == "host") {
    long l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
    if (l2 > 0)
      d.l2Bytes = l2;
  }
  return d;
}
