//===- KernelBuild.cpp - Compiling kernels: in parallel, cached -----------===//
//
// Kernels are independent Halide pipelines. Halide 14 lowers and compiles
// one pipeline on one thread, so the jobs are spread over forked worker
// processes that take job numbers from a pipe (each compiles, writes its
// object file and takes the next). The parent forks after every pipeline
// is defined and runs no threads of its own (netc disables MLIR's), so the
// children start from a consistent copy.
//
//===----------------------------------------------------------------------===//
#include "codegen/KernelBuild.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/SHA256.h"

#include "Halide.h"

#include <cstdio>
#include <sys/wait.h>
#include <unistd.h>

using namespace netc;

#ifndef NETC_VERSION
#define NETC_VERSION "0.2"
#endif

std::string netc::digest(const std::string &text) {
  llvm::SHA256 h;
  h.update(text);
  auto d = h.final();
  return llvm::toHex(llvm::ArrayRef<uint8_t>(d.data(), 12), /*LowerCase=*/true);
}

std::string netc::cacheSalt() {
  std::string exe = llvm::sys::fs::getMainExecutable(nullptr, nullptr);
  llvm::sys::fs::file_status st;
  std::string id = std::string("netc ") + NETC_VERSION;
  if (!llvm::sys::fs::status(exe, st))
    id += " " + std::to_string(st.getSize()) + " " +
          std::to_string(st.getLastModificationTime().time_since_epoch().count());
  return id;
}

namespace {

std::string readAll(const std::string &path) {
  auto buf = llvm::MemoryBuffer::getFile(path);
  return buf ? (*buf)->getBuffer().str() : std::string();
}

/// Runs one job, catching what Halide throws; the message goes to
/// `path.err`.
bool runJob(ObjectJob &job) {
  try {
    job.run(job.path);
    return true;
  } catch (const Halide::Error &e) {
    if (FILE *f = fopen((job.path + ".err").c_str(), "w")) {
      fputs(e.what(), f);
      fclose(f);
    }
  } catch (const std::exception &e) {
    if (FILE *f = fopen((job.path + ".err").c_str(), "w")) {
      fputs(e.what(), f);
      fclose(f);
    }
  }
  return false;
}

std::optional<std::string> runAll(std::vector<ObjectJob *> &pending, int workers) {
  if (workers <= 1 || pending.size() <= 1) {
    for (ObjectJob *j : pending)
      if (!runJob(*j))
        return readAll(j->path + ".err");
    return std::nullopt;
  }
  int fds[2];
  if (pipe(fds) != 0)
    return std::string("cannot create a pipe for the kernel workers");
  for (int i = 0; i < (int)pending.size(); ++i)
    if (write(fds[1], &i, sizeof i) != (ssize_t)sizeof i)
      return std::string("cannot queue the kernel jobs");
  close(fds[1]);
  fflush(nullptr);
  std::vector<pid_t> pids;
  for (int w = 0; w < workers; ++w) {
    pid_t pid = fork();
    if (pid == 0) {
      int i, rc = 0;
      while (read(fds[0], &i, sizeof i) == (ssize_t)sizeof i)
        if (!runJob(*pending[i]))
          rc = 1;
      _exit(rc);
    }
    if (pid < 0)
      break;
    pids.push_back(pid);
  }
  close(fds[0]);
  if (pids.empty())
    return std::string("cannot start kernel workers");
  bool crashed = false;
  for (pid_t pid : pids) {
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status))
      crashed = true;
  }
  for (ObjectJob *j : pending) {
    if (llvm::sys::fs::exists(j->path + ".err"))
      return readAll(j->path + ".err");
    if (!llvm::sys::fs::exists(j->path))
      return std::string(crashed ? "a kernel worker crashed" : "a kernel was not compiled") +
             " (" + llvm::sys::path::filename(j->path).str() + ")";
  }
  return std::nullopt;
}

} // namespace

std::optional<std::string> netc::buildObjects(std::vector<ObjectJob> &jobs,
                                              const std::string &cacheDir,
                                              int workers, int &hits) {
  hits = 0;
  if (!cacheDir.empty() && llvm::sys::fs::create_directories(cacheDir))
    return "cannot create the kernel cache '" + cacheDir + "'";
  auto cached = [&](const ObjectJob &j) {
    llvm::SmallString<256> p(cacheDir);
    llvm::sys::path::append(p, j.key + ".o");
    return p.str().str();
  };
  std::vector<ObjectJob *> pending;
  for (ObjectJob &j : jobs) {
    if (!cacheDir.empty() && !j.key.empty() &&
        !llvm::sys::fs::copy_file(cached(j), j.path)) {
      ++hits;
      continue;
    }
    pending.push_back(&j);
  }
  if (auto err = runAll(pending, workers))
    return err;
  if (!cacheDir.empty())
    for (ObjectJob *j : pending) {
      if (j->key.empty())
        continue;
      // Written under a unique name, then renamed: concurrent netc runs
      // sharing a cache never see half an object.
      std::string tmp = cached(*j) + ".tmp" + std::to_string(getpid());
      if (!llvm::sys::fs::copy_file(j->path, tmp))
        llvm::sys::fs::rename(tmp, cached(*j));
    }
  return std::nullopt;
}
