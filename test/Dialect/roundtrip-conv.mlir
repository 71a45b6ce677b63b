// net.conv round-trips in 1-D, 2-D and 3-D, with and without a bias, keeping
// stride, pad, dilation and groups.
// RUN: net-opt %s | net-opt | FileCheck %s
// RUN: net-opt %s --mlir-print-op-generic | net-opt | FileCheck %s

// CHECK-LABEL: func.func @conv2d
func.func @conv2d(%x: tensor<?x4x9x10xf32>, %w: tensor<6x2x3x1xf32>,
                  %b: tensor<6xf32>) -> tensor<?x6x5x10xf32> {
  // CHECK: net.conv %{{.*}}, %{{.*}}, %{{.*}} stride [2, 1] pad [1, 0] dilation [1, 2] groups 2 : (tensor<?x4x9x10xf32>, tensor<6x2x3x1xf32>, tensor<6xf32>) -> tensor<?x6x5x10xf32>
  %y = net.conv %x, %w, %b stride [2, 1] pad [1, 0] dilation [1, 2] groups 2
      : (tensor<?x4x9x10xf32>, tensor<6x2x3x1xf32>, tensor<6xf32>)
      -> tensor<?x6x5x10xf32>
  return %y : tensor<?x6x5x10xf32>
}

// CHECK-LABEL: func.func @conv1d_nobias
func.func @conv1d_nobias(%x: tensor<2x2x16xf32>, %w: tensor<3x2x3xf32>)
    -> tensor<2x3x7xf32> {
  // CHECK: net.conv %{{.*}}, %{{.*}} stride [2] pad [0] dilation [1] groups 1 : (tensor<2x2x16xf32>, tensor<3x2x3xf32>) -> tensor<2x3x7xf32>
  %y = net.conv %x, %w stride [2] pad [0] dilation [1] groups 1
      : (tensor<2x2x16xf32>, tensor<3x2x3xf32>) -> tensor<2x3x7xf32>
  return %y : tensor<2x3x7xf32>
}

// CHECK-LABEL: func.func @conv3d
func.func @conv3d(%x: tensor<?x1x4x6x8xf32>, %w: tensor<2x1x3x3x3xf32>,
                  %b: tensor<2xf32>) -> tensor<?x2x4x6x8xf32> {
  // CHECK: net.conv {{.*}} stride [1, 1, 1] pad [1, 1, 1] dilation [1, 1, 1] groups 1 : (tensor<?x1x4x6x8xf32>, tensor<2x1x3x3x3xf32>, tensor<2xf32>) -> tensor<?x2x4x6x8xf32>
  %y = net.conv %x, %w, %b stride [1, 1, 1] pad [1, 1, 1] dilation [1, 1, 1]
      groups 1 : (tensor<?x1x4x6x8xf32>, tensor<2x1x3x3x3xf32>, tensor<2xf32>)
      -> tensor<?x2x4x6x8xf32>
  return %y : tensor<?x2x4x6x8xf32>
}
