//===- Registry.cpp - The table of built-in ops ---------------------------===//
#include "frontend/OpEmitter.h"

using namespace netc;

const OpTable &netc::builtinOps() {
  static const OpTable table = [] {
    OpTable t;
    registerLayerOps(t);
    registerPoolOps(t);
    registerElementwiseOps(t);
    registerTensorOps(t);
    registerLossOps(t);
    registerMathOps(t);
    registerSpatialOps(t);
    registerVisionOps(t);
    return t;
  }();
  return table;
}
