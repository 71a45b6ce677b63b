// net-prune-channels: per space of coupled output channels, floor(S * n)
// channels of smallest filter L1 norm go (ties: lower index); producers,
// their batchnorms and consumers are sliced, types rewritten; a space that
// reaches a function result stays whole. (Values: the blobs are checked
// against PyTorch by test/Numerical/prune_channels.py.)
// RUN: net-opt %s --net-prune-channels="sparsity=0.5" | FileCheck %s
// RUN: net-opt %s --net-prune-channels="sparsity=0.25" | FileCheck %s --check-prefix=QUARTER
// RUN: not net-opt %s --net-prune-channels="sparsity=1.0" 2>&1 | FileCheck %s --check-prefix=RANGE
// RUN: not net-opt %s --split-input-file --net-prune-channels="sparsity=0.5" 2>&1 | FileCheck %s --check-prefix=NOVALUES

// a: 4 channels with norms 1, 4, 2, 3: channels 0 and 2 go.
// CHECK: net.weight "a.weight" value = dense_resource<{{.*}}> : tensor<2x2x1x1xf32>
// CHECK: net.conv {{.*}} -> tensor<?x2x4x4xf32>
// CHECK: net.weight "bn.weight" value = dense_resource<{{.*}}> : tensor<2xf32>
// CHECK: net.batchnorm {{.*}} : tensor<?x2x4x4xf32>, tensor<2xf32> -> tensor<?x2x4x4xf32>
// The residual pair b, c (norms 5, 1 and 1, 2: sums 6, 3): channel 1 goes
// from both.
// CHECK: net.weight "b.weight" value = dense_resource<{{.*}}> : tensor<1x2x1x1xf32>
// CHECK: net.weight "c.weight" value = dense_resource<{{.*}}> : tensor<1x2x1x1xf32>
// CHECK: net.add {{.*}} : tensor<?x1x4x4xf32>, tensor<?x1x4x4xf32>
// The consumer's input channels follow; its output is a result: whole.
// CHECK: net.concat {{.*}} -> tensor<?x3x4x4xf32>
// CHECK: net.weight "d.weight" value = dense_resource<{{.*}}> : tensor<3x3x1x1xf32>
// CHECK: net.conv {{.*}} -> tensor<?x3x4x4xf32>
// The kept rows 1 and 3 of a.weight: -4, 0 and 0, 3 (after the 4-byte
// alignment header).
// CHECK: a_weight: "0x04000000000080C0000000000000000000004040"
// QUARTER: net.weight "a.weight" value = dense_resource<{{.*}}> : tensor<3x2x1x1xf32>
// QUARTER: net.weight "b.weight" value = dense<{{.*}}> : tensor<2x2x1x1xf32>
// RANGE: error: net-prune-channels: sparsity must be in [0, 1), got 1
// NOVALUES: error: cannot prune the channels of 'w.weight': its values are not known at compile time

func.func @forward(%x: tensor<?x2x4x4xf32>) -> tensor<?x3x4x4xf32> {
  %wa = net.weight "a.weight" value = dense<[[[[1.0]], [[0.0]]], [[[-4.0]], [[0.0]]], [[[1.0]], [[1.0]]], [[[0.0]], [[3.0]]]]> : tensor<4x2x1x1xf32> : tensor<4x2x1x1xf32>
  %a = net.conv %x, %wa stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 : (tensor<?x2x4x4xf32>, tensor<4x2x1x1xf32>) -> tensor<?x4x4x4xf32>
  %g = net.weight "bn.weight" value = dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32> : tensor<4xf32>
  %be = net.weight "bn.bias" value = dense<[0.1, 0.2, 0.3, 0.4]> : tensor<4xf32> : tensor<4xf32>
  %m = net.weight "bn.running_mean" value = dense<0.0> : tensor<4xf32> : tensor<4xf32>
  %v = net.weight "bn.running_var" value = dense<1.0> : tensor<4xf32> : tensor<4xf32>
  %n = net.batchnorm %a, %g, %be, %m, %v eps 1.0e-05 : tensor<?x4x4x4xf32>, tensor<4xf32> -> tensor<?x4x4x4xf32>
  %r = net.relu %n : tensor<?x4x4x4xf32>
  %wb = net.weight "b.weight" value = dense<[[[[5.0]], [[0.0]]], [[[0.0]], [[-1.0]]]]> : tensor<2x2x1x1xf32> : tensor<2x2x1x1xf32>
  %b = net.conv %x, %wb stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 : (tensor<?x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<?x2x4x4xf32>
  %wc = net.weight "c.weight" value = dense<[[[[1.0]], [[0.0]]], [[[1.0]], [[1.0]]]]> : tensor<2x2x1x1xf32> : tensor<2x2x1x1xf32>
  %c = net.conv %x, %wc stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 : (tensor<?x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<?x2x4x4xf32>
  %s = net.add %b, %c : tensor<?x2x4x4xf32>, tensor<?x2x4x4xf32>
  %cat = net.concat %r, %s axis 1 : (tensor<?x4x4x4xf32>, tensor<?x2x4x4xf32>) -> tensor<?x6x4x4xf32>
  %wd = net.weight "d.weight" value = dense<1.0> : tensor<3x6x1x1xf32> : tensor<3x6x1x1xf32>
  %d = net.conv %cat, %wd stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 : (tensor<?x6x4x4xf32>, tensor<3x6x1x1xf32>) -> tensor<?x3x4x4xf32>
  return %d : tensor<?x3x4x4xf32>
}

// -----

module {
func.func @forward(%x: tensor<?x2x4x4xf32>) -> tensor<?x2x4x4xf32> {
  %w = net.weight "w.weight" : tensor<4x2x1x1xf32>
  %a = net.conv %x, %w stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 : (tensor<?x2x4x4xf32>, tensor<4x2x1x1xf32>) -> tensor<?x4x4x4xf32>
  %w2 = net.weight "w2.weight" value = dense<1.0> : tensor<2x4x1x1xf32> : tensor<2x4x1x1xf32>
  %b = net.conv %a, %w2 stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 : (tensor<?x4x4x4xf32>, tensor<2x4x1x1xf32>) -> tensor<?x2x4x4xf32>
  return %b : tensor<?x2x4x4xf32>
}
}
