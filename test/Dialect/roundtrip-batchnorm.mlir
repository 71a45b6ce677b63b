// net.batchnorm round-trips with its four parameters and eps.
// RUN: net-opt %s | net-opt | FileCheck %s
// RUN: net-opt %s --mlir-print-op-generic | net-opt | FileCheck %s

// CHECK-LABEL: func.func @bn
func.func @bn(%x: tensor<?x8x4x4xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>,
              %m: tensor<8xf32>, %v: tensor<8xf32>) -> tensor<?x8x4x4xf32> {
  // CHECK: net.batchnorm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} eps 1.000000e-03 : tensor<?x8x4x4xf32>, tensor<8xf32> -> tensor<?x8x4x4xf32>
  %y = net.batchnorm %x, %g, %b, %m, %v eps 1.0e-03
      : tensor<?x8x4x4xf32>, tensor<8xf32> -> tensor<?x8x4x4xf32>
  return %y : tensor<?x8x4x4xf32>
}
