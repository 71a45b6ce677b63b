// The passes' decisions print and parse in their readable typed forms.
// RUN: net-opt %s | net-opt | FileCheck %s

// CHECK-LABEL: func.func @typed
// CHECK: net.layout = #net.layout<nhwc>, net.tile = #net.tile<algo = winograd4, vec = 16, oc = 64, ow = 4, order = tile_blocks>
// CHECK: net.fuse_producer = #net.strip<rows = 7>, net.layout = #net.layout<nhwc>
// CHECK: net.tile = #net.tile<algo = direct, vec = 16, oc = 64, ow = 7, order = pixels, pixels = 98>
func.func @typed(%x: tensor<?x64x56x56xf32>) -> tensor<?x64x28x28xf32> {
  %w = net.weight "c.weight" : tensor<64x64x3x3xf32>
  %y = net.conv %x, %w stride [1, 1] pad [1, 1] dilation [1, 1] groups 1 {net.layout = #net.layout<nhwc>, net.tile = #net.tile<algo = winograd4, vec = 16, oc = 64, ow = 4, order = tile_blocks>} : (tensor<?x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<?x64x56x56xf32>
  %p = net.maxpool %y kernel [2, 2] stride [2, 2] pad [0, 0] {net.fuse_producer = #net.strip<rows = 7>, net.layout = #net.layout<nhwc>} : tensor<?x64x56x56xf32> -> tensor<?x64x28x28xf32>
  %w1 = net.weight "d.weight" : tensor<64x64x1x1xf32>
  %z = net.conv %p, %w1 stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {net.layout = #net.layout<nhwc>, net.tile = #net.tile<algo = direct, vec = 16, oc = 64, ow = 7, order = pixels, pixels = 98>} : (tensor<?x64x28x28xf32>, tensor<64x64x1x1xf32>) -> tensor<?x64x28x28xf32>
  return %z : tensor<?x64x28x28xf32>
}

