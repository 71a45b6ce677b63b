/*===- DoubleModelFixture.c - A hand-written model library for tests ------===*
 *
 * What netc would emit for
 *   input x: f32[N, 3]      input label: i32[N]
 *   output y = 2 * x        loss total = sum(2 * x) + sum(label)
 * with a backward entry point writing d(total)/dx. Built three ways:
 *   default                       the model above
 *   -DFIXTURE_ABI_VERSION=99      a library from a future netc
 *   -DFIXTURE_NO_MODEL            a shared library that is not a model
 *   -DFIXTURE_NO_TRAIN            forward only (netc without --train)
 * forward fails (with a message) when x holds a NaN.
 *
 *===----------------------------------------------------------------------===*/
#include "netrt.h"

#include <math.h>

#ifndef FIXTURE_ABI_VERSION
#define FIXTURE_ABI_VERSION NETRT_ABI_VERSION
#endif

static _Thread_local const char *last_error_msg = "";
static int num_threads = 0;

static const char *last_error(void) { return last_error_msg; }
static void set_num_threads(int threads) { num_threads = threads; }

/* For the tests: the value last given to set_num_threads. */
int fixture_num_threads(void) { return num_threads; }

static int64_t numel(const netrt_tensor *t) {
  int64_t n = 1;
  for (int32_t d = 0; d < t->rank; ++d)
    n *= t->shape[d];
  return n;
}

static int forward(const netrt_tensor *inputs, netrt_tensor *outputs) {
  const float *x = (const float *)inputs[0].data;
  float *y = (float *)outputs[0].data;
  for (int64_t i = 0, n = numel(&inputs[0]); i < n; ++i) {
    if (isnan(x[i])) {
      last_error_msg = "x contains NaN";
      return 3;
    }
    y[i] = 2 * x[i];
  }
  return 0;
}

#ifndef FIXTURE_NO_TRAIN
static int loss(const netrt_tensor *inputs, netrt_tensor *outputs) {
  const float *x = (const float *)inputs[0].data;
  const int32_t *label = (const int32_t *)inputs[1].data;
  double total = 0;
  for (int64_t i = 0, n = numel(&inputs[0]); i < n; ++i)
    total += 2 * x[i];
  for (int64_t i = 0, n = numel(&inputs[1]); i < n; ++i)
    total += label[i];
  *(float *)outputs[0].data = (float)total;
  return 0;
}

static int backward(const netrt_tensor *inputs, netrt_tensor *outputs) {
  float *dx = (float *)outputs[0].data;
  for (int64_t i = 0, n = numel(&inputs[0]); i < n; ++i)
    dx[i] = 2;
  return 0;
}
#endif

static const netrt_tensor_info inputs[] = {
    {"x", NETRT_F32, 2, {-1, 3}},
    {"label", NETRT_I32, 1, {-1}},
};
static const netrt_tensor_info outputs[] = {{"y", NETRT_F32, 2, {-1, 3}}};

#ifdef FIXTURE_NO_TRAIN
static const netrt_model_info info = {FIXTURE_ABI_VERSION,
                                      "double",
                                      2,
                                      inputs,
                                      1,
                                      outputs,
                                      0,
                                      NULL,
                                      forward,
                                      NULL,
                                      NULL,
                                      last_error,
                                      set_num_threads};
#else
static const netrt_tensor_info losses[] = {{"total", NETRT_F32, 0, {0}}};
static const netrt_model_info info = {FIXTURE_ABI_VERSION,
                                      "double",
                                      2,
                                      inputs,
                                      1,
                                      outputs,
                                      1,
                                      losses,
                                      forward,
                                      loss,
                                      backward,
                                      last_error,
                                      set_num_threads};
#endif

#ifndef FIXTURE_NO_MODEL
const netrt_model_info *netrt_model(void) { return &info; }
uint64_t netrt_forward_inputs(void) { return 1; /* x only */ }
#ifndef FIXTURE_NO_TRAIN
const netrt_tensor_info *netrt_model_grads(int32_t *num_grads) {
  static const netrt_tensor_info grads[] = {{"x", NETRT_F32, 2, {-1, 3}}};
  *num_grads = 1;
  return grads;
}
#endif
#else
const netrt_model_info *not_a_model(void) { return &info; }
#endif
