// net-concat-in-place: a channels-innermost concat whose inputs are all
// tiled convolutions used only there is marked net.in_place (the branches
// write straight into its buffer), and each tile is shrunk to divide its
// channels and width exactly. Any other concat is left alone.
// RUN: net-opt %s --net-concat-in-place | FileCheck %s

// 96 channels with a 64-channel block become 48; 6 columns of 14 become 2.
// CHECK-LABEL: func.func @inception
// CHECK: net.conv {{.*}}net.tile = #net.tile<algo = direct, vec = 16, oc = 32, ow = 7, order = rows_outer>
// CHECK: net.fused_conv {{.*}}net.tile = #net.tile<algo = direct, vec = 16, oc = 48, ow = 2, order = rows_outer>
// CHECK: net.concat {{.*}} axis 1 {net.in_place, net.layout = #net.layout<nhwc>}
func.func @inception(%x: tensor<?x32x14x14xf32>) -> tensor<?x128x14x14xf32> {
  %w1 = net.weight "a.weight" : tensor<32x32x1x1xf32>
  %a = net.conv %x, %w1 stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {net.layout = #net.layout<nhwc>, net.tile = #net.tile<algo = direct, vec = 16, oc = 32, ow = 7, order = rows_outer>} : (tensor<?x32x14x14xf32>, tensor<32x32x1x1xf32>) -> tensor<?x32x14x14xf32>
  %w2 = net.weight "b.weight" : tensor<96x32x3x3xf32>
  %b = net.fused_conv %x, %w2 stride [1, 1] pad [1, 1] dilation [1, 1] groups 1 {act = #net.act<relu>, net.layout = #net.layout<nhwc>, net.tile = #net.tile<algo = direct, vec = 16, oc = 64, ow = 6, order = rows_outer>} : (tensor<?x32x14x14xf32>, tensor<96x32x3x3xf32>) -> tensor<?x96x14x14xf32>
  %c = net.concat %a, %b axis 1 {net.layout = #net.layout<nhwc>} : (tensor<?x32x14x14xf32>, tensor<?x96x14x14xf32>) -> tensor<?x128x14x14xf32>
  return %c : tensor<?x128x14x14xf32>
}

// A pooled branch (not a convolution) keeps the copy.
// CHECK-LABEL: func.func @pool_branch
// CHECK: net.concat {{.*}} axis 1 {net.layout = #net.layout<nhwc>}
func.func @pool_branch(%x: tensor<?x32x14x14xf32>) -> tensor<?x64x14x14xf32> {
  %w1 = net.weight "a.weight" : tensor<32x32x1x1xf32>
  %a = net.conv %x, %w1 stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {net.layout = #net.layout<nhwc>, net.tile = #net.tile<algo = direct, vec = 16, oc = 32, ow = 7, order = rows_outer>} : (tensor<?x32x14x14xf32>, tensor<32x32x1x1xf32>) -> tensor<?x32x14x14xf32>
  %p = net.maxpool %x kernel [3, 3] stride [1, 1] pad [1, 1] {net.layout = #net.layout<nhwc>} : tensor<?x32x14x14xf32> -> tensor<?x32x14x14xf32>
  %c = net.concat %a, %p axis 1 {net.layout = #net.layout<nhwc>} : (tensor<?x32x14x14xf32>, tensor<?x32x14x14xf32>) -> tensor<?x64x14x14xf32>
  return %c : tensor<?x64x14x14xf32>
}

// The convolution is also an output: it must be stored on its own.
// CHECK-LABEL: func.func @used_twice
// CHECK: net.conv {{.*}}ow = 7,
// CHECK-NOT: net.in_place
// CHECK: return
func.func @used_twice(%x: tensor<?x32x14x14xf32>) -> (tensor<?x64x14x14xf32>, tensor<?x32x14x14xf32>) {
  %w1 = net.weight "a.weight" : tensor<32x32x1x1xf32>
  %a = net.conv %x, %w1 stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {net.layout = #net.layout<nhwc>, net.tile = #net.tile<algo = direct, vec = 16, oc = 32, ow = 7, order = rows_outer>} : (tensor<?x32x14x14xf32>, tensor<32x32x1x1xf32>) -> tensor<?x32x14x14xf32>
  %w2 = net.weight "b.weight" : tensor<32x32x1x1xf32>
  %b = net.conv %x, %w2 stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {net.layout = #net.layout<nhwc>, net.tile = #net.tile<algo = direct, vec = 16, oc = 32, ow = 7, order = rows_outer>} : (tensor<?x32x14x14xf32>, tensor<32x32x1x1xf32>) -> tensor<?x32x14x14xf32>
  %c = net.concat %a, %b axis 1 {net.layout = #net.layout<nhwc>} : (tensor<?x32x14x14xf32>, tensor<?x32x14x14xf32>) -> tensor<?x64x14x14xf32>
  return %c, %a : tensor<?x64x14x14xf32>, tensor<?x32x14x14xf32>
}

// A channel count no whole vector divides (24 with 16 lanes): no exact tile.
// CHECK-LABEL: func.func @ragged
// CHECK-NOT: net.in_place
// CHECK: return
func.func @ragged(%x: tensor<?x32x14x14xf32>) -> tensor<?x56x14x14xf32> {
  %w1 = net.weight "a.weight" : tensor<32x32x1x1xf32>
  %a = net.conv %x, %w1 stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {net.layout = #net.layout<nhwc>, net.tile = #net.tile<algo = direct, vec = 16, oc = 32, ow = 7, order = rows_outer>} : (tensor<?x32x14x14xf32>, tensor<32x32x1x1xf32>) -> tensor<?x32x14x14xf32>
  %w2 = net.weight "b.weight" : tensor<24x32x1x1xf32>
  %b = net.conv %x, %w2 stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {net.layout = #net.layout<nhwc>, net.tile = #net.tile<algo = direct, vec = 16, oc = 32, ow = 7, order = rows_outer>} : (tensor<?x32x14x14xf32>, tensor<24x32x1x1xf32>) -> tensor<?x24x14x14xf32>
  %c = net.concat %a, %b axis 1 {net.layout = #net.layout<nhwc>} : (tensor<?x32x14x14xf32>, tensor<?x24x14x14xf32>) -> tensor<?x56x14x14xf32>
  return %c : tensor<?x56x14x14xf32>
}
