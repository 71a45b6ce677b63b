//===- Options.cpp - net-run command line ---------------------------------===//
//
// Options take their value as the next argument or after '='
// (`--bench 10`, `--bench=10`).
//
//===----------------------------------------------------------------------===//

#include "Options.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>

using namespace netrun;

void netrun::printUsage(FILE *out) {
  fputs(
      "USAGE: net-run OUT/libNAME.so [options]\n"
      "\n"
      "Runs a model compiled by netc on .npy inputs and writes each output\n"
      "as DIR/<name>.npy, then prints one line per output:\n"
      "  probs: f32[4, 10] -> DIR/probs.npy\n"
      "\n"
      "OPTIONS:\n"
      "  --input NAME=FILE.npy  value of input NAME (C order, '<f4' or '<i4';\n"
      "                         '<f8' and '<i8' are converted)\n"
      "  --output-dir DIR       where outputs go (default: .; created if "
      "missing)\n"
      "  --loss                 also run the loss entry point and write each\n"
      "                         loss as DIR/<name>.npy\n"
      "  --grad                 also run the backward entry point and write\n"
      "                         DIR/grad/<name>.npy (needs netc --train)\n"
      "  --random-inputs        make every input not given by --input random:\n"
      "                         f32 ~ normal(0, 1), i32 uniform in [0, 2)\n"
      "  --batch B              the batch N of the random inputs\n"
      "  --seed S               seed of the random inputs (default 0)\n"
      "  --weights FILE         the library's weights from a .safetensors file\n"
      "                         (needed by a --no-embed-weights build)\n"
      "  --expect DIR           compare each result with DIR/<name>.npy (as\n"
      "                         another build wrote it): prints its max\n"
      "                         relative error (max |got - want| / max |want|)\n"
      "                         and exits 1 if one is above --tolerance\n"
      "  --tolerance T          for --expect (default 1e-4)\n"
      "  --synthetic-weights S  a --no-embed-weights build's weights made from\n"
      "                         seed S, the same on every machine (He-uniform\n"
      "                         conv/fc weights, batchnorm near the identity)\n"
      "  --bench ITERS          run forward ITERS times after 2 warm-up runs\n"
      "                         and print only\n"
      "                         'median_ms=<m> min_ms=<m> iters=<n>'; outputs\n"
      "                         are then written only with --output-dir\n"
      "  --threads T            number of threads the model may use\n"
      "  --print                also print the values of what is written\n"
      "  --help                 this text\n"
      "\n"
      "Nothing is written unless every input is valid and every run "
      "succeeds.\n"
      "Exit status: 0 on success, 1 on any error.\n",
      out);
}

static bool parseInt(const std::string &opt, const std::string &text,
                     int64_t min, int64_t max, int64_t &value,
                     std::string &err) {
  char *end = nullptr;
  errno = 0;
  long long v = strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno == ERANGE || v < min || v > max) {
    err = "invalid value '" + text + "' for " + opt + " (expected an integer";
    err += min > 0 ? " >= " + std::to_string(min) + ")" : ")";
    return false;
  }
  value = v;
  return true;
}

bool netrun::parseOptions(int argc, char **argv, Options &opts,
                          std::string &err) {
  bool batchGiven = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.size() < 2 || arg[0] != '-') {
      if (!opts.model.empty()) {
        err = "more than one model given ('" + opts.model + "' and '" + arg +
              "')";
        return false;
      }
      opts.model = arg;
      continue;
    }
    std::string name = arg, value;
    bool hasValue = false;
    size_t eq = arg.find('=');
    if (arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      hasValue = true;
    }
    // Fetches the value of an option that takes one.
    auto takeValue = [&]() {
      if (hasValue)
        return true;
      if (i + 1 >= argc) {
        err = "missing value after " + name;
        return false;
      }
      value = argv[++i];
      return true;
    };
    auto flag = [&](bool &field) {
      if (hasValue) {
        err = name + " takes no value";
        return false;
      }
      field = true;
      return true;
    };
    int64_t n;
    if (name == "--help" || name == "-h") {
      opts.help = true;
    } else if (name == "--loss") {
      if (!flag(opts.loss))
        return false;
    } else if (name == "--grad") {
      if (!flag(opts.grad))
        return false;
    } else if (name == "--print") {
      if (!flag(opts.print))
        return false;
    } else if (name == "--random-inputs") {
      if (!flag(opts.randomInputs))
        return false;
    } else if (name == "--input") {
      if (!takeValue())
        return false;
      size_t sep = value.find('=');
      if (sep == std::string::npos || sep == 0 || sep + 1 == value.size()) {
        err = "expected --input NAME=FILE.npy, got '" + value + "'";
        return false;
      }
      std::string input = value.substr(0, sep);
      for (auto &given : opts.inputs)
        if (given.first == input) {
          err = "input '" + input + "' given twice";
          return false;
        }
      opts.inputs.emplace_back(input, value.substr(sep + 1));
    } else if (name == "--output-dir") {
      if (!takeValue())
        return false;
      if (value.empty()) {
        err = "empty --output-dir";
        return false;
      }
      opts.outputDir = value;
      opts.outputDirGiven = true;
    } else if (name == "--bench") {
      if (!takeValue() || !parseInt(name, value, 1, 1 << 30, n, err))
        return false;
      opts.benchIters = int(n);
    } else if (name == "--threads") {
      if (!takeValue() || !parseInt(name, value, 1, 4096, n, err))
        return false;
      opts.threads = int(n);
    } else if (name == "--batch") {
      if (!takeValue() || !parseInt(name, value, 1, INT32_MAX, n, err))
        return false;
      opts.batch = n;
      batchGiven = true;
    } else if (name == "--weights") {
      if (!takeValue())
        return false;
      opts.weights = value;
    } else if (name == "--expect") {
      if (!takeValue())
        return false;
      opts.expectDir = value;
    } else if (name == "--tolerance") {
      if (!takeValue())
        return false;
      char *end = nullptr;
      opts.tolerance = std::strtod(value.c_str(), &end);
      if (value.empty() || *end || !(opts.tolerance >= 0)) {
        err = "--tolerance takes a number >= 0, got '" + value + "'";
        return false;
      }
    } else if (name == "--synthetic-weights") {
      if (!takeValue() || !parseInt(name, value, 0, INT64_MAX, n, err))
        return false;
      opts.syntheticWeights = n;
    } else if (name == "--seed") {
      if (!takeValue() || !parseInt(name, value, 0, INT64_MAX, n, err))
        return false;
      opts.seed = uint64_t(n);
    } else {
      err = "unknown option '" + arg + "' (see --help)";
      return false;
    }
  }
  if (opts.help)
    return true;
  if (opts.model.empty()) {
    err = "no model given (usage: net-run OUT/libNAME.so --input x=x.npy)";
    return false;
  }
  if (batchGiven && !opts.randomInputs) {
    err = "--batch only applies with --random-inputs";
    return false;
  }
  if (!opts.expectDir.empty() && opts.benchIters) {
    err = "--expect cannot be combined with --bench";
    return false;
  }
  if (!opts.weights.empty() && opts.syntheticWeights >= 0) {
    err = "--weights and --synthetic-weights exclude each other";
    return false;
  }
  if (opts.print && opts.benchIters) {
    err = "--print cannot be combined with --bench";
    return false;
  }
  return true;
}
