//===- TargetSchedule.cpp - Which templates a target gets -----------------===//
#include "codegen/schedule/TargetSchedule.h"

const netc::TargetSchedule *
netc::targetScheduleFor(const Halide::Target &target) {
  for (const TargetSchedule *s : {&x86Schedule(), &gpuSchedule()})
    if (s->handles(target))
      return s;
  return nullptr;
}
