// Pooling shape inference: pad at most half the kernel, one kernel/stride/pad
// entry per spatial dim, an output of at least 1, and a rank-3..5 input.
// RUN: net-opt %s -split-input-file -verify-diagnostics

func.func @pad_over_half(%x: tensor<?x4x8x8xf32>) {
  // expected-error @+2 {{maxpool: pad 2 is more than half the kernel 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.maxpool %x kernel [3, 3] stride [1, 1] pad [2, 2]
      : tensor<?x4x8x8xf32> -> tensor<?x4x10x10xf32>
  return
}

// -----

func.func @kernel_length(%x: tensor<?x4x8x8xf32>) {
  // expected-error @+2 {{avgpool: 'kernel' has 1 entries but the input has 2 spatial dims}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.avgpool %x kernel [2] stride [2, 2] pad [0, 0]
      : tensor<?x4x8x8xf32> -> tensor<?x4x4x4xf32>
  return
}

// -----

func.func @kernel_zero(%x: tensor<?x4x8x8xf32>) {
  // expected-error @+2 {{maxpool: 'kernel' must be >= 1, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.maxpool %x kernel [0, 2] stride [2, 2] pad [0, 0]
      : tensor<?x4x8x8xf32> -> tensor<?x4x4x4xf32>
  return
}

// -----

func.func @output_below_one(%x: tensor<?x4x8x8xf32>) {
  // expected-error @+2 {{avgpool: spatial dim 0 of size 8 with kernel 9, dilation 1 and pad 0 gives an output size below 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.avgpool %x kernel [9, 2] stride [1, 1] pad [0, 0]
      : tensor<?x4x8x8xf32> -> tensor<?x4x1x7xf32>
  return
}

// -----

func.func @input_rank(%x: tensor<?x4xf32>) {
  // expected-error @+2 {{maxpool: input must be [N, C, spatial...] with 1 to 3 spatial dims, got [N, 4]}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.maxpool %x kernel [] stride [] pad [] : tensor<?x4xf32> -> tensor<?x4xf32>
  return
}

// -----

// ceil=true: 9 -> 5 with kernel 2 (4 without ceil), as PyTorch does.
func.func @ceil_result(%x: tensor<?x4x9x9xf32>) {
  // expected-error @+2 {{inferred type(s) 'tensor<?x4x5x5xf32>' are incompatible with return type(s) of operation 'tensor<?x4x4x4xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.maxpool %x kernel [2, 2] stride [2, 2] pad [0, 0] ceil
      : tensor<?x4x9x9xf32> -> tensor<?x4x4x4xf32>
  return
}
