// The math family round-trips, in the custom and the generic form:
// relu6, abs, sqrt, exp, log, square, leaky_relu, log_softmax, l2norm,
// mean, sum and reshape (with a symbolic batch and fully static).
// RUN: net-opt %s | net-opt | FileCheck %s
// RUN: net-opt %s --mlir-print-op-generic | net-opt | FileCheck %s

// CHECK-LABEL: func.func @elementwise
func.func @elementwise(%x: tensor<?x3x5x7xf32>, %s: tensor<f32>)
    -> (tensor<?x3x5x7xf32>, tensor<f32>) {
  // CHECK: %[[A:.*]] = net.relu6 %{{.*}} : tensor<?x3x5x7xf32>
  %a = net.relu6 %x : tensor<?x3x5x7xf32>
  // CHECK-NEXT: %[[B:.*]] = net.abs %[[A]] : tensor<?x3x5x7xf32>
  %b = net.abs %a : tensor<?x3x5x7xf32>
  // CHECK-NEXT: %[[C:.*]] = net.sqrt %[[B]] : tensor<?x3x5x7xf32>
  %c = net.sqrt %b : tensor<?x3x5x7xf32>
  // CHECK-NEXT: %[[D:.*]] = net.exp %[[C]] : tensor<?x3x5x7xf32>
  %d = net.exp %c : tensor<?x3x5x7xf32>
  // CHECK-NEXT: %[[E:.*]] = net.log %[[D]] : tensor<?x3x5x7xf32>
  %e = net.log %d : tensor<?x3x5x7xf32>
  // CHECK-NEXT: %[[F:.*]] = net.square %[[E]] : tensor<?x3x5x7xf32>
  %f = net.square %e : tensor<?x3x5x7xf32>
  // CHECK-NEXT: net.leaky_relu %[[F]] slope 2.000000e-01 : tensor<?x3x5x7xf32>
  %g = net.leaky_relu %f slope 0.2 : tensor<?x3x5x7xf32>
  // CHECK-NEXT: net.sqrt %{{.*}} : tensor<f32>
  %h = net.sqrt %s : tensor<f32>
  return %g, %h : tensor<?x3x5x7xf32>, tensor<f32>
}

// CHECK-LABEL: func.func @axis_ops
func.func @axis_ops(%x: tensor<?x10xf32>, %y: tensor<?x3x5x7xf32>)
    -> (tensor<?x10xf32>, tensor<?x3x5x7xf32>, tensor<?x10xf32>,
        tensor<?x3x5x7xf32>) {
  // CHECK: net.log_softmax %{{.*}} axis 1 : tensor<?x10xf32>
  %a = net.log_softmax %x axis 1 : tensor<?x10xf32>
  // CHECK-NEXT: net.log_softmax %{{.*}} axis 0 : tensor<?x3x5x7xf32>
  %b = net.log_softmax %y axis 0 : tensor<?x3x5x7xf32>
  // CHECK-NEXT: net.l2norm %{{.*}} axis 1 eps 9.99999996E-13 : tensor<?x10xf32>
  %c = net.l2norm %x axis 1 eps 1.0e-12 : tensor<?x10xf32>
  // CHECK-NEXT: net.l2norm %{{.*}} axis 3 eps 0.000000e+00 : tensor<?x3x5x7xf32>
  %d = net.l2norm %y axis 3 eps 0.0 : tensor<?x3x5x7xf32>
  return %a, %b, %c, %d : tensor<?x10xf32>, tensor<?x3x5x7xf32>,
      tensor<?x10xf32>, tensor<?x3x5x7xf32>
}

// CHECK-LABEL: func.func @reductions
func.func @reductions(%x: tensor<?x3x5x7xf32>)
    -> (tensor<?x3xf32>, tensor<?x5xf32>, tensor<3x5x7xf32>, tensor<f32>) {
  // CHECK: net.mean %{{.*}} axes [2, 3] : tensor<?x3x5x7xf32> -> tensor<?x3xf32>
  %a = net.mean %x axes [2, 3] : tensor<?x3x5x7xf32> -> tensor<?x3xf32>
  // CHECK-NEXT: net.sum %{{.*}} axes [1, 3] : tensor<?x3x5x7xf32> -> tensor<?x5xf32>
  %b = net.sum %x axes [1, 3] : tensor<?x3x5x7xf32> -> tensor<?x5xf32>
  // The batch may be reduced: the result is static.
  // CHECK-NEXT: net.mean %{{.*}} axes [0] : tensor<?x3x5x7xf32> -> tensor<3x5x7xf32>
  %c = net.mean %x axes [0] : tensor<?x3x5x7xf32> -> tensor<3x5x7xf32>
  // CHECK-NEXT: net.sum %{{.*}} axes [0, 1, 2, 3] : tensor<?x3x5x7xf32> -> tensor<f32>
  %d = net.sum %x axes [0, 1, 2, 3] : tensor<?x3x5x7xf32> -> tensor<f32>
  return %a, %b, %c, %d
      : tensor<?x3xf32>, tensor<?x5xf32>, tensor<3x5x7xf32>, tensor<f32>
}

// CHECK-LABEL: func.func @reshapes
func.func @reshapes(%x: tensor<?x16x5x5xf32>, %s: tensor<6x4xf32>)
    -> (tensor<?x16x25xf32>, tensor<?x400xf32>, tensor<2x3x4xf32>,
        tensor<24xf32>, tensor<?x1x400xf32>) {
  // CHECK: net.reshape %{{.*}} shape [-1, 16, 25] : tensor<?x16x5x5xf32> -> tensor<?x16x25xf32>
  %a = net.reshape %x shape [-1, 16, 25]
      : tensor<?x16x5x5xf32> -> tensor<?x16x25xf32>
  // CHECK-NEXT: net.reshape %{{.*}} shape [-1, 400] : tensor<?x16x5x5xf32> -> tensor<?x400xf32>
  %b = net.reshape %x shape [-1, 400] : tensor<?x16x5x5xf32> -> tensor<?x400xf32>
  // CHECK-NEXT: net.reshape %{{.*}} shape [2, -1, 4] : tensor<6x4xf32> -> tensor<2x3x4xf32>
  %c = net.reshape %s shape [2, -1, 4] : tensor<6x4xf32> -> tensor<2x3x4xf32>
  // CHECK-NEXT: net.reshape %{{.*}} shape [24] : tensor<6x4xf32> -> tensor<24xf32>
  %d = net.reshape %s shape [24] : tensor<6x4xf32> -> tensor<24xf32>
  // CHECK-NEXT: net.reshape %{{.*}} shape [-1, 1, 400] : tensor<?x16x5x5xf32> -> tensor<?x1x400xf32>
  %e = net.reshape %x shape [-1, 1, 400]
      : tensor<?x16x5x5xf32> -> tensor<?x1x400xf32>
  return %a, %b, %c, %d, %e : tensor<?x16x25xf32>, tensor<?x400xf32>,
      tensor<2x3x4xf32>, tensor<24xf32>, tensor<?x1x400xf32>
}
