// net.softmax needs an axis inside the rank; net.flatten needs a rank >= 2
// input whose non-batch dims are static.
// RUN: net-opt %s -split-input-file -verify-diagnostics

func.func @softmax_axis(%x: tensor<?x10xf32>) {
  // expected-error @+1 {{softmax: axis 2 is out of range for a rank-2 tensor}}
  %y = net.softmax %x axis 2 : tensor<?x10xf32>
  return
}

// -----

func.func @softmax_negative_axis(%x: tensor<?x10xf32>) {
  // expected-error @+1 {{softmax: axis -1 is out of range for a rank-2 tensor}}
  %y = net.softmax %x axis -1 : tensor<?x10xf32>
  return
}

// -----

func.func @flatten_rank(%x: tensor<10xf32>) {
  // expected-error @+2 {{flatten: input must be [N, ...], got [10]}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.flatten %x : tensor<10xf32> -> tensor<10x1xf32>
  return
}

// -----

func.func @flatten_symbolic(%x: tensor<2x?x4xf32>) {
  // expected-error @+2 {{flatten: only the batch dim may be symbolic, got [2, N, 4]}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.flatten %x : tensor<2x?x4xf32> -> tensor<2x4xf32>
  return
}
