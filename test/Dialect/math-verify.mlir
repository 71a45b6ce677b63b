// The math family's verifiers: axes inside the rank, l2norm's eps, strictly
// increasing reduction axes, reshape's element counts and symbolic batch,
// and result types that disagree with inference.
// RUN: net-opt %s -split-input-file -verify-diagnostics

func.func @log_softmax_axis(%x: tensor<?x10xf32>) {
  // expected-error @+1 {{log_softmax: axis 2 is out of range for a rank-2 tensor}}
  %y = net.log_softmax %x axis 2 : tensor<?x10xf32>
  return
}

// -----

func.func @log_softmax_negative_axis(%x: tensor<?x10xf32>) {
  // expected-error @+1 {{log_softmax: axis -1 is out of range for a rank-2 tensor}}
  %y = net.log_softmax %x axis -1 : tensor<?x10xf32>
  return
}

// -----

func.func @l2norm_axis(%x: tensor<?x3x4xf32>) {
  // expected-error @+1 {{l2norm: axis 3 is out of range for a rank-3 tensor}}
  %y = net.l2norm %x axis 3 eps 1.0e-12 : tensor<?x3x4xf32>
  return
}

// -----

func.func @l2norm_eps(%x: tensor<?x3xf32>) {
  // expected-error @+1 {{l2norm: eps must be a finite number >= 0, got -1}}
  %y = net.l2norm %x axis 1 eps -1.0 : tensor<?x3xf32>
  return
}

// -----

func.func @leaky_relu_type(%x: tensor<?x3xf32>) {
  // expected-error @+1 {{op requires the same type for all operands and results}}
  %y = "net.leaky_relu"(%x) {slope = 0.1 : f32} : (tensor<?x3xf32>) -> tensor<?x4xf32>
  return
}

// -----

func.func @relu6_int(%x: tensor<?x3xi32>) {
  // expected-error @+1 {{must be ranked tensor of 32-bit float values}}
  %y = net.relu6 %x : tensor<?x3xi32>
  return
}

// -----

func.func @mean_no_axes(%x: tensor<?x3x4xf32>) {
  // expected-error @+2 {{mean: axes must name at least one dim}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.mean %x axes [] : tensor<?x3x4xf32> -> tensor<?x3x4xf32>
  return
}

// -----

func.func @mean_axis_range(%x: tensor<?x3x4xf32>) {
  // expected-error @+2 {{mean: axis 3 is out of range for a rank-3 tensor}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.mean %x axes [1, 3] : tensor<?x3x4xf32> -> tensor<?xf32>
  return
}

// -----

func.func @sum_axes_order(%x: tensor<?x3x4xf32>) {
  // expected-error @+2 {{sum: axes must be strictly increasing, got [2, 1]}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.sum %x axes [2, 1] : tensor<?x3x4xf32> -> tensor<?xf32>
  return
}

// -----

func.func @sum_axes_twice(%x: tensor<?x3x4xf32>) {
  // expected-error @+2 {{sum: axes must be strictly increasing, got [1, 1]}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.sum %x axes [1, 1] : tensor<?x3x4xf32> -> tensor<?x4xf32>
  return
}

// -----

func.func @sum_result_type(%x: tensor<?x3x4xf32>) {
  // expected-error @+2 {{'net.sum' op inferred type(s) 'tensor<?x4xf32>' are incompatible with return type(s) of operation 'tensor<?x3xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.sum %x axes [1] : tensor<?x3x4xf32> -> tensor<?x3xf32>
  return
}

// -----

func.func @reshape_count(%x: tensor<6x4xf32>) {
  // expected-error @+2 {{reshape: cannot reshape [6, 4] (24 elements) to [5, 5] (25 elements)}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.reshape %x shape [5, 5] : tensor<6x4xf32> -> tensor<5x5xf32>
  return
}

// -----

func.func @reshape_not_multiple(%x: tensor<6x4xf32>) {
  // expected-error @+2 {{reshape: cannot reshape [6, 4] (24 elements) to [5, -1]: 24 is not a multiple of 5}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.reshape %x shape [5, -1] : tensor<6x4xf32> -> tensor<5x5xf32>
  return
}

// -----

func.func @reshape_two_unknown(%x: tensor<6x4xf32>) {
  // expected-error @+2 {{reshape: -1 may appear only once in the shape [-1, 2, -1]}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.reshape %x shape [-1, 2, -1] : tensor<6x4xf32> -> tensor<2x2x6xf32>
  return
}

// -----

func.func @reshape_zero_dim(%x: tensor<6x4xf32>) {
  // expected-error @+2 {{reshape: dim 1 of the shape [24, 0] is 0; each dim must be >= 1, or -1 once}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.reshape %x shape [24, 0] : tensor<6x4xf32> -> tensor<24x1xf32>
  return
}

// -----

func.func @reshape_batch_moved(%x: tensor<?x16x5x5xf32>) {
  // expected-error @+2 {{reshape: the input [N, 16, 5, 5] has a symbolic batch, which must stay dim 0: write the shape as [-1, ...] with the other dims holding one batch item (400 elements), got [2, -1, 25]}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.reshape %x shape [2, -1, 25] : tensor<?x16x5x5xf32> -> tensor<2x?x25xf32>
  return
}

// -----

func.func @reshape_batch_folded(%x: tensor<?x16x5x5xf32>) {
  // expected-error @+2 {{reshape: cannot reshape [N, 16, 5, 5] to [-1, 25]: a batch item has 400 elements but the dims after -1 hold 25 (with a symbolic batch, -1 stands for N)}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.reshape %x shape [-1, 25] : tensor<?x16x5x5xf32> -> tensor<?x25xf32>
  return
}

// -----

func.func @reshape_symbolic_inner(%x: tensor<2x?xf32>) {
  // expected-error @+2 {{reshape: only the batch dim may be symbolic, got [2, N]}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.reshape %x shape [-1] : tensor<2x?xf32> -> tensor<?xf32>
  return
}

// -----

func.func @reshape_result_type(%x: tensor<?x16x5x5xf32>) {
  // expected-error @+2 {{'net.reshape' op inferred type(s) 'tensor<?x16x25xf32>' are incompatible with return type(s) of operation 'tensor<?x400xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.reshape %x shape [-1, 16, 25] : tensor<?x16x5x5xf32> -> tensor<?x400xf32>
  return
}
