// Loss terms: cross_entropy needs [N, C] logits and an [N] label of the same
// batch; mse/l1 need equal shapes; reduction is "mean" or "sum".
// RUN: net-opt %s -split-input-file -verify-diagnostics

func.func @logits_rank(%l: tensor<?x10x2xf32>, %y: tensor<?xi32>) {
  // expected-error @+2 {{cross_entropy: logits must be [N, C], got [N, 10, 2]}}
  // expected-error @+1 {{failed to infer returned types}}
  %c = net.cross_entropy %l, %y reduction "mean"
      : tensor<?x10x2xf32>, tensor<?xi32> -> tensor<f32>
  return
}

// -----

func.func @label_batch(%l: tensor<4x10xf32>, %y: tensor<3xi32>) {
  // expected-error @+2 {{cross_entropy: label must be [N] with the logits' batch, got [3] for logits [4, 10]}}
  // expected-error @+1 {{failed to infer returned types}}
  %c = net.cross_entropy %l, %y reduction "mean"
      : tensor<4x10xf32>, tensor<3xi32> -> tensor<f32>
  return
}

// -----

func.func @label_float(%l: tensor<4x10xf32>, %y: tensor<4xf32>) {
  // expected-error @+1 {{operand #1 must be}}
  %c = net.cross_entropy %l, %y reduction "mean"
      : tensor<4x10xf32>, tensor<4xf32> -> tensor<f32>
  return
}

// -----

func.func @reduction(%l: tensor<4x10xf32>, %y: tensor<4xi32>) {
  // expected-error @+2 {{cross_entropy: reduction must be "mean" or "sum", got "max"}}
  // expected-error @+1 {{failed to infer returned types}}
  %c = net.cross_entropy %l, %y reduction "max"
      : tensor<4x10xf32>, tensor<4xi32> -> tensor<f32>
  return
}

// -----

func.func @mse_shapes(%a: tensor<?x3xf32>, %b: tensor<?x4xf32>) {
  // expected-error @+2 {{mse: shapes [N, 3] and [N, 4] differ}}
  // expected-error @+1 {{failed to infer returned types}}
  %c = net.mse %a, %b reduction "mean"
      : tensor<?x3xf32>, tensor<?x4xf32> -> tensor<f32>
  return
}

// -----

func.func @l1_reduction(%a: tensor<?x3xf32>) {
  // expected-error @+2 {{l1: reduction must be "mean" or "sum", got "none"}}
  // expected-error @+1 {{failed to infer returned types}}
  %c = net.l1 %a, %a reduction "none"
      : tensor<?x3xf32>, tensor<?x3xf32> -> tensor<f32>
  return
}

// -----

func.func @nonscalar_result(%a: tensor<?x3xf32>) {
  // expected-error @+1 {{result #0 must be 0D tensor of 32-bit float values}}
  %c = net.mse %a, %a reduction "mean"
      : tensor<?x3xf32>, tensor<?x3xf32> -> tensor<1xf32>
  return
}
