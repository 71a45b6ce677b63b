// net.maxpool and net.avgpool round-trip, `ceil` included, in 1-D to 3-D.
// RUN: net-opt %s | net-opt | FileCheck %s
// RUN: net-opt %s --mlir-print-op-generic | net-opt | FileCheck %s

// CHECK-LABEL: func.func @pools
func.func @pools(%x: tensor<?x4x9x10xf32>, %s: tensor<1x2x16xf32>,
                 %v: tensor<1x2x4x4x4xf32>)
    -> (tensor<?x4x5x5xf32>, tensor<?x4x5x5xf32>, tensor<?x4x3x5xf32>,
        tensor<1x2x8xf32>, tensor<1x2x2x2x2xf32>) {
  // CHECK: net.maxpool %{{.*}} kernel [2, 2] stride [2, 2] pad [0, 0] ceil : tensor<?x4x9x10xf32> -> tensor<?x4x5x5xf32>
  %a = net.maxpool %x kernel [2, 2] stride [2, 2] pad [0, 0] ceil
      : tensor<?x4x9x10xf32> -> tensor<?x4x5x5xf32>
  // CHECK: net.maxpool %{{.*}} kernel [3, 3] stride [2, 2] pad [1, 1] : tensor<?x4x9x10xf32> -> tensor<?x4x5x5xf32>
  %b = net.maxpool %x kernel [3, 3] stride [2, 2] pad [1, 1]
      : tensor<?x4x9x10xf32> -> tensor<?x4x5x5xf32>
  // CHECK: net.avgpool %{{.*}} kernel [3, 2] stride [3, 2] pad [0, 0] : tensor<?x4x9x10xf32> -> tensor<?x4x3x5xf32>
  %c = net.avgpool %x kernel [3, 2] stride [3, 2] pad [0, 0]
      : tensor<?x4x9x10xf32> -> tensor<?x4x3x5xf32>
  // CHECK: net.avgpool %{{.*}} kernel [2] stride [2] pad [0] : tensor<1x2x16xf32> -> tensor<1x2x8xf32>
  %d = net.avgpool %s kernel [2] stride [2] pad [0]
      : tensor<1x2x16xf32> -> tensor<1x2x8xf32>
  // CHECK: net.maxpool %{{.*}} kernel [2, 2, 2] stride [2, 2, 2] pad [0, 0, 0] : tensor<1x2x4x4x4xf32> -> tensor<1x2x2x2x2xf32>
  %e = net.maxpool %v kernel [2, 2, 2] stride [2, 2, 2] pad [0, 0, 0]
      : tensor<1x2x4x4x4xf32> -> tensor<1x2x2x2x2xf32>
  return %a, %b, %c, %d, %e : tensor<?x4x5x5xf32>, tensor<?x4x5x5xf32>,
      tensor<?x4x3x5xf32>, tensor<1x2x8xf32>, tensor<1x2x2x2x2xf32>
}
