// net.batchnorm: weight, bias, running_mean and running_var are [C].
// RUN: net-opt %s -split-input-file -verify-diagnostics

func.func @param_shape(%x: tensor<?x8x4x4xf32>, %g: tensor<4xf32>) {
  // expected-error @+2 {{batchnorm: weight has shape [4] but [8] is expected}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.batchnorm %x, %g, %g, %g, %g eps 1.0e-05
      : tensor<?x8x4x4xf32>, tensor<4xf32> -> tensor<?x8x4x4xf32>
  return
}

// -----

func.func @input_rank(%x: tensor<8xf32>, %g: tensor<8xf32>) {
  // expected-error @+2 {{batchnorm: input must be [N, C, ...], got [8]}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.batchnorm %x, %g, %g, %g, %g eps 1.0e-05
      : tensor<8xf32>, tensor<8xf32> -> tensor<8xf32>
  return
}
