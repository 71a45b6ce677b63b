//===- KernelBuild.h - Compiling kernels: in parallel, cached ---*- C++ -*-===//
#ifndef NETC_CODEGEN_KERNELBUILD_H
#define NETC_CODEGEN_KERNELBUILD_H

#include "codegen/Lowered.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace netc {

/// One object file to make: `run` writes `path` (throws Halide::Error on
/// failure). With a cache, `key` names it there (empty: never cached).
struct ObjectJob {
  std::string path;
  std::string key;
  std::function<void(const std::string &path)> run;
};

/// Makes every job's object: from `cacheDir` when it holds the key, else by
/// running the job, in up to `workers` processes at once (forked: Halide 14
/// keeps global state that threads would share), then stores it in the
/// cache. On failure returns what went wrong. `hits` counts cache hits.
std::optional<std::string> buildObjects(std::vector<ObjectJob> &jobs,
                                        const std::string &cacheDir,
                                        int workers, int &hits);

/// What a cache key starts with: netc's version and this executable's
/// identity (size and time), so that a rebuilt netc never reuses kernels.
std::string cacheSalt();

/// A short hex digest of `text`.
std::string digest(const std::string &text);

} // namespace netc

#endif // NETC_CODEGEN_KERNELBUILD_H
