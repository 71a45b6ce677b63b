// net.fc shape inference: the weight must be [out, features of the input],
// the bias [out], and only the batch dim may be symbolic.
// RUN: net-opt %s -split-input-file -verify-diagnostics

func.func @feature_mismatch(%x: tensor<?x16x5x5xf32>, %w: tensor<120x256xf32>) {
  // expected-error @+2 {{fc: input [N, 16, 5, 5] has 400 features but the weight is [120, 256] (expected [out, 400])}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.fc %x, %w : (tensor<?x16x5x5xf32>, tensor<120x256xf32>)
      -> tensor<?x120xf32>
  return
}

// -----

func.func @bias_shape(%x: tensor<?x400xf32>, %w: tensor<120x400xf32>,
                      %b: tensor<84xf32>) {
  // expected-error @+2 {{fc: bias has shape [84] but [120] is expected}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.fc %x, %w, %b : (tensor<?x400xf32>, tensor<120x400xf32>,
                            tensor<84xf32>) -> tensor<?x120xf32>
  return
}

// -----

func.func @symbolic_feature(%x: tensor<2x?xf32>, %w: tensor<10x4xf32>) {
  // expected-error @+2 {{fc: only the batch dim may be symbolic, got [2, N]}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.fc %x, %w : (tensor<2x?xf32>, tensor<10x4xf32>) -> tensor<2x10xf32>
  return
}

// -----

func.func @input_rank(%x: tensor<4xf32>, %w: tensor<10x4xf32>) {
  // expected-error @+2 {{fc: input must be [N, ...], got [4]}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.fc %x, %w : (tensor<4xf32>, tensor<10x4xf32>) -> tensor<4x10xf32>
  return
}
