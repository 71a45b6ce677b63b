//===- TargetDesc.cpp - Vector width and register count of a target -------===//
#include "codegen/TargetDesc.h"
#include "codegen/Lowered.h"

#include "llvm/ADT/StringRef.h"

#include <unistd.h>

bool netc::isGpuTarget(const std::string &target) {
  return target == "opencl" || llvm::StringRef(target).starts_with("cuda");
}

/// The device each GPU target is sized for: the largest part of its CUDA
/// generation (sm_80: A100, sm_86: RTX 3090, sm_75: T4); the code runs on
/// later GPUs too (the driver JIT-compiles the PTX; an H100/H200 runs the
/// sm_80 code). OpenCL: a conservative generic device (PoCL runs it on
/// the CPU).
static netc::TargetDesc::Gpu gpuDesc(const std::string &target) {
  netc::TargetDesc::Gpu g;
  if (target == "opencl") {
    g.opencl = true;
    g.sms = 16;
    g.registers = 64;
    g.shared = 32768;
    g.threads = 256;
    return g;
  }
  g.capability = target == "cuda-sm75" ? 75 : target == "cuda-sm86" ? 86 : 80;
  g.sms = g.capability == 75 ? 40 : g.capability == 86 ? 82 : 108;
  return g;
}

netc::TargetDesc netc::targetDesc(const std::string &target) {
  Halide::Target t = halideTarget(target);
  TargetDesc d;
  if (isGpuTarget(target)) {
    d.gpu = gpuDesc(target);
    d.vectorWidth = d.gpu->warp;
    d.l2Bytes = d.gpu->shared;
    return d;
  }
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
