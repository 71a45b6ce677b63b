// net.conv's shape inference rejects bad operands and attributes with a
// message naming the problem.
// RUN: net-opt %s -split-input-file -verify-diagnostics

func.func @channel_mismatch(%x: tensor<?x4x8x8xf32>, %w: tensor<6x3x3x3xf32>) {
  // expected-error @+2 {{conv: input has 4 channels but the weight [6, 3, 3, 3] expects 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.conv %x, %w stride [1, 1] pad [0, 0] dilation [1, 1] groups 1
      : (tensor<?x4x8x8xf32>, tensor<6x3x3x3xf32>) -> tensor<?x6x6x6xf32>
  return
}

// -----

func.func @groups_input(%x: tensor<?x3x8x8xf32>, %w: tensor<4x1x3x3xf32>) {
  // expected-error @+2 {{conv: groups=2 does not divide the 3 input channels}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.conv %x, %w stride [1, 1] pad [0, 0] dilation [1, 1] groups 2
      : (tensor<?x3x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<?x4x6x6xf32>
  return
}

// -----

func.func @groups_output(%x: tensor<?x4x8x8xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+2 {{conv: groups=2 does not divide the 3 output channels}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.conv %x, %w stride [1, 1] pad [0, 0] dilation [1, 1] groups 2
      : (tensor<?x4x8x8xf32>, tensor<3x2x3x3xf32>) -> tensor<?x3x6x6xf32>
  return
}

// -----

func.func @groups_zero(%x: tensor<?x4x8x8xf32>, %w: tensor<4x4x3x3xf32>) {
  // expected-error @+2 {{conv: groups must be >= 1, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.conv %x, %w stride [1, 1] pad [0, 0] dilation [1, 1] groups 0
      : (tensor<?x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<?x4x6x6xf32>
  return
}

// -----

func.func @bias_shape(%x: tensor<?x4x8x8xf32>, %w: tensor<6x4x3x3xf32>,
                      %b: tensor<4xf32>) {
  // expected-error @+2 {{conv: bias has shape [4] but [6] is expected}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.conv %x, %w, %b stride [1, 1] pad [0, 0] dilation [1, 1] groups 1
      : (tensor<?x4x8x8xf32>, tensor<6x4x3x3xf32>, tensor<4xf32>)
      -> tensor<?x6x6x6xf32>
  return
}

// -----

func.func @stride_length(%x: tensor<?x4x8x8xf32>, %w: tensor<6x4x3x3xf32>) {
  // expected-error @+2 {{conv: 'stride' has 3 entries but the input has 2 spatial dims}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.conv %x, %w stride [1, 1, 1] pad [0, 0] dilation [1, 1] groups 1
      : (tensor<?x4x8x8xf32>, tensor<6x4x3x3xf32>) -> tensor<?x6x6x6xf32>
  return
}

// -----

func.func @pad_length(%x: tensor<?x4x8x8xf32>, %w: tensor<6x4x3x3xf32>) {
  // expected-error @+2 {{conv: 'pad' has 1 entries but the input has 2 spatial dims}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.conv %x, %w stride [1, 1] pad [0] dilation [1, 1] groups 1
      : (tensor<?x4x8x8xf32>, tensor<6x4x3x3xf32>) -> tensor<?x6x6x6xf32>
  return
}

// -----

func.func @stride_zero(%x: tensor<?x4x8x8xf32>, %w: tensor<6x4x3x3xf32>) {
  // expected-error @+2 {{conv: 'stride' must be >= 1, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.conv %x, %w stride [1, 0] pad [0, 0] dilation [1, 1] groups 1
      : (tensor<?x4x8x8xf32>, tensor<6x4x3x3xf32>) -> tensor<?x6x6x6xf32>
  return
}

// -----

func.func @negative_pad(%x: tensor<?x4x8x8xf32>, %w: tensor<6x4x3x3xf32>) {
  // expected-error @+2 {{conv: 'pad' must be >= 0, got -1}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.conv %x, %w stride [1, 1] pad [-1, 0] dilation [1, 1] groups 1
      : (tensor<?x4x8x8xf32>, tensor<6x4x3x3xf32>) -> tensor<?x6x4x6xf32>
  return
}

// -----

func.func @output_below_one(%x: tensor<?x4x8x8xf32>, %w: tensor<6x4x5x5xf32>) {
  // expected-error @+2 {{conv: spatial dim 1 of size 8 with kernel 5, dilation 2 and pad 0 gives an output size below 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.conv %x, %w stride [1, 1] pad [2, 0] dilation [1, 2] groups 1
      : (tensor<?x4x8x8xf32>, tensor<6x4x5x5xf32>) -> tensor<?x6x8x1xf32>
  return
}

// -----

func.func @input_rank(%x: tensor<?x4xf32>, %w: tensor<6x4xf32>) {
  // expected-error @+2 {{conv: input must be [N, C, spatial...] with 1 to 3 spatial dims, got [N, 4]}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.conv %x, %w stride [] pad [] dilation [] groups 1
      : (tensor<?x4xf32>, tensor<6x4xf32>) -> tensor<?x6xf32>
  return
}

// -----

func.func @weight_rank(%x: tensor<?x4x8x8xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+2 {{conv: weight [6, 4, 3] must have rank 4 like the input}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.conv %x, %w stride [1, 1] pad [0, 0] dilation [1, 1] groups 1
      : (tensor<?x4x8x8xf32>, tensor<6x4x3xf32>) -> tensor<?x6x6x6xf32>
  return
}
