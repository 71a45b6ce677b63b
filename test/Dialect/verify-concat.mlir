// net.concat: inputs agree outside the axis, the axis is in range, and there
// is at least one input.
// RUN: net-opt %s -split-input-file -verify-diagnostics

func.func @mismatch(%a: tensor<?x3x8x8xf32>, %b: tensor<?x3x4x4xf32>) {
  // expected-error @+2 {{concat: shapes [N, 3, 8, 8] and [N, 3, 4, 4] differ outside axis 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.concat %a, %b axis 1
      : (tensor<?x3x8x8xf32>, tensor<?x3x4x4xf32>) -> tensor<?x6x8x8xf32>
  return
}

// -----

func.func @rank_mismatch(%a: tensor<?x3x8xf32>, %b: tensor<?x3x8x8xf32>) {
  // expected-error @+2 {{concat: shapes [N, 3, 8] and [N, 3, 8, 8] differ outside axis 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.concat %a, %b axis 1
      : (tensor<?x3x8xf32>, tensor<?x3x8x8xf32>) -> tensor<?x6x8xf32>
  return
}

// -----

func.func @axis_range(%a: tensor<?x3xf32>) {
  // expected-error @+2 {{concat: axis 2 is out of range for a rank-2 tensor}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.concat %a, %a axis 2 : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  return
}

// -----

func.func @no_inputs() {
  // expected-error @+2 {{concat: needs at least one input}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.concat axis 1 : () -> tensor<1x3xf32>
  return
}
