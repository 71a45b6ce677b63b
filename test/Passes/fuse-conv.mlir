// net-fuse-conv: residual adds and activations join the convolution's
// epilogue (act(bn(conv) + residual)); a conv whose result has other users
// or an activation already in place stays as it is.
// RUN: net-opt %s --net-fuse-conv | FileCheck %s

// The ResNet pattern relu(bn(conv) + shortcut), after net-fold-batchnorm.
// CHECK-LABEL: func.func @residual_relu
// CHECK: %[[Y:.*]] = net.fused_conv %arg0, %{{.*}} bn(%{{.*}}) residual %arg1 stride [1, 1] pad [1, 1] dilation [1, 1] groups 1 {act = #net.act<relu>, bn_eps = 9.99999974E-6 : f32}
// CHECK-NOT: net.add
// CHECK-NOT: net.relu
// CHECK: return %[[Y]]
func.func @residual_relu(%x: tensor<?x4x8x8xf32>, %r: tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32> {
  %w = net.weight "c.weight" : tensor<4x4x3x3xf32>
  %g = net.weight "bn.weight" : tensor<4xf32>
  %beta = net.weight "bn.bias" : tensor<4xf32>
  %m = net.weight "bn.running_mean" : tensor<4xf32>
  %v = net.weight "bn.running_var" : tensor<4xf32>
  %c = net.fused_conv %x, %w bn(%g, %beta, %m, %v) stride [1, 1] pad [1, 1] dilation [1, 1] groups 1 {bn_eps = 1.0e-5 : f32} : (tensor<?x4x8x8xf32>, tensor<4x4x3x3xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4x8x8xf32>
  %s = net.add %r, %c : tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>
  %y = net.relu %s : tensor<?x4x8x8xf32>
  return %y : tensor<?x4x8x8xf32>
}

// A plain conv is promoted; relu6 and leaky_relu (with its slope) fuse.
// CHECK-LABEL: func.func @activations
// CHECK: net.fused_conv %arg0, %{{.*}} bias %{{.*}} stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {act = #net.act<relu6>}
// CHECK: net.fused_conv %arg0, %{{.*}} stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {act = #net.act<leaky_relu>, slope = 1.000000e-01 : f32}
// CHECK-NOT: net.relu6
// CHECK-NOT: net.leaky_relu
func.func @activations(%x: tensor<?x4x8x8xf32>) -> (tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>) {
  %w = net.weight "c.weight" : tensor<4x4x1x1xf32>
  %b = net.weight "c.bias" : tensor<4xf32>
  %c = net.conv %x, %w, %b stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 : (tensor<?x4x8x8xf32>, tensor<4x4x1x1xf32>, tensor<4xf32>) -> tensor<?x4x8x8xf32>
  %y = net.relu6 %c : tensor<?x4x8x8xf32>
  %w2 = net.weight "d.weight" : tensor<4x4x1x1xf32>
  %d = net.conv %x, %w2 stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 : (tensor<?x4x8x8xf32>, tensor<4x4x1x1xf32>) -> tensor<?x4x8x8xf32>
  %z = net.leaky_relu %d slope 0.1 : tensor<?x4x8x8xf32>
  return %y, %z : tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>
}

// The conv result is also an output: nothing fuses. An activation already
// in the epilogue blocks a residual after it (it would change the order).
// CHECK-LABEL: func.func @blocked
// CHECK: %[[C:.*]] = net.conv
// CHECK: net.relu %[[C]]
// CHECK: %[[F:.*]] = net.fused_conv %arg0, %{{.*}} {act = #net.act<relu>}
// CHECK: net.add %[[F]], %arg0
func.func @blocked(%x: tensor<?x4x8x8xf32>) -> (tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>) {
  %w = net.weight "c.weight" : tensor<4x4x1x1xf32>
  %c = net.conv %x, %w stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 : (tensor<?x4x8x8xf32>, tensor<4x4x1x1xf32>) -> tensor<?x4x8x8xf32>
  %y = net.relu %c : tensor<?x4x8x8xf32>
  %f = net.fused_conv %x, %w stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {act = #net.act<relu>} : (tensor<?x4x8x8xf32>, tensor<4x4x1x1xf32>) -> tensor<?x4x8x8xf32>
  %s = net.add %f, %x : tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>
  return %c, %y, %s : tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>
}
