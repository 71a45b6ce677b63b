//===- Options.h - net-run command line ------------------------*- C++ -*-===//
#ifndef NETRUN_OPTIONS_H
#define NETRUN_OPTIONS_H

#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace netrun {

struct Options {
  std::string model;
  std::vector<std::pair<std::string, std::string>> inputs; // name, .npy path
  std::string outputDir = ".";
  bool outputDirGiven = false;
  bool loss = false;
  bool grad = false;
  bool print = false;
  bool randomInputs = false;
  bool help = false;
  int benchIters = 0; // 0: no benchmark
  int threads = 0;    // 0: the model's default
  int64_t batch = -1; // -1: not given
  uint64_t seed = 0;
  std::string weights; // --weights: a .safetensors file for the library
  // --synthetic-weights S: deterministic weights from seed S (netrt_open_synthetic)
  int64_t syntheticWeights = -1;
  // --expect DIR: compare every result with DIR/<name>.npy (--tolerance)
  std::string expectDir;
  double tolerance = 1e-4;
};

/// Parses argv; returns false with `err` set on a usage error.
bool parseOptions(int argc, char **argv, Options &opts, std::string &err);

void printUsage(FILE *out);

} // namespace netrun

#endif // NETRUN_OPTIONS_H
