//===- TargetDesc.h - What the tiling pass knows of a CPU -------*- C++ -*-===//
//
// Free of Halide headers so the MLIR side (the pass pipeline) can use it;
// TargetDesc.cpp asks Halide what the `--target` (or the host) has.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_CODEGEN_TARGETDESC_H
#define NETC_CODEGEN_TARGETDESC_H

#include <cstdint>
#include <string>

namespace netc {

struct TargetDesc {
  int vectorWidth = 8; // float lanes per vector register
  int registers = 16;  // vector registers
  int64_t l2Bytes = 1 << 20; // L2 cache per core
  bool vnni = false; // int8 layers may use AVX-512 VNNI (vpdpbusd)
};

/// The description of a `--target=` value ("host" asks the CPU).
TargetDesc targetDesc(const std::string &target);

} // namespace netc

#endif // NETC_CODEGEN_TARGETDESC_H
