//===- Registry.cpp - The table of reference rules ------------------------===//
#include "reference/Evaluator.h"

using namespace netc;

const RefTable &netc::referenceRules() {
  static const RefTable table = [] {
    RefTable t;
    return t;
  }();
  return table;
}
