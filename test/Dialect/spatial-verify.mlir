// Shape inference of the spatial ops: deconv (weight [C, O, k...] against
// the input channels, bias [O], output_pad below stride or dilation, output
// size >= 1, per-dim lists), lrn (size >= 1, rank) and upsample (scale >= 1
// per spatial dim, a mode that fits the rank), and a wrong result type.
// RUN: net-opt %s -split-input-file -verify-diagnostics

func.func @deconv_channels(%x: tensor<?x4x5x5xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+2 {{deconv: input has 4 channels but the weight [3, 2, 3, 3] expects 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.deconv %x, %w stride [1, 1] pad [0, 0] output_pad [0, 0]
      dilation [1, 1]
      : (tensor<?x4x5x5xf32>, tensor<3x2x3x3xf32>) -> tensor<?x2x7x7xf32>
  return
}

// -----

func.func @deconv_weight_rank(%x: tensor<?x4x5x5xf32>, %w: tensor<4x2x3xf32>) {
  // expected-error @+2 {{deconv: weight [4, 2, 3] must have rank 4 like the input}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.deconv %x, %w stride [1, 1] pad [0, 0] output_pad [0, 0]
      dilation [1, 1]
      : (tensor<?x4x5x5xf32>, tensor<4x2x3xf32>) -> tensor<?x2x7x7xf32>
  return
}

// -----

func.func @deconv_bias(%x: tensor<?x4x5x5xf32>, %w: tensor<4x2x3x3xf32>,
                       %b: tensor<4xf32>) {
  // expected-error @+2 {{deconv: bias has shape [4] but [2] is expected}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.deconv %x, %w, %b stride [1, 1] pad [0, 0] output_pad [0, 0]
      dilation [1, 1]
      : (tensor<?x4x5x5xf32>, tensor<4x2x3x3xf32>, tensor<4xf32>)
      -> tensor<?x2x7x7xf32>
  return
}

// -----

func.func @deconv_output_pad(%x: tensor<?x4x5x5xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+2 {{deconv: output_pad 2 of spatial dim 1 must be smaller than its stride 2 or its dilation 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.deconv %x, %w stride [2, 2] pad [0, 0] output_pad [1, 2]
      dilation [1, 1]
      : (tensor<?x4x5x5xf32>, tensor<4x2x3x3xf32>) -> tensor<?x2x12x13xf32>
  return
}

// -----

func.func @deconv_below_one(%x: tensor<?x4x2x5xf32>, %w: tensor<4x2x1x3xf32>) {
  // expected-error @+2 {{deconv: spatial dim 0 of size 2 with kernel 1, stride 1, dilation 1 and pad 1 gives an output size below 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.deconv %x, %w stride [1, 1] pad [1, 0] output_pad [0, 0]
      dilation [1, 1]
      : (tensor<?x4x2x5xf32>, tensor<4x2x1x3xf32>) -> tensor<?x2x1x7xf32>
  return
}

// -----

func.func @deconv_stride_zero(%x: tensor<?x4x5x5xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+2 {{deconv: 'stride' must be >= 1, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.deconv %x, %w stride [0, 1] pad [0, 0] output_pad [0, 0]
      dilation [1, 1]
      : (tensor<?x4x5x5xf32>, tensor<4x2x3x3xf32>) -> tensor<?x2x7x7xf32>
  return
}

// -----

func.func @deconv_list_length(%x: tensor<?x4x5x5xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+2 {{deconv: 'output_pad' has 1 entries but the input has 2 spatial dims}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.deconv %x, %w stride [1, 1] pad [0, 0] output_pad [0]
      dilation [1, 1]
      : (tensor<?x4x5x5xf32>, tensor<4x2x3x3xf32>) -> tensor<?x2x7x7xf32>
  return
}

// -----

func.func @deconv_huge(%x: tensor<?x4x5xf32>, %w: tensor<4x2x3xf32>) {
  // expected-error @+2 {{deconv: spatial dim 0 would have an output size above 2147483647}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.deconv %x, %w stride [4611686018427387904] pad [0] output_pad [0]
      dilation [1]
      : (tensor<?x4x5xf32>, tensor<4x2x3xf32>) -> tensor<?x2x7xf32>
  return
}

// -----

// (5-1)*2 - 0 + (3-1) + 1 + 1 = 12, not 11.
func.func @deconv_result(%x: tensor<?x4x5x5xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+2 {{inferred type(s) 'tensor<?x2x12x12xf32>' are incompatible with return type(s) of operation 'tensor<?x2x11x11xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.deconv %x, %w stride [2, 2] pad [0, 0] output_pad [1, 1]
      dilation [1, 1]
      : (tensor<?x4x5x5xf32>, tensor<4x2x3x3xf32>) -> tensor<?x2x11x11xf32>
  return
}

// -----

func.func @lrn_size(%x: tensor<?x8x6x6xf32>) {
  // expected-error @+1 {{lrn: size must be >= 1, got 0}}
  %y = net.lrn %x size 0 alpha 1.0e-4 beta 0.75 k 2.0 : tensor<?x8x6x6xf32>
  return
}

// -----

func.func @lrn_rank(%x: tensor<?x8xf32>) {
  // expected-error @+1 {{lrn: input must be [N, C, spatial...] with 1 to 3 spatial dims, got [N, 8]}}
  %y = net.lrn %x size 5 alpha 1.0e-4 beta 0.75 k 2.0 : tensor<?x8xf32>
  return
}

// -----

func.func @upsample_scale(%x: tensor<?x3x4x5xf32>) {
  // expected-error @+2 {{upsample: 'scale' must be >= 1, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.upsample %x scale [2, 0] mode "nearest"
      : tensor<?x3x4x5xf32> -> tensor<?x3x8x5xf32>
  return
}

// -----

func.func @upsample_scale_length(%x: tensor<?x3x4x5xf32>) {
  // expected-error @+2 {{upsample: 'scale' has 3 entries but the input has 2 spatial dims}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.upsample %x scale [2, 2, 2] mode "nearest"
      : tensor<?x3x4x5xf32> -> tensor<?x3x8x10xf32>
  return
}

// -----

func.func @upsample_mode_rank(%x: tensor<?x3x4xf32>) {
  // expected-error @+2 {{upsample: mode "bilinear" does not fit an input with 1 spatial dims [N, 3, 4]; use "nearest" or "linear"}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.upsample %x scale [2] mode "bilinear"
      : tensor<?x3x4xf32> -> tensor<?x3x8xf32>
  return
}

// -----

func.func @upsample_mode(%x: tensor<?x3x4x5xf32>) {
  // expected-error @+2 {{upsample: mode must be "nearest" or "bilinear", got "bicubic"}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.upsample %x scale [2, 2] mode "bicubic"
      : tensor<?x3x4x5xf32> -> tensor<?x3x8x10xf32>
  return
}

// -----

func.func @upsample_result(%x: tensor<?x3x4x5xf32>) {
  // expected-error @+2 {{inferred type(s) 'tensor<?x3x8x15xf32>' are incompatible with return type(s) of operation 'tensor<?x3x8x10xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.upsample %x scale [2, 3] mode "nearest"
      : tensor<?x3x4x5xf32> -> tensor<?x3x8x10xf32>
  return
}
