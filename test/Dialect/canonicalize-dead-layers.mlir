// --canonicalize erases layers whose results nothing uses (net ops are
// Pure), parameters included, and keeps the rest.
// RUN: net-opt %s --canonicalize | FileCheck %s

// CHECK-LABEL: func.func @dead
func.func @dead(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // CHECK-NEXT: %[[R:.*]] = net.relu %arg0 : tensor<?x4xf32>
  // CHECK-NEXT: return %[[R]]
  %w = net.weight "unused.weight" : tensor<3x4xf32>
  %f = net.fc %x, %w : (tensor<?x4xf32>, tensor<3x4xf32>) -> tensor<?x3xf32>
  %s = net.sigmoid %x : tensor<?x4xf32>
  %r = net.relu %x : tensor<?x4xf32>
  return %r : tensor<?x4xf32>
}
