// The elementwise ops round-trip: relu, sigmoid, tanh, add, sub, mul, div
// and affine.
// RUN: net-opt %s | net-opt | FileCheck %s
// RUN: net-opt %s --mlir-print-op-generic | net-opt | FileCheck %s

// CHECK-LABEL: func.func @elementwise
func.func @elementwise(%x: tensor<?x8xf32>, %y: tensor<?x8xf32>)
    -> tensor<?x8xf32> {
  // CHECK: %[[R:.*]] = net.relu %{{.*}} : tensor<?x8xf32>
  %r = net.relu %x : tensor<?x8xf32>
  // CHECK: %[[S:.*]] = net.sigmoid %[[R]] : tensor<?x8xf32>
  %s = net.sigmoid %r : tensor<?x8xf32>
  // CHECK: %[[T:.*]] = net.tanh %[[S]] : tensor<?x8xf32>
  %t = net.tanh %s : tensor<?x8xf32>
  // CHECK: %[[A:.*]] = net.add %[[T]], %{{.*}} : tensor<?x8xf32>, tensor<?x8xf32>
  %a = net.add %t, %y : tensor<?x8xf32>, tensor<?x8xf32>
  // CHECK: %[[B:.*]] = net.sub %[[A]], %{{.*}} : tensor<?x8xf32>, tensor<?x8xf32>
  %b = net.sub %a, %y : tensor<?x8xf32>, tensor<?x8xf32>
  // CHECK: %[[C:.*]] = net.mul %[[B]], %{{.*}} : tensor<?x8xf32>, tensor<?x8xf32>
  %c = net.mul %b, %y : tensor<?x8xf32>, tensor<?x8xf32>
  // CHECK: %[[D:.*]] = net.div %[[C]], %{{.*}} : tensor<?x8xf32>, tensor<?x8xf32>
  %d = net.div %c, %y : tensor<?x8xf32>, tensor<?x8xf32>
  // CHECK: net.affine %[[D]] scale 2.000000e+00 shift -1.000000e+00 : tensor<?x8xf32>
  %e = net.affine %d scale 2.0 shift -1.0 : tensor<?x8xf32>
  return %e : tensor<?x8xf32>
}
