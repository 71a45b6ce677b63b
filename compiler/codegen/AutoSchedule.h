//===- AutoSchedule.h - Halide's autoschedulers as a netc schedule -*- C++ -*-===//
//
// `netc --schedule=auto-mullapudi2016|auto-adams2019|auto-li2018` hands the
// lowered pipeline to one of the autoschedulers Halide 14 ships as plugins,
// instead of the project's own schedule (schedule/X86Schedule.cpp). They are
// there for comparison: the project's schedule templates are the main road.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_CODEGEN_AUTOSCHEDULE_H
#define NETC_CODEGEN_AUTOSCHEDULE_H

#include "codegen/Lowered.h"

#include <string>
#include <vector>

namespace netc {

/// Schedules every entry of `model` with the autoscheduler that the
/// `--schedule=` value `schedule` names (one isKnownSchedule accepts, other
/// than "netc"). The stages must not be scheduled yet. Inputs and outputs
/// get estimates from their static shapes, the batch dim from
/// `batchEstimate`. Appends the generated schedule source to `log` (shown by
/// `--emit=halide`). Throws Halide::Error when the plugin cannot be loaded
/// or the autoscheduler fails.
void autoSchedule(LoweredModel &model, const Halide::Target &target,
                  const std::string &schedule, int64_t batchEstimate,
                  std::vector<std::string> &log);

/// While alive, takes Halide's compile-time warnings: shown on stderr only
/// with `verbose` (the autoschedulers' schedules draw dozens), except that
/// one saying the pipeline is "guaranteed to fail an assertion at runtime"
/// (e.g. a schedule reading an input outside its bounds) makes check()
/// throw, so that no library that cannot run is written.
class AutoScheduleWarnings : public Halide::CompileTimeErrorReporter {
public:
  AutoScheduleWarnings(std::string schedule, bool verbose);
  ~AutoScheduleWarnings() override;
  void warning(const char *msg) override;
  [[noreturn]] void error(const char *msg) override;
  /// Throws Halide::CompileError after a fatal warning.
  void check() const;

private:
  std::string schedule;
  bool verbose;
  std::string fatal;
};

} // namespace netc

#endif // NETC_CODEGEN_AUTOSCHEDULE_H
