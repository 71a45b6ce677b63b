//===- TargetSchedule.h - Schedule templates per kind of target -*- C++ -*-===//
//
// The lowerings (lower/) build target-neutral algorithms; how they run is
// a target's schedule templates, chosen here from the Halide target. x86
// (X86Schedule.cpp, with ConvSchedule.cpp and WinogradSchedule.cpp) is
// one; a GPU target's templates implement the same interface beside it.
// The choices the templates follow (#net.tile, #net.layout, #net.strip)
// come from the module's TargetAttrInterface in the net passes.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_CODEGEN_SCHEDULE_TARGETSCHEDULE_H
#define NETC_CODEGEN_SCHEDULE_TARGETSCHEDULE_H

#include "codegen/Lowered.h"

#include "llvm/ADT/StringRef.h"

namespace netc {

class TargetSchedule {
public:
  virtual ~TargetSchedule() = default;
  /// For diagnostics: "x86".
  virtual llvm::StringRef name() const = 0;
  /// Whether these templates generate code for `target`.
  virtual bool handles(const Halide::Target &target) const = 0;
  /// Schedules every stage of one kernel for `optLevel`, appending one line
  /// per decision to `log` (shown by `--emit=halide`).
  virtual void schedule(LoweredModel &model, const Halide::Target &target,
                        int optLevel, std::vector<std::string> &log) const = 0;
};

/// The x86 CPU templates.
const TargetSchedule &x86Schedule();

/// The GPU templates (CUDA and OpenCL).
const TargetSchedule &gpuSchedule();

/// The templates for `target`, or null when netc has none for it.
const TargetSchedule *targetScheduleFor(const Halide::Target &target);

} // namespace netc

#endif // NETC_CODEGEN_SCHEDULE_TARGETSCHEDULE_H
