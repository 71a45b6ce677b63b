// net-sparse: each pruned conv (channels innermost, groups 1) gets a
// #net.kernel with the nonzeros of its weight (in all, and the most in one
// output channel), the x86 cost model's two estimates and its choice; a
// sparse one loses its net.tile; a pruned fc layer gets one too. Unpruned
// weights and grouped convs get none; mode=always/never override the
// choice, a bad mode is an error.
// RUN: net-opt %s --net-sparse="vector-width=16" | FileCheck %s
// RUN: net-opt %s --net-sparse="vector-width=16 mode=always" | FileCheck %s --check-prefix=ALWAYS
// RUN: net-opt %s --net-sparse="vector-width=16 mode=never" | FileCheck %s --check-prefix=NEVER
// RUN: not net-opt %s --net-sparse="mode=sometimes" 2>&1 | FileCheck %s --check-prefix=BAD

// Channel 0 has two nonzeros, channel 1 one: nnz 3 of 128. With two output
// channels the sparse kernel's per-channel work outweighs the dense one.
// CHECK-LABEL: func.func @forward
// CHECK: net.conv
// CHECK-SAME: net.kernel = #net.kernel<format = dense, nnz = 3, numel = 128, row_max = 2, dense_cost = {{[0-9]+}}, sparse_cost = {{[0-9]+}}>
// CHECK-SAME: -> tensor<?x2x8x8xf32>
// Every value nonzero: the dense kernel, its tile kept.
// CHECK: net.conv
// CHECK-SAME: net.kernel = #net.kernel<format = dense, nnz = 4096, numel = 4096, row_max = 64,
// CHECK-SAME: net.tile = #net.tile
// All zero, 256 channels in and out: sparse, and the tile goes.
// CHECK: net.conv
// CHECK-SAME: net.kernel = #net.kernel<format = sparse, nnz = 0, numel = 65536, row_max = 0,
// CHECK-NOT: net.tile
// CHECK-SAME: -> tensor<?x256x8x8xf32>
// Not pruned, grouped: nothing.
// CHECK-NOT: net.kernel
// CHECK: net.fc
// CHECK-SAME: net.kernel = #net.kernel<format = sparse, nnz = 0, numel = 128, row_max = 0,
// The same conv on another layer's output takes the flat kernel's cost:
// 4 chunks of 16 pixels (two tiles of two) x 21 per output channel.
// CHECK: net.conv
// CHECK-SAME: net.kernel = #net.kernel<format = sparse, nnz = 0, numel = 65536, row_max = 0, dense_cost = 262144, sparse_cost = 21504>

// ALWAYS: net.kernel = #net.kernel<format = sparse, nnz = 3,
// ALWAYS: net.kernel = #net.kernel<format = sparse, nnz = 4096,
// ALWAYS-NOT: net.tile
// ALWAYS: net.kernel = #net.kernel<format = sparse, nnz = 0, numel = 65536
// ALWAYS-NOT: net.conv{{.*}}net.kernel
// ALWAYS: net.fc {{.*}}#net.kernel<format = sparse
// NEVER: net.kernel = #net.kernel<format = dense, nnz = 3,
// NEVER: net.kernel = #net.kernel<format = dense, nnz = 4096,
// NEVER: net.kernel = #net.kernel<format = dense, nnz = 0,
// NEVER: net.fc {{.*}}#net.kernel<format = dense
// BAD: error: net-sparse: mode must be auto, always or never, got 'sometimes'

#tile = #net.tile<algo = direct, vec = 16, oc = 64, ow = 4, order = rows_outer>
func.func @forward(%x: tensor<?x64x8x8xf32>, %v: tensor<?x64xf32>, %x2: tensor<?x256x8x8xf32>) -> (tensor<?x2x8x8xf32>, tensor<?x64x8x8xf32>, tensor<?x64x8x8xf32>, tensor<?x64x8x8xf32>, tensor<?x2xf32>, tensor<?x256x8x8xf32>, tensor<?x256x8x8xf32>) {
  %w0 = net.weight "a.weight" value = dense<[[[[1.0]], [[-2.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]]], [[[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[0.0]], [[3.0]]]]> : tensor<2x64x1x1xf32> {net.sparsity = #net.sparsity<zeros = 125, numel = 128>} : tensor<2x64x1x1xf32>
  %y0 = net.conv %x, %w0 stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {net.layout = #net.layout<nhwc>} : (tensor<?x64x8x8xf32>, tensor<2x64x1x1xf32>) -> tensor<?x2x8x8xf32>
  %w1 = net.weight "b.weight" value = dense<0.5> : tensor<64x64x1x1xf32> {net.sparsity = #net.sparsity<zeros = 0, numel = 4096>} : tensor<64x64x1x1xf32>
  %y1 = net.conv %x, %w1 stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {net.layout = #net.layout<nhwc>, net.tile = #tile} : (tensor<?x64x8x8xf32>, tensor<64x64x1x1xf32>) -> tensor<?x64x8x8xf32>
  %w5 = net.weight "e.weight" value = dense<0.0> : tensor<256x256x1x1xf32> {net.sparsity = #net.sparsity<zeros = 65536, numel = 65536>} : tensor<256x256x1x1xf32>
  %y5 = net.conv %x2, %w5 stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {net.layout = #net.layout<nhwc>, net.tile = #tile} : (tensor<?x256x8x8xf32>, tensor<256x256x1x1xf32>) -> tensor<?x256x8x8xf32>
  %w2 = net.weight "c.weight" value = dense<0.0> : tensor<64x64x1x1xf32> : tensor<64x64x1x1xf32>
  %y2 = net.conv %x, %w2 stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {net.layout = #net.layout<nhwc>} : (tensor<?x64x8x8xf32>, tensor<64x64x1x1xf32>) -> tensor<?x64x8x8xf32>
  %w3 = net.weight "d.weight" value = dense<0.0> : tensor<64x1x3x3xf32> {net.sparsity = #net.sparsity<zeros = 576, numel = 576>} : tensor<64x1x3x3xf32>
  %y3 = net.conv %x, %w3 stride [1, 1] pad [1, 1] dilation [1, 1] groups 64 {net.layout = #net.layout<nhwc>} : (tensor<?x64x8x8xf32>, tensor<64x1x3x3xf32>) -> tensor<?x64x8x8xf32>
  %w4 = net.weight "fc.weight" value = dense<0.0> : tensor<2x64xf32> {net.sparsity = #net.sparsity<zeros = 128, numel = 128>} : tensor<2x64xf32>
  %y4 = net.fc %v, %w4 : (tensor<?x64xf32>, tensor<2x64xf32>) -> tensor<?x2xf32>
  %r6 = net.relu %x2 {net.layout = #net.layout<nhwc>} : tensor<?x256x8x8xf32>
  %y6 = net.conv %r6, %w5 stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {net.layout = #net.layout<nhwc>, net.tile = #tile} : (tensor<?x256x8x8xf32>, tensor<256x256x1x1xf32>) -> tensor<?x256x8x8xf32>
  return %y0, %y1, %y2, %y3, %y4, %y5, %y6 : tensor<?x2x8x8xf32>, tensor<?x64x8x8xf32>, tensor<?x64x8x8xf32>, tensor<?x64x8x8xf32>, tensor<?x2xf32>, tensor<?x256x8x8xf32>, tensor<?x256x8x8xf32>
}
