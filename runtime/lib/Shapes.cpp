//===- Shapes.cpp - Resolving the batch and checking tensor shapes --------===//
//
// Every -1 dim of a descriptor is the same run-time batch N. N is fixed by
// the first given input that has a symbolic dim and the right rank; every
// other tensor is then checked against the descriptor with that N.
//
//===----------------------------------------------------------------------===//

#include "Handle.h"

#include <cstdio>
#include <cstring>

using namespace netrt;

static const char *dtypeStr(int32_t dtype) {
  switch (dtype) {
  case NETRT_F32:
    return "f32";
  case NETRT_I32:
    return "i32";
  default:
    return nullptr;
  }
}

static bool hasSymbolicDim(const netrt_tensor_info &info) {
  for (int32_t d = 0; d < info.rank; ++d)
    if (info.shape[d] < 0)
      return true;
  return false;
}

std::string netrt::formatInfo(const netrt_tensor_info &info, int64_t batch) {
  const char *dt = dtypeStr(info.dtype);
  std::string s = dt ? dt : "?";
  s += '[';
  for (int32_t d = 0; d < info.rank; ++d) {
    if (d)
      s += ", ";
    s += info.shape[d] < 0 ? std::string("N") : std::to_string(info.shape[d]);
  }
  s += ']';
  if (batch >= 0 && hasSymbolicDim(info))
    s += " (N = " + std::to_string(batch) + ")";
  return s;
}

std::string netrt::formatTensor(const netrt_tensor &t) {
  const char *dt = dtypeStr(t.dtype);
  std::string s = dt ? dt : "dtype" + std::to_string(t.dtype);
  s += '[';
  int32_t rank = t.rank < 0                ? 0
                 : t.rank > NETRT_MAX_RANK ? NETRT_MAX_RANK
                                           : t.rank;
  for (int32_t d = 0; d < rank; ++d) {
    if (d)
      s += ", ";
    s += std::to_string(t.shape[d]);
  }
  s += ']';
  if (rank != t.rank)
    s += " (rank " + std::to_string(t.rank) + ")";
  return s;
}

void netrt::concreteShape(const netrt_tensor_info &info, int64_t batch,
                          int64_t *shape) {
  for (int32_t d = 0; d < info.rank; ++d)
    shape[d] = info.shape[d] < 0 ? batch : info.shape[d];
}

/// The value of N this input implies, or -1.
static int64_t batchOf(const netrt_tensor_info &info, const netrt_tensor &t) {
  if (!t.data || t.rank != info.rank)
    return -1;
  for (int32_t d = 0; d < info.rank; ++d)
    if (info.shape[d] < 0)
      return t.shape[d];
  return -1;
}

extern "C" int64_t netrt_batch(const netrt_handle *h,
                               const netrt_tensor *inputs, int32_t num_inputs) {
  if (!h || !inputs)
    return -1;
  const netrt_model_info *info = h->info;
  for (int32_t i = 0; i < num_inputs && i < info->num_inputs; ++i) {
    int64_t n = batchOf(info->inputs[i], inputs[i]);
    if (n >= 0)
      return n;
  }
  return -1;
}

bool netrt::checkInputs(const netrt_handle *h, Entry entry,
                        const netrt_tensor *inputs, int32_t numInputs,
                        int64_t &batch, std::string &err) {
  const netrt_model_info *info = h->info;
  if (numInputs != info->num_inputs || (numInputs > 0 && !inputs)) {
    err = "model '" + std::string(info->name) + "' takes " +
          std::to_string(info->num_inputs) + " inputs, got " +
          std::to_string(inputs ? numInputs : 0);
    return false;
  }
  batch = netrt_batch(h, inputs, numInputs);
  if (batch == 0) {
    err = "the batch N must be at least 1, got 0";
    return false;
  }
  const char *which = entry == Entry::Forward ? "forward"
                      : entry == Entry::Loss  ? "loss"
                                              : "backward";
  for (int32_t i = 0; i < numInputs; ++i) {
    const netrt_tensor_info &want = info->inputs[i];
    const netrt_tensor &got = inputs[i];
    std::string prefix = "input '" + std::string(want.name) + "': ";
    if (!got.data) {
      if (!netrt_input_used(h, which, i))
        continue;
      // A tensor with no elements may legitimately have no buffer.
      if (got.rank != want.rank || netrt_numel(&got) != 0 ||
          got.dtype != want.dtype) {
        err = "missing input '" + std::string(want.name) + "': expected " +
              formatInfo(want, batch);
        return false;
      }
    }
    bool ok = got.dtype == want.dtype && got.rank == want.rank;
    for (int32_t d = 0; ok && d < want.rank; ++d) {
      int64_t w = want.shape[d] < 0 ? batch : want.shape[d];
      ok = got.shape[d] >= 0 && got.shape[d] == w;
    }
    if (!ok) {
      err = prefix + "expected " + formatInfo(want, batch) + ", got " +
            formatTensor(got);
      return false;
    }
  }
  return true;
}

extern "C" int netrt_check_entry_inputs(const netrt_handle *h,
                                        const char *which,
                                        const netrt_tensor *inputs,
                                        int32_t num_inputs, char *err,
                                        size_t err_size) {
  if (!h) {
    setError(err, err_size, "no model (null handle)");
    return 1;
  }
  Entry entry = parseEntry(which);
  if (entry == Entry::Unknown) {
    setError(err, err_size,
             "unknown entry point '" + std::string(which ? which : "") +
                 "' (expected forward, loss or backward)");
    return 1;
  }
  int64_t batch;
  std::string msg;
  if (!checkInputs(h, entry, inputs, num_inputs, batch, msg)) {
    setError(err, err_size, msg);
    return 1;
  }
  return 0;
}

extern "C" int netrt_check_inputs(const netrt_handle *h,
                                  const netrt_tensor *inputs,
                                  int32_t num_inputs, char *err,
                                  size_t err_size) {
  return netrt_check_entry_inputs(h, "forward", inputs, num_inputs, err,
                                  err_size);
}

extern "C" int netrt_output_shapes(const netrt_handle *h, const char *which,
                                   const netrt_tensor *inputs,
                                   netrt_tensor *outputs) {
  int32_t count = 0;
  const netrt_tensor_info *results = netrt_results(h, which, &count);
  if (!results || (count > 0 && !outputs))
    return 1;
  int64_t batch = netrt_batch(h, inputs, h->info->num_inputs);
  for (int32_t i = 0; i < count; ++i) {
    if (batch < 0 && hasSymbolicDim(results[i]))
      return 1;
    outputs[i].dtype = results[i].dtype;
    outputs[i].rank = results[i].rank;
    memset(outputs[i].shape, 0, sizeof(outputs[i].shape));
    concreteShape(results[i], batch, outputs[i].shape);
  }
  return 0;
}

extern "C" int netrt_format_type(const netrt_tensor_info *info, int64_t batch,
                                 char *buf, size_t size) {
  std::string s = info ? formatInfo(*info, batch) : "?";
  if (buf && size)
    snprintf(buf, size, "%s", s.c_str());
  return int(s.size());
}

extern "C" int64_t netrt_numel(const netrt_tensor *t) {
  if (!t || t->rank < 0 || t->rank > NETRT_MAX_RANK)
    return 0;
  int64_t n = 1;
  for (int32_t d = 0; d < t->rank; ++d)
    n *= t->shape[d];
  return n;
}
