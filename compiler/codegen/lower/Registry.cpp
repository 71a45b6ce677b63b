//===- Registry.cpp - The table of lowerings ------------------------------===//
#include "codegen/lower/LowerContext.h"

using namespace netc;

const LowerTable &netc::lowerings() {
  static const LowerTable table = [] {
    LowerTable t;
    registerLayerLowerings(t);
    registerConvLowerings(t);
    registerPoolLowerings(t);
    registerElementwiseLowerings(t);
    registerTensorLowerings(t);
    registerLossLowerings(t);
    registerMathLowerings(t);
    registerSpatialLowerings(t);
    registerVisionLowerings(t);
    registerLayerGradLowerings(t);
    registerTensorGradLowerings(t);
    registerLossGradLowerings(t);
    registerSpatialGradLowerings(t);
    return t;
  }();
  return table;
}
