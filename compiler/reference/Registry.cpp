//===- Registry.cpp - The table of reference rules ------------------------===//
#include "reference/Evaluator.h"

using namespace netc;

const RefTable &netc::referenceRules() {
  static const RefTable table = [] {
    RefTable t;
    registerMathRules(t);
    registerSpatialRules(t);
    registerVisionRules(t);
    return t;
  }();
  return table;
}
