// net.fc round-trips with and without a bias; it flattens a rank-4 input.
// RUN: net-opt %s | net-opt | FileCheck %s
// RUN: net-opt %s --mlir-print-op-generic | net-opt | FileCheck %s

// CHECK-LABEL: func.func @fc
func.func @fc(%x: tensor<?x16x5x5xf32>, %w: tensor<120x400xf32>,
              %b: tensor<120xf32>, %w2: tensor<10x120xf32>)
    -> tensor<?x10xf32> {
  // CHECK: %[[H:.*]] = net.fc %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x16x5x5xf32>, tensor<120x400xf32>, tensor<120xf32>) -> tensor<?x120xf32>
  %h = net.fc %x, %w, %b : (tensor<?x16x5x5xf32>, tensor<120x400xf32>,
                            tensor<120xf32>) -> tensor<?x120xf32>
  // CHECK: net.fc %[[H]], %{{.*}} : (tensor<?x120xf32>, tensor<10x120xf32>) -> tensor<?x10xf32>
  %y = net.fc %h, %w2 : (tensor<?x120xf32>, tensor<10x120xf32>)
      -> tensor<?x10xf32>
  return %y : tensor<?x10xf32>
}
