// net.softmax, net.concat (2 and 3 inputs) and net.flatten round-trip.
// RUN: net-opt %s | net-opt | FileCheck %s
// RUN: net-opt %s --mlir-print-op-generic | net-opt | FileCheck %s

// CHECK-LABEL: func.func @shape_ops
func.func @shape_ops(%a: tensor<?x8x4x4xf32>, %b: tensor<?x2x4x4xf32>,
                     %c: tensor<?x8x4x4xf32>, %l: tensor<?x10xf32>)
    -> (tensor<?x10xf32>, tensor<?x10x4x4xf32>, tensor<?x8x4x12xf32>,
        tensor<?x128xf32>) {
  // CHECK: net.softmax %{{.*}} axis 1 : tensor<?x10xf32>
  %p = net.softmax %l axis 1 : tensor<?x10xf32>
  // CHECK: net.concat %{{.*}}, %{{.*}} axis 1 : (tensor<?x8x4x4xf32>, tensor<?x2x4x4xf32>) -> tensor<?x10x4x4xf32>
  %cat = net.concat %a, %b axis 1
      : (tensor<?x8x4x4xf32>, tensor<?x2x4x4xf32>) -> tensor<?x10x4x4xf32>
  // CHECK: net.concat %{{.*}}, %{{.*}}, %{{.*}} axis 3 : (tensor<?x8x4x4xf32>, tensor<?x8x4x4xf32>, tensor<?x8x4x4xf32>) -> tensor<?x8x4x12xf32>
  %cat3 = net.concat %a, %c, %a axis 3
      : (tensor<?x8x4x4xf32>, tensor<?x8x4x4xf32>, tensor<?x8x4x4xf32>)
      -> tensor<?x8x4x12xf32>
  // CHECK: net.flatten %{{.*}} : tensor<?x8x4x4xf32> -> tensor<?x128xf32>
  %f = net.flatten %a : tensor<?x8x4x4xf32> -> tensor<?x128xf32>
  return %p, %cat, %cat3, %f
      : tensor<?x10xf32>, tensor<?x10x4x4xf32>, tensor<?x8x4x12xf32>,
        tensor<?x128xf32>
}
