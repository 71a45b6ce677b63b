// A reshape to its input's own type folds away; one that changes the shape
// stays.
// RUN: net-opt %s --canonicalize | FileCheck %s

// CHECK-LABEL: func.func @identity
// CHECK-SAME: (%[[X:.*]]: tensor<?x3x4xf32>)
func.func @identity(%x: tensor<?x3x4xf32>) -> tensor<?x3x4xf32> {
  // CHECK-NOT: net.reshape
  // CHECK: return %[[X]]
  %y = net.reshape %x shape [-1, 3, 4] : tensor<?x3x4xf32> -> tensor<?x3x4xf32>
  return %y : tensor<?x3x4xf32>
}

// CHECK-LABEL: func.func @reshape
func.func @reshape(%x: tensor<?x3x4xf32>) -> tensor<?x12xf32> {
  // CHECK: net.reshape %{{.*}} shape [-1, 12] : tensor<?x3x4xf32> -> tensor<?x12xf32>
  %y = net.reshape %x shape [-1, 12] : tensor<?x3x4xf32> -> tensor<?x12xf32>
  return %y : tensor<?x12xf32>
}
