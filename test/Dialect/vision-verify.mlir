// The vision ops check their operands: gram needs [N, C, spatial...];
// correlation two equal [N, C, H, W] maps and a max_disp that is a
// non-negative multiple of a positive stride; the loss terms equal shapes,
// contrastive an [N] `same`, style_cost a feature map, epe a 2-channel flow,
// a reduction of "mean" or "sum" and a 0-d result.
// RUN: net-opt %s -split-input-file -verify-diagnostics

func.func @gram_rank(%x: tensor<?x10xf32>) {
  // expected-error @+2 {{gram: input must be [N, C, spatial...] with 1 to 3 spatial dims, got [N, 10]}}
  // expected-error @+1 {{failed to infer returned types}}
  %g = net.gram %x : tensor<?x10xf32> -> tensor<?x10x10xf32>
  return
}

// -----

func.func @gram_symbolic_channels(%x: tensor<2x?x4xf32>) {
  // expected-error @+2 {{gram: only the batch dim of the input may be symbolic, got [2, N, 4]}}
  // expected-error @+1 {{failed to infer returned types}}
  %g = net.gram %x : tensor<2x?x4xf32> -> tensor<2x?x?xf32>
  return
}

// -----

func.func @gram_result(%x: tensor<?x8x5x7xf32>) {
  // expected-error @+2 {{'net.gram' op inferred type(s) 'tensor<?x8x8xf32>' are incompatible with return type(s) of operation 'tensor<?x8x7xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %g = net.gram %x : tensor<?x8x5x7xf32> -> tensor<?x8x7xf32>
  return
}

// -----

func.func @gram_int(%x: tensor<?x8x5xi32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 32-bit float values}}
  %g = net.gram %x : tensor<?x8x5xi32> -> tensor<?x8x8xf32>
  return
}

// -----

func.func @corr_rank(%a: tensor<?x8x9xf32>) {
  // expected-error @+2 {{correlation: inputs must be [N, C, H, W], got [N, 8, 9]}}
  // expected-error @+1 {{failed to infer returned types}}
  %c = net.correlation %a, %a max_disp 1 stride 1
      : tensor<?x8x9xf32>, tensor<?x8x9xf32> -> tensor<?x9x9xf32>
  return
}

// -----

func.func @corr_shapes(%a: tensor<?x8x9x9xf32>, %b: tensor<?x4x9x9xf32>) {
  // expected-error @+2 {{correlation: shapes [N, 8, 9, 9] and [N, 4, 9, 9] differ}}
  // expected-error @+1 {{failed to infer returned types}}
  %c = net.correlation %a, %b max_disp 1 stride 1
      : tensor<?x8x9x9xf32>, tensor<?x4x9x9xf32> -> tensor<?x9x9x9xf32>
  return
}

// -----

func.func @corr_multiple(%a: tensor<?x8x9x9xf32>) {
  // expected-error @+2 {{correlation: max_disp 3 is not a multiple of stride 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %c = net.correlation %a, %a max_disp 3 stride 2
      : tensor<?x8x9x9xf32>, tensor<?x8x9x9xf32> -> tensor<?x9x9x9xf32>
  return
}

// -----

func.func @corr_stride(%a: tensor<?x8x9x9xf32>) {
  // expected-error @+2 {{correlation: stride must be >= 1, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %c = net.correlation %a, %a max_disp 2 stride 0
      : tensor<?x8x9x9xf32>, tensor<?x8x9x9xf32> -> tensor<?x9x9x9xf32>
  return
}

// -----

func.func @corr_negative(%a: tensor<?x8x9x9xf32>) {
  // expected-error @+2 {{correlation: max_disp must be >= 0, got -2}}
  // expected-error @+1 {{failed to infer returned types}}
  %c = net.correlation %a, %a max_disp -2 stride 1
      : tensor<?x8x9x9xf32>, tensor<?x8x9x9xf32> -> tensor<?x9x9x9xf32>
  return
}

// -----

func.func @corr_result(%a: tensor<?x8x9x9xf32>) {
  // expected-error @+2 {{'net.correlation' op inferred type(s) 'tensor<?x25x9x9xf32>' are incompatible with return type(s) of operation 'tensor<?x81x9x9xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %c = net.correlation %a, %a max_disp 2 stride 1
      : tensor<?x8x9x9xf32>, tensor<?x8x9x9xf32> -> tensor<?x81x9x9xf32>
  return
}

// -----

func.func @bce_shapes(%x: tensor<?x1xf32>, %t: tensor<?xf32>) {
  // expected-error @+2 {{bce: shapes [N, 1] and [N] differ}}
  // expected-error @+1 {{failed to infer returned types}}
  %l = net.bce %x, %t reduction "mean"
      : tensor<?x1xf32>, tensor<?xf32> -> tensor<f32>
  return
}

// -----

func.func @bce_reduction(%x: tensor<?x1xf32>) {
  // expected-error @+2 {{bce: reduction must be "mean" or "sum", got "none"}}
  // expected-error @+1 {{failed to infer returned types}}
  %l = net.bce %x, %x reduction "none"
      : tensor<?x1xf32>, tensor<?x1xf32> -> tensor<f32>
  return
}

// -----

func.func @triplet_shapes(%a: tensor<?x16xf32>, %n: tensor<?x8xf32>) {
  // expected-error @+2 {{triplet: shapes [N, 16] and [N, 8] differ}}
  // expected-error @+1 {{failed to infer returned types}}
  %l = net.triplet %a, %a, %n margin 0.2 reduction "mean"
      : tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x8xf32> -> tensor<f32>
  return
}

// -----

func.func @triplet_scalar(%a: tensor<f32>) {
  // expected-error @+2 {{triplet: operands must be [N, ...], got a scalar}}
  // expected-error @+1 {{failed to infer returned types}}
  %l = net.triplet %a, %a, %a margin 0.2 reduction "mean"
      : tensor<f32>, tensor<f32>, tensor<f32> -> tensor<f32>
  return
}

// -----

func.func @contrastive_same(%a: tensor<?x16xf32>, %s: tensor<?x1xi32>) {
  // expected-error @+2 {{contrastive: 'same' must be [N] with the inputs' batch, got [N, 1] for inputs [N, 16]}}
  // expected-error @+1 {{failed to infer returned types}}
  %l = net.contrastive %a, %a, %s margin 1.0 reduction "mean"
      : tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x1xi32> -> tensor<f32>
  return
}

// -----

func.func @contrastive_batch(%a: tensor<4x16xf32>, %s: tensor<3xf32>) {
  // expected-error @+2 {{contrastive: 'same' must be [N] with the inputs' batch, got [3] for inputs [4, 16]}}
  // expected-error @+1 {{failed to infer returned types}}
  %l = net.contrastive %a, %a, %s margin 1.0 reduction "sum"
      : tensor<4x16xf32>, tensor<4x16xf32>, tensor<3xf32> -> tensor<f32>
  return
}

// -----

func.func @content_shapes(%c: tensor<?x8x5x5xf32>, %g: tensor<?x8x5x4xf32>) {
  // expected-error @+2 {{content_cost: shapes [N, 8, 5, 5] and [N, 8, 5, 4] differ}}
  // expected-error @+1 {{failed to infer returned types}}
  %l = net.content_cost %c, %g reduction "mean"
      : tensor<?x8x5x5xf32>, tensor<?x8x5x4xf32> -> tensor<f32>
  return
}

// -----

func.func @style_rank(%s: tensor<?x8xf32>) {
  // expected-error @+2 {{style_cost: first input must be [N, C, spatial...] with 1 to 3 spatial dims, got [N, 8]}}
  // expected-error @+1 {{failed to infer returned types}}
  %l = net.style_cost %s, %s reduction "mean"
      : tensor<?x8xf32>, tensor<?x8xf32> -> tensor<f32>
  return
}

// -----

func.func @epe_channels(%f: tensor<?x3x4x4xf32>) {
  // expected-error @+2 {{epe: flow must be [N, 2, H, W], got [N, 3, 4, 4]}}
  // expected-error @+1 {{failed to infer returned types}}
  %l = net.epe %f, %f reduction "mean"
      : tensor<?x3x4x4xf32>, tensor<?x3x4x4xf32> -> tensor<f32>
  return
}

// -----

func.func @epe_nonscalar(%f: tensor<?x2x4x4xf32>) {
  // expected-error @+1 {{result #0 must be 0D tensor of 32-bit float values}}
  %l = net.epe %f, %f reduction "mean"
      : tensor<?x2x4x4xf32>, tensor<?x2x4x4xf32> -> tensor<1xf32>
  return
}
