// net.deconv, net.lrn and net.upsample round-trip through the custom and the
// generic form, in 1-D to 3-D, with and without a bias.
// RUN: net-opt %s | net-opt | FileCheck %s
// RUN: net-opt %s --mlir-print-op-generic | net-opt | FileCheck %s

// CHECK-LABEL: func.func @deconv
func.func @deconv(%x: tensor<?x4x5x6xf32>, %w: tensor<4x3x3x3xf32>,
                  %b: tensor<3xf32>, %s: tensor<1x2x7xf32>,
                  %ws: tensor<2x5x4xf32>, %v: tensor<2x2x3x3x3xf32>,
                  %wv: tensor<2x1x2x2x2xf32>)
    -> (tensor<?x3x10x12xf32>, tensor<1x5x16xf32>, tensor<2x1x6x6x6xf32>) {
  // CHECK: net.deconv %{{.*}}, %{{.*}}, %{{.*}} stride [2, 2] pad [1, 1] output_pad [1, 1] dilation [1, 1] : (tensor<?x4x5x6xf32>, tensor<4x3x3x3xf32>, tensor<3xf32>) -> tensor<?x3x10x12xf32>
  %a = net.deconv %x, %w, %b stride [2, 2] pad [1, 1] output_pad [1, 1]
      dilation [1, 1]
      : (tensor<?x4x5x6xf32>, tensor<4x3x3x3xf32>, tensor<3xf32>)
      -> tensor<?x3x10x12xf32>
  // 1-D, dilated, no bias: (7-1)*2 - 2*2 + 2*(4-1) + 1 + 1 = 16.
  // CHECK: net.deconv %{{.*}}, %{{.*}} stride [2] pad [2] output_pad [1] dilation [2] : (tensor<1x2x7xf32>, tensor<2x5x4xf32>) -> tensor<1x5x16xf32>
  %c = net.deconv %s, %ws stride [2] pad [2] output_pad [1] dilation [2]
      : (tensor<1x2x7xf32>, tensor<2x5x4xf32>) -> tensor<1x5x16xf32>
  // CHECK: net.deconv %{{.*}}, %{{.*}} stride [2, 2, 2] pad [0, 0, 0] output_pad [0, 0, 0] dilation [1, 1, 1] : (tensor<2x2x3x3x3xf32>, tensor<2x1x2x2x2xf32>) -> tensor<2x1x6x6x6xf32>
  %d = net.deconv %v, %wv stride [2, 2, 2] pad [0, 0, 0] output_pad [0, 0, 0]
      dilation [1, 1, 1]
      : (tensor<2x2x3x3x3xf32>, tensor<2x1x2x2x2xf32>) -> tensor<2x1x6x6x6xf32>
  return %a, %c, %d
      : tensor<?x3x10x12xf32>, tensor<1x5x16xf32>, tensor<2x1x6x6x6xf32>
}

// CHECK-LABEL: func.func @lrn
func.func @lrn(%x: tensor<?x8x6x6xf32>, %s: tensor<2x5x7xf32>)
    -> (tensor<?x8x6x6xf32>, tensor<2x5x7xf32>) {
  // CHECK: net.lrn %{{.*}} size 5 alpha 9.99999974E-5 beta 7.500000e-01 k 2.000000e+00 : tensor<?x8x6x6xf32>
  %a = net.lrn %x size 5 alpha 1.0e-4 beta 0.75 k 2.0 : tensor<?x8x6x6xf32>
  // CHECK: net.lrn %{{.*}} size 2 alpha 1.000000e+00 beta 5.000000e-01 k 1.000000e+00 : tensor<2x5x7xf32>
  %b = net.lrn %s size 2 alpha 1.0 beta 0.5 k 1.0 : tensor<2x5x7xf32>
  return %a, %b : tensor<?x8x6x6xf32>, tensor<2x5x7xf32>
}

// CHECK-LABEL: func.func @upsample
func.func @upsample(%x: tensor<?x3x4x5xf32>, %s: tensor<1x2x7xf32>,
                    %v: tensor<1x2x2x3x4xf32>)
    -> (tensor<?x3x8x10xf32>, tensor<?x3x8x15xf32>, tensor<1x2x21xf32>,
        tensor<1x2x2x6x8xf32>, tensor<1x2x4x6x8xf32>) {
  // CHECK: net.upsample %{{.*}} scale [2, 2] mode "nearest" : tensor<?x3x4x5xf32> -> tensor<?x3x8x10xf32>
  %a = net.upsample %x scale [2, 2] mode "nearest"
      : tensor<?x3x4x5xf32> -> tensor<?x3x8x10xf32>
  // CHECK: net.upsample %{{.*}} scale [2, 3] mode "bilinear" : tensor<?x3x4x5xf32> -> tensor<?x3x8x15xf32>
  %b = net.upsample %x scale [2, 3] mode "bilinear"
      : tensor<?x3x4x5xf32> -> tensor<?x3x8x15xf32>
  // CHECK: net.upsample %{{.*}} scale [3] mode "linear" : tensor<1x2x7xf32> -> tensor<1x2x21xf32>
  %c = net.upsample %s scale [3] mode "linear"
      : tensor<1x2x7xf32> -> tensor<1x2x21xf32>
  // CHECK: net.upsample %{{.*}} scale [1, 2, 2] mode "nearest" : tensor<1x2x2x3x4xf32> -> tensor<1x2x2x6x8xf32>
  %d = net.upsample %v scale [1, 2, 2] mode "nearest"
      : tensor<1x2x2x3x4xf32> -> tensor<1x2x2x6x8xf32>
  // CHECK: net.upsample %{{.*}} scale [2, 2, 2] mode "trilinear" : tensor<1x2x2x3x4xf32> -> tensor<1x2x4x6x8xf32>
  %e = net.upsample %v scale [2, 2, 2] mode "trilinear"
      : tensor<1x2x2x3x4xf32> -> tensor<1x2x4x6x8xf32>
  return %a, %b, %c, %d, %e : tensor<?x3x8x10xf32>, tensor<?x3x8x15xf32>,
      tensor<1x2x21xf32>, tensor<1x2x2x6x8xf32>, tensor<1x2x4x6x8xf32>
}
