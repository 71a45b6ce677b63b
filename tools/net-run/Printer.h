//===- Printer.h - NumPy-like printing of tensor values ---------*- C++ -*-===//
#ifndef NETRUN_PRINTER_H
#define NETRUN_PRINTER_H

#include "netrt.h"

#include <string>

namespace netrun {

/// Formats the values of a tensor like NumPy's str(): nested brackets, one
/// row per line for 2-D and up, "..." in place of the middle of large arrays.
std::string formatValues(const netrt_tensor &t);

} // namespace netrun

#endif // NETRUN_PRINTER_H
