// net-share-weights: the nonzero values of each conv/fc weight clustered by
// 1-D k-means (centroids start evenly spaced from the smallest to the
// largest value) into conv-entries / fc-entries shared values, each its
// cluster's mean; zeros stay zeros; biases and frozen constants stay; a
// parameter in two functions is clustered once (same blob); a weight with
// few enough distinct values keeps them. Blobs as hex after the 4-byte
// alignment header 04000000: 2.25 = 00001040, -2.0 = 000000C0, 2.0 =
// 00000040, 0.0 = 00000000.
// RUN: net-opt %s --net-share-weights="conv-entries=2 fc-entries=1" | FileCheck %s
// RUN: net-opt %s --net-share-weights | FileCheck %s --check-prefix=KEEP
// RUN: not net-opt %s --net-share-weights="conv-entries=0" 2>&1 | FileCheck %s --check-prefix=RANGE
// RUN: not net-opt %s --net-share-weights="fc-entries=257" 2>&1 | FileCheck %s --check-prefix=RANGE-FC

// c.weight: -2 | 1, 1.5, 3, 3.5 (boundary halfway between -2 and 3.5):
// centroids -2 and 2.25. fc.weight: one entry, the mean of 1, 2, 3.
// CHECK-LABEL: func.func @forward
// CHECK: net.weight "c.weight" value = dense_resource<[[CW:[a-z_0-9]+]]> : tensor<2x3x1x1xf32> {net.codebook = #net.codebook<entries = 2, nonzeros = 5>}
// CHECK: net.weight "c.bias" value = dense<[5.000000e-01, -1.000000e+00]>
// CHECK-NOT: net.codebook
// CHECK: net.weight "k" frozen value = dense<5.000000e-01>
// CHECK: net.weight "fc.weight" value = dense_resource<[[FW:[a-z_0-9]+]]> : tensor<2x2xf32> {net.codebook = #net.codebook<entries = 1, nonzeros = 3>}
// CHECK-LABEL: func.func @loss
// CHECK: net.weight "c.weight" value = dense_resource<[[CW]]> : tensor<2x3x1x1xf32> {net.codebook = #net.codebook<entries = 2, nonzeros = 5>}
// CHECK: [[CW]]: "0x040000000000104000001040000000000000104000001040000000C0"
// CHECK: [[FW]]: "0x0400000000000000000000400000004000000040"

// KEEP: net.weight "c.weight" value = dense_resource<[[CW:[a-z_0-9]+]]> : tensor<2x3x1x1xf32> {net.codebook = #net.codebook<entries = 5, nonzeros = 5>}
// KEEP: net.weight "fc.weight" value = dense_resource<[[FW:[a-z_0-9]+]]> : tensor<2x2xf32> {net.codebook = #net.codebook<entries = 3, nonzeros = 3>}
// 1.0 = 0000803F, 1.5 = 0000C03F, 3.0 = 00004040, 3.5 = 00006040
// KEEP: [[CW]]: "0x040000000000803F0000C03F000000000000404000006040000000C0"

// RANGE: error: net-share-weights: conv-entries must be in [1, 256], got 0
// RANGE-FC: error: net-share-weights: fc-entries must be in [1, 256], got 257

func.func @forward(%x: tensor<?x3x4x4xf32>, %z: tensor<?x2xf32>) -> (tensor<?x2x4x4xf32>, tensor<?x2xf32>) {
  %w = net.weight "c.weight" value = dense<[[[[1.0]], [[1.5]], [[0.0]]], [[[3.0]], [[3.5]], [[-2.0]]]]> : tensor<2x3x1x1xf32> : tensor<2x3x1x1xf32>
  %b = net.weight "c.bias" value = dense<[0.5, -1.0]> : tensor<2xf32> : tensor<2xf32>
  %c = net.conv %x, %w, %b stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 : (tensor<?x3x4x4xf32>, tensor<2x3x1x1xf32>, tensor<2xf32>) -> tensor<?x2x4x4xf32>
  %k = net.weight "k" frozen value = dense<0.5> : tensor<2x2x1x1xf32> : tensor<2x2x1x1xf32>
  %d = net.conv %c, %k stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 : (tensor<?x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<?x2x4x4xf32>
  %fw = net.weight "fc.weight" value = dense<[[0.0, 2.0], [1.0, 3.0]]> : tensor<2x2xf32> : tensor<2x2xf32>
  %y = net.fc %z, %fw : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
  return %d, %y : tensor<?x2x4x4xf32>, tensor<?x2xf32>
}

func.func @loss(%x: tensor<?x3x4x4xf32>) -> tensor<?x2x4x4xf32> {
  %w = net.weight "c.weight" value = dense<[[[[1.0]], [[1.5]], [[0.0]]], [[[3.0]], [[3.5]], [[-2.0]]]]> : tensor<2x3x1x1xf32> : tensor<2x3x1x1xf32>
  %c = net.conv %x, %w stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 : (tensor<?x3x4x4xf32>, tensor<2x3x1x1xf32>) -> tensor<?x2x4x4xf32>
  return %c : tensor<?x2x4x4xf32>
}
