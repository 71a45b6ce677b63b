// net-prune-magnitude: the floor(S * numel) values of smallest |w| of each
// conv/fc weight become zero, ties by the lower flat index; biases and
// frozen constants stay; a parameter shared by two functions is pruned once
// (both get the same blob); --prune-skip's prefixes match whole name
// components. Blobs are printed as hex: 1.0 = 0000803F, -2.0 = 000000C0,
// 0.5 = 0000003F, -0.5 = 000000BF, 3.0 = 00004040, 0.0 = 00000000 (after
// the 4-byte alignment header 04000000).
// RUN: net-opt %s --net-prune-magnitude="sparsity=0.34" | FileCheck %s --check-prefix=TIES
// RUN: net-opt %s --net-prune-magnitude="sparsity=0.5" | FileCheck %s --check-prefix=HALF
// RUN: net-opt %s --net-prune-magnitude="sparsity=0.5 skip=c" | FileCheck %s --check-prefix=SKIP
// RUN: not net-opt %s --net-prune-magnitude="sparsity=0.5 skip=fc.x" 2>&1 | FileCheck %s --check-prefix=NOSUCH
// RUN: not net-opt %s --net-prune-magnitude="sparsity=1.0" 2>&1 | FileCheck %s --check-prefix=RANGE

// TIES: net.weight "c.weight" value = dense_resource<[[CW:[a-z_0-9]+]]> : tensor<2x3x1x1xf32> {net.sparsity = #net.sparsity<zeros = 2, numel = 6>}
// TIES: net.weight "c.bias" value = dense<[5.000000e-01, -1.000000e+00]>
// TIES-NOT: net.sparsity
// TIES: net.weight "k" frozen value = dense<5.000000e-01>
// TIES: net.weight "fc.weight" value = dense_resource<[[FW:[a-z_0-9]+]]> : tensor<2x2xf32> {net.sparsity = #net.sparsity<zeros = 1, numel = 4>}
// 1.0, -2.0, 0, 0, 3.0, -0.5: of the three |0.5|, the two lowest indices go.
// TIES: [[CW]]: "0x040000000000803F000000C0000000000000000000004040000000BF"
// TIES: [[FW]]: "0x0400000000000000000000400000803F00004040"

// HALF: net.weight "c.weight" value = dense_resource<[[CW:[a-z_0-9]+]]> : tensor<2x3x1x1xf32> {net.sparsity = #net.sparsity<zeros = 3, numel = 6>}
// HALF: net.weight "fc.weight" value = dense_resource<[[FW:[a-z_0-9]+]]> : tensor<2x2xf32> {net.sparsity = #net.sparsity<zeros = 2, numel = 4>}
// The loss function's copy of c.weight has the same blob.
// HALF-LABEL: func.func @loss
// HALF: net.weight "c.weight" value = dense_resource<[[CW]]> : tensor<2x3x1x1xf32> {net.sparsity = #net.sparsity<zeros = 3, numel = 6>}
// HALF: [[CW]]: "0x040000000000803F000000C000000000000000000000404000000000"
// HALF: [[FW]]: "0x0400000000000000000000400000000000004040"

// SKIP: net.weight "c.weight" value = dense<
// SKIP-NOT: #net.sparsity<zeros = 3
// SKIP: net.weight "fc.weight" value = dense_resource<{{.*}}> : tensor<2x2xf32> {net.sparsity = #net.sparsity<zeros = 2, numel = 4>}

// NOSUCH: error: --prune-skip 'fc.x' names no conv or fc layer
// RANGE: error: net-prune-magnitude: sparsity must be in [0, 1), got 1

func.func @forward(%x: tensor<?x3x4x4xf32>, %z: tensor<?x2xf32>) -> (tensor<?x2x4x4xf32>, tensor<?x2xf32>) {
  %w = net.weight "c.weight" value = dense<[[[[1.0]], [[-2.0]], [[0.5]]], [[[0.5]], [[3.0]], [[-0.5]]]]> : tensor<2x3x1x1xf32> : tensor<2x3x1x1xf32>
  %b = net.weight "c.bias" value = dense<[0.5, -1.0]> : tensor<2xf32> : tensor<2xf32>
  %c = net.conv %x, %w, %b stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 : (tensor<?x3x4x4xf32>, tensor<2x3x1x1xf32>, tensor<2xf32>) -> tensor<?x2x4x4xf32>
  %k = net.weight "k" frozen value = dense<0.5> : tensor<2x2x1x1xf32> : tensor<2x2x1x1xf32>
  %d = net.conv %c, %k stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 : (tensor<?x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<?x2x4x4xf32>
  %fw = net.weight "fc.weight" value = dense<[[0.0, 2.0], [1.0, 3.0]]> : tensor<2x2xf32> : tensor<2x2xf32>
  %y = net.fc %z, %fw : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
  return %d, %y : tensor<?x2x4x4xf32>, tensor<?x2xf32>
}

func.func @loss(%x: tensor<?x3x4x4xf32>) -> tensor<?x2x4x4xf32> {
  %w = net.weight "c.weight" value = dense<[[[[1.0]], [[-2.0]], [[0.5]]], [[[0.5]], [[3.0]], [[-0.5]]]]> : tensor<2x3x1x1xf32> : tensor<2x3x1x1xf32>
  %c = net.conv %x, %w stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 : (tensor<?x3x4x4xf32>, tensor<2x3x1x1xf32>) -> tensor<?x2x4x4xf32>
  return %c : tensor<?x2x4x4xf32>
}
