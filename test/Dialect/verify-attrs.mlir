// The passes' decisions are typed attributes with verifiers: #net.tile
// (register tile and algorithm), #net.layout (storage), #net.strip (a pool
// in strips with its producer); each name must carry its type on the ops
// it applies to (roundtrip-attrs.mlir shows the readable forms).
// RUN: net-opt %s -split-input-file -verify-diagnostics

func.func @oc_not_a_multiple(%x: tensor<?x64x8x8xf32>) {
  %w = net.weight "c.weight" : tensor<64x64x1x1xf32>
  // expected-error @+1 {{tile needs oc (24) a positive multiple of vec (16)}}
  %y = net.conv %x, %w stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {net.tile = #net.tile<algo = direct, vec = 16, oc = 24, ow = 4, order = rows_outer>} : (tensor<?x64x8x8xf32>, tensor<64x64x1x1xf32>) -> tensor<?x64x8x8xf32>
  return
}

// -----

func.func @pixels_without_their_order(%x: tensor<?x64x8x8xf32>) {
  %w = net.weight "c.weight" : tensor<64x64x1x1xf32>
  // expected-error @+1 {{tile pixels (0) go with order pixels, and only with it}}
  %y = net.conv %x, %w stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {net.tile = #net.tile<algo = direct, vec = 16, oc = 64, ow = 7, order = pixels>} : (tensor<?x64x8x8xf32>, tensor<64x64x1x1xf32>) -> tensor<?x64x8x8xf32>
  return
}

// -----

func.func @pixels_of_another_order(%x: tensor<?x64x8x8xf32>) {
  %w = net.weight "c.weight" : tensor<64x64x1x1xf32>
  // expected-error @+1 {{tile pixels (28) go with order pixels, and only with it}}
  %y = net.conv %x, %w stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {net.tile = #net.tile<algo = direct, vec = 16, oc = 64, ow = 7, order = rows_outer, pixels = 28>} : (tensor<?x64x8x8xf32>, tensor<64x64x1x1xf32>) -> tensor<?x64x8x8xf32>
  return
}

// -----

func.func @pixels_not_whole_blocks(%x: tensor<?x64x8x8xf32>) {
  %w = net.weight "c.weight" : tensor<64x64x1x1xf32>
  // expected-error @+1 {{tile order pixels needs algo direct and pixels (30) a multiple of ow (7)}}
  %y = net.conv %x, %w stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {net.tile = #net.tile<algo = direct, vec = 16, oc = 64, ow = 7, order = pixels, pixels = 30>} : (tensor<?x64x8x8xf32>, tensor<64x64x1x1xf32>) -> tensor<?x64x8x8xf32>
  return
}

// -----

func.func @order_of_another_algo(%x: tensor<?x64x8x8xf32>) {
  %w = net.weight "c.weight" : tensor<64x64x1x1xf32>
  // expected-error @+1 {{tile order per_image does not go with algo direct}}
  %y = net.conv %x, %w stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {net.tile = #net.tile<algo = direct, vec = 16, oc = 32, ow = 4, order = per_image>} : (tensor<?x64x8x8xf32>, tensor<64x64x1x1xf32>) -> tensor<?x64x8x8xf32>
  return
}

// -----

func.func @untyped_tile(%x: tensor<?x64x8x8xf32>) {
  %w = net.weight "c.weight" : tensor<64x64x1x1xf32>
  // expected-error @+1 {{'net.conv' op attribute 'net.tile' must be a #net.tile on a convolution}}
  %y = net.conv %x, %w stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {net.tile = {oc = 32 : i64}} : (tensor<?x64x8x8xf32>, tensor<64x64x1x1xf32>) -> tensor<?x64x8x8xf32>
  return
}

// -----

func.func @string_layout(%x: tensor<?x64x8x8xf32>) {
  // expected-error @+1 {{'net.relu' op attribute 'net.layout' must be a #net.layout on an op with one result}}
  %y = net.relu %x {net.layout = "nhwc"} : tensor<?x64x8x8xf32>
  return
}

// -----

func.func @strip_on_a_relu(%x: tensor<?x64x8x8xf32>) {
  // expected-error @+1 {{'net.relu' op attribute 'net.fuse_producer' must be a #net.strip on a max or average pool or a convolution}}
  %y = net.relu %x {net.fuse_producer = #net.strip<rows = 2>} : tensor<?x64x8x8xf32>
  return
}

// -----

func.func @no_rows(%x: tensor<?x64x8x8xf32>) {
  // expected-error @+1 {{strip needs rows >= 1, got 0}}
  %p = net.maxpool %x kernel [2, 2] stride [2, 2] pad [0, 0] {net.fuse_producer = #net.strip<rows = 0>} : tensor<?x64x8x8xf32> -> tensor<?x64x4x4xf32>
  return
}

// -----

func.func @group_on_a_weight() {
  // expected-error @+1 {{'net.weight' op attribute 'net.group' must be a #net.group on an op other than net.weight}}
  %w = net.weight "c.weight" {net.group = #net.group<0>} : tensor<4xf32>
  return
}

// -----

func.func @string_activation(%x: tensor<?x4x8x8xf32>) {
  %w = net.weight "c.weight" : tensor<4x4x1x1xf32>
  // expected-error @+1 {{'net.fused_conv' op attribute 'act' failed to satisfy constraint}}
  %y = net.fused_conv %x, %w stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {act = "relu"} : (tensor<?x4x8x8xf32>, tensor<4x4x1x1xf32>) -> tensor<?x4x8x8xf32>
  return
}

// -----

func.func @leaky_without_slope(%x: tensor<?x4x8x8xf32>) {
  %w = net.weight "c.weight" : tensor<4x4x1x1xf32>
  // expected-error @+1 {{slope is given exactly when act is leaky_relu}}
  %y = net.fused_conv %x, %w stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {act = #net.act<leaky_relu>} : (tensor<?x4x8x8xf32>, tensor<4x4x1x1xf32>) -> tensor<?x4x8x8xf32>
  return
}

// -----

// expected-error @+1 {{attribute 'net.target' must be a target (such as #net.x86) on a module}}
module attributes {net.target = 16 : i64} {
}

// -----

// expected-error @+1 {{x86 vector_width must be a power of two, got 12}}
module attributes {net.target = #net.x86<vector_width = 12, registers = 16, l2 = 1048576>} {
}

// -----

func.func @kernel_nnz_over_numel(%x: tensor<?x4x8x8xf32>) {
  %w = net.weight "c.weight" : tensor<4x4x1x1xf32>
  // expected-error @+1 {{kernel needs 0 <= nnz <= numel, numel >= 1, got 20 of 16}}
  %y = net.conv %x, %w stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {net.kernel = #net.kernel<format = sparse, nnz = 20, numel = 16, row_max = 4, dense_cost = 1, sparse_cost = 1>} : (tensor<?x4x8x8xf32>, tensor<4x4x1x1xf32>) -> tensor<?x4x8x8xf32>
  return
}

// -----

func.func @kernel_on_a_pool(%x: tensor<?x4x8x8xf32>) {
  // expected-error @+1 {{'net.relu' op attribute 'net.kernel' must be a #net.kernel on a conv or fc}}
  %y = net.relu %x {net.kernel = #net.kernel<format = dense, nnz = 1, numel = 16, row_max = 1, dense_cost = 1, sparse_cost = 1>} : tensor<?x4x8x8xf32>
  return
}

// -----

func.func @sparsity_over_numel() {
  // expected-error @+1 {{sparsity needs 0 <= zeros <= numel, got 7 of 6}}
  %w = net.weight "c.weight" {net.sparsity = #net.sparsity<zeros = 7, numel = 6>} : tensor<2x3x1x1xf32>
  return
}

// -----

func.func @sparsity_on_a_conv(%x: tensor<?x4x8x8xf32>) {
  %w = net.weight "c.weight" : tensor<4x4x1x1xf32>
  // expected-error @+1 {{'net.conv' op attribute 'net.sparsity' must be a #net.sparsity on a net.weight}}
  %y = net.conv %x, %w stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {net.sparsity = #net.sparsity<zeros = 1, numel = 16>} : (tensor<?x4x8x8xf32>, tensor<4x4x1x1xf32>) -> tensor<?x4x8x8xf32>
  return
}

// -----

func.func @codebook_too_large() {
  // expected-error @+1 {{codebook needs 0 <= entries <= 256}}
  %w = net.weight "c.weight" {net.codebook = #net.codebook<entries = 300, nonzeros = 6>} : tensor<2x3x1x1xf32>
  return
}

// -----

func.func @codebook_on_a_relu(%x: tensor<?x4xf32>) {
  // expected-error @+1 {{'net.relu' op attribute 'net.codebook' must be a #net.codebook on a net.weight}}
  %y = net.relu %x {net.codebook = #net.codebook<entries = 2, nonzeros = 6>} : tensor<?x4xf32>
  return
}

// -----

func.func @range_reversed(%x: tensor<?x4xf32>, %w: tensor<2x4xf32>) {
  // expected-error @+1 {{range needs finite min <= max, got 2.000000e+00, 1.000000e+00}}
  %y = net.fc %x, %w {net.input_range = #net.range<min = 2.0 : f32, max = 1.0 : f32>} : (tensor<?x4xf32>, tensor<2x4xf32>) -> tensor<?x2xf32>
  return
}

// -----

func.func @range_on_a_relu(%x: tensor<?x4xf32>) {
  // expected-error @+1 {{'net.relu' op attribute 'net.input_range' must be a #net.range on a conv or fc}}
  %y = net.relu %x {net.input_range = #net.range<min = 0.0 : f32, max = 1.0 : f32>} : tensor<?x4xf32>
  return
}

// -----

func.func @int8_on_a_relu(%x: tensor<?x4xf32>) {
  // expected-error @+1 {{'net.relu' op attribute 'net.int8' must be a unit attribute on a conv, an fc, or a max pool of a net.qdq value}}
  %y = net.relu %x {net.int8} : tensor<?x4xf32>
  return
}

// -----

func.func @weight_scales_on_a_relu(%x: tensor<?x4xf32>) {
  // expected-error @+1 {{'net.relu' op attribute 'net.weight_scales' must be an array<f32> on a net.weight}}
  %y = net.relu %x {net.weight_scales = array<f32: 1.0>} : tensor<?x4xf32>
  return
}

// -----

func.func @qdq_zero_scale(%x: tensor<?x4xf32>) {
  // expected-error @+1 {{'net.qdq' op needs a finite scale > 0, got 0}}
  %y = net.qdq %x scale 0.0 zero_point 0 : tensor<?x4xf32>
  return
}

// -----

func.func @qdq_zero_point(%x: tensor<?x4xf32>) {
  // expected-error @+1 {{'net.qdq' op needs a zero_point in [0, 255], got 300}}
  %y = net.qdq %x scale 1.0 zero_point 300 : tensor<?x4xf32>
  return
}
