//===- TargetDesc.h - What the tiling pass knows of a CPU -------*- C++ -*-===//
//
// Free of Halide headers so the MLIR side (the pass pipeline) can use it;
// TargetDesc.cpp asks Halide what the `--target` (or the host) has.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_CODEGEN_TARGETDESC_H
#define NETC_CODEGEN_TARGETDESC_H

#include <cstdint>
#include <optional>
#include <string>

namespace netc {

struct TargetDesc {
  int vectorWidth = 8; // float lanes per vector register
  int registers = 16;  // vector registers
  int64_t l2Bytes = 1 << 20; // L2 cache per core
  bool vnni = false; // int8 layers may use AVX-512 VNNI (vpdpbusd)

  /// A GPU target's device (`--target=cuda*`, `opencl`): kernels on the
  /// device, the executor on the host.
  struct Gpu {
    bool opencl = false;
    int capability = 0;     // CUDA compute capability (80 = sm_80), 0: OpenCL
    int sms = 0;            // streaming multiprocessors (compute units)
    int warp = 32;          // threads that run in lock step
    int registers = 255;    // 32-bit registers per thread
    int64_t shared = 49152; // shared memory per block, bytes
    int threads = 1024;     // threads per block
  };
  std::optional<Gpu> gpu;
};

/// Whether a `--target=` value names a GPU target.
bool isGpuTarget(const std::string &target);

/// The description of a `--target=` value ("host" asks the CPU).
TargetDesc targetDesc(const std::string &target);

} // namespace netc

#endif // NETC_CODEGEN_TARGETDESC_H
