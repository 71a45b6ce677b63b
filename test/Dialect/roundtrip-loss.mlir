// The loss terms net.cross_entropy, net.mse and net.l1 round-trip with their
// reduction; each yields a 0-d f32 tensor.
// RUN: net-opt %s | net-opt | FileCheck %s
// RUN: net-opt %s --mlir-print-op-generic | net-opt | FileCheck %s

// CHECK-LABEL: func.func @losses
func.func @losses(%logits: tensor<?x10xf32>, %label: tensor<?xi32>,
                  %a: tensor<?x3x4xf32>, %b: tensor<?x3x4xf32>)
    -> (tensor<f32>, tensor<f32>, tensor<f32>) {
  // CHECK: net.cross_entropy %{{.*}}, %{{.*}} reduction "mean" : tensor<?x10xf32>, tensor<?xi32> -> tensor<f32>
  %ce = net.cross_entropy %logits, %label reduction "mean"
      : tensor<?x10xf32>, tensor<?xi32> -> tensor<f32>
  // CHECK: net.mse %{{.*}}, %{{.*}} reduction "sum" : tensor<?x3x4xf32>, tensor<?x3x4xf32> -> tensor<f32>
  %mse = net.mse %a, %b reduction "sum"
      : tensor<?x3x4xf32>, tensor<?x3x4xf32> -> tensor<f32>
  // CHECK: net.l1 %{{.*}}, %{{.*}} reduction "mean" : tensor<?x3x4xf32>, tensor<?x3x4xf32> -> tensor<f32>
  %l1 = net.l1 %a, %b reduction "mean"
      : tensor<?x3x4xf32>, tensor<?x3x4xf32> -> tensor<f32>
  return %ce, %mse, %l1 : tensor<f32>, tensor<f32>, tensor<f32>
}
