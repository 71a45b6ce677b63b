/* Used by ../c-header.test: calls the forward entry point of liblenet5.so
 * through the generated header only. */
#include "lenet5.h"

#include <stdio.h>

enum { BATCH = 3 };

int main(void) {
  static float x[BATCH * 1 * 32 * 32]; /* zeros */
  static float probs[BATCH * 10];
  const netrt_model_info *info = lenet5_model();
  netrt_tensor inputs[2] = {
      {x, NETRT_F32, 4, {BATCH, 1, 32, 32}},
      {NULL, NETRT_I32, 1, {BATCH}}, /* label: forward does not read it */
  };
  netrt_tensor outputs[1] = {{probs, NETRT_F32, 2, {BATCH, 10}}};
  printf("model %s, %d inputs, %d outputs\n", info->name,
         (int)info->num_inputs, (int)info->num_outputs);
  if (lenet5_forward(inputs, outputs) != 0) {
    printf("error: %s\n", lenet5_last_error());
    return 1;
  }
  for (int n = 0; n < BATCH; ++n) {
    float sum = 0;
    for (int i = 0; i < 10; ++i)
      sum += probs[n * 10 + i];
    printf("row %d sum %.4f\n", n, sum);
  }
  printf("ok\n");
  return 0;
}
