// net.weight prints and parses back, with and without `frozen`.
// RUN: net-opt %s | net-opt | FileCheck %s
// RUN: net-opt %s --mlir-print-op-generic | net-opt | FileCheck %s

// CHECK-LABEL: func.func @weights
func.func @weights() -> (tensor<6x1x5x5xf32>, tensor<1x1x3x3xf32>) {
  // CHECK: net.weight "c1.weight" : tensor<6x1x5x5xf32>
  %w = net.weight "c1.weight" : tensor<6x1x5x5xf32>
  // CHECK: net.weight "sobel.weight" frozen : tensor<1x1x3x3xf32>
  %s = net.weight "sobel.weight" frozen : tensor<1x1x3x3xf32>
  return %w, %s : tensor<6x1x5x5xf32>, tensor<1x1x3x3xf32>
}
