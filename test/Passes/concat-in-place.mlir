// net-concat-in-place: a channel concat whose inputs are each the result
// of another op, stored in its layout, not returned and not a part of
// another such concat, is marked net.in_place: code generation gives it no
// kernel and each part's kernel writes its channel range of the concat's
// buffer (a crop; other readers read the crop). Tiles stay as net-tile
// chose them. Any other concat is left alone.
// RUN: net-opt %s --net-concat-in-place | FileCheck %s

// CHECK-LABEL: func.func @inception
// CHECK: net.conv {{.*}}net.tile = #net.tile<algo = direct, vec = 16, oc = 32, ow = 7, order = rows_outer>
// CHECK: net.fused_conv {{.*}}net.tile = #net.tile<algo = direct, vec = 16, oc = 64, ow = 6, order = rows_outer>
// CHECK: net.maxpool
// CHECK: net.concat {{.*}} axis 1 {net.in_place, net.layout = #net.layout<nhwc>}
func.func @inception(%x: tensor<?x32x14x14xf32>) -> tensor<?x160x14x14xf32> {
  %w1 = net.weight "a.weight" : tensor<32x32x1x1xf32>
  %a = net.conv %x, %w1 stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {net.layout = #net.layout<nhwc>, net.tile = #net.tile<algo = direct, vec = 16, oc = 32, ow = 7, order = rows_outer>} : (tensor<?x32x14x14xf32>, tensor<32x32x1x1xf32>) -> tensor<?x32x14x14xf32>
  %w2 = net.weight "b.weight" : tensor<96x32x3x3xf32>
  %b = net.fused_conv %x, %w2 stride [1, 1] pad [1, 1] dilation [1, 1] groups 1 {act = #net.act<relu>, net.layout = #net.layout<nhwc>, net.tile = #net.tile<algo = direct, vec = 16, oc = 64, ow = 6, order = rows_outer>} : (tensor<?x32x14x14xf32>, tensor<96x32x3x3xf32>) -> tensor<?x96x14x14xf32>
  %p = net.maxpool %x kernel [3, 3] stride [1, 1] pad [1, 1] {net.layout = #net.layout<nhwc>} : tensor<?x32x14x14xf32> -> tensor<?x32x14x14xf32>
  %c = net.concat %a, %b, %p axis 1 {net.layout = #net.layout<nhwc>} : (tensor<?x32x14x14xf32>, tensor<?x96x14x14xf32>, tensor<?x32x14x14xf32>) -> tensor<?x160x14x14xf32>
  %r = net.relu %c {net.layout = #net.layout<nhwc>} : tensor<?x160x14x14xf32>
  return %r : tensor<?x160x14x14xf32>
}

// The convolution is also an output (the caller's tensor): not a crop.
// CHECK-LABEL: func.func @used_twice
// CHECK-NOT: net.in_place
// CHECK: return
func.func @used_twice(%x: tensor<?x32x14x14xf32>) -> (tensor<?x64x14x14xf32>, tensor<?x32x14x14xf32>) {
  %w1 = net.weight "a.weight" : tensor<32x32x1x1xf32>
  %a = net.conv %x, %w1 stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {net.layout = #net.layout<nhwc>} : (tensor<?x32x14x14xf32>, tensor<32x32x1x1xf32>) -> tensor<?x32x14x14xf32>
  %w2 = net.weight "b.weight" : tensor<32x32x1x1xf32>
  %b = net.conv %x, %w2 stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {net.layout = #net.layout<nhwc>} : (tensor<?x32x14x14xf32>, tensor<32x32x1x1xf32>) -> tensor<?x32x14x14xf32>
  %c = net.concat %a, %b axis 1 {net.layout = #net.layout<nhwc>} : (tensor<?x32x14x14xf32>, tensor<?x32x14x14xf32>) -> tensor<?x64x14x14xf32>
  %r = net.relu %c {net.layout = #net.layout<nhwc>} : tensor<?x64x14x14xf32>
  return %r, %a : tensor<?x64x14x14xf32>, tensor<?x32x14x14xf32>
}

// A returned concat is the caller's tensor, not the arena's; a model input
// is no op's result; a part stored NCHW cannot be a crop of an NHWC map.
// CHECK-LABEL: func.func @returned
// CHECK-NOT: net.in_place
// CHECK-LABEL: func.func @input_part
// CHECK-NOT: net.in_place
// CHECK-LABEL: func.func @other_layout
// CHECK-NOT: net.in_place
// CHECK: return
func.func @returned(%x: tensor<?x32x14x14xf32>) -> tensor<?x64x14x14xf32> {
  %a = net.relu %x {net.layout = #net.layout<nhwc>} : tensor<?x32x14x14xf32>
  %b = net.relu6 %x {net.layout = #net.layout<nhwc>} : tensor<?x32x14x14xf32>
  %c = net.concat %a, %b axis 1 {net.layout = #net.layout<nhwc>} : (tensor<?x32x14x14xf32>, tensor<?x32x14x14xf32>) -> tensor<?x64x14x14xf32>
  return %c : tensor<?x64x14x14xf32>
}
func.func @input_part(%x: tensor<?x32x14x14xf32>) -> tensor<?x64x14x14xf32> {
  %a = net.relu %x {net.layout = #net.layout<nhwc>} : tensor<?x32x14x14xf32>
  %c = net.concat %a, %x axis 1 {net.layout = #net.layout<nhwc>} : (tensor<?x32x14x14xf32>, tensor<?x32x14x14xf32>) -> tensor<?x64x14x14xf32>
  %r = net.relu %c {net.layout = #net.layout<nhwc>} : tensor<?x64x14x14xf32>
  return %r : tensor<?x64x14x14xf32>
}
func.func @other_layout(%x: tensor<?x32x14x14xf32>) -> tensor<?x64x14x14xf32> {
  %a = net.relu %x {net.layout = #net.layout<nhwc>} : tensor<?x32x14x14xf32>
  %b = net.relu6 %x : tensor<?x32x14x14xf32>
  %c = net.concat %a, %b axis 1 {net.layout = #net.layout<nhwc>} : (tensor<?x32x14x14xf32>, tensor<?x32x14x14xf32>) -> tensor<?x64x14x14xf32>
  %r = net.relu %c {net.layout = #net.layout<nhwc>} : tensor<?x64x14x14xf32>
  return %r : tensor<?x64x14x14xf32>
}

// DenseNet: each layer's input is concatenated again, and read by the
// layer too. Both concats go in place (c1 is itself a part of c2); other
// readers of a part read its crop.
// CHECK-LABEL: func.func @dense_chain
// CHECK: net.concat {{.*}}net.in_place
// CHECK: net.concat {{.*}}net.in_place
func.func @dense_chain(%x: tensor<?x32x14x14xf32>) -> tensor<?x32x14x14xf32> {
  %a = net.relu %x {net.layout = #net.layout<nhwc>} : tensor<?x32x14x14xf32>
  %r1 = net.relu6 %a {net.layout = #net.layout<nhwc>} : tensor<?x32x14x14xf32>
  %c1 = net.concat %a, %r1 axis 1 {net.layout = #net.layout<nhwc>} : (tensor<?x32x14x14xf32>, tensor<?x32x14x14xf32>) -> tensor<?x64x14x14xf32>
  %r2 = net.relu6 %c1 {net.layout = #net.layout<nhwc>} : tensor<?x64x14x14xf32>
  %c2 = net.concat %c1, %r2 axis 1 {net.layout = #net.layout<nhwc>} : (tensor<?x64x14x14xf32>, tensor<?x64x14x14xf32>) -> tensor<?x128x14x14xf32>
  %w = net.weight "p.weight" : tensor<32x128x1x1xf32>
  %y = net.conv %c2, %w stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {net.layout = #net.layout<nhwc>} : (tensor<?x128x14x14xf32>, tensor<32x128x1x1xf32>) -> tensor<?x32x14x14xf32>
  return %y : tensor<?x32x14x14xf32>
}

// A value already a part of one concat in place is not a part of another.
// CHECK-LABEL: func.func @two_concats
// CHECK: net.concat {{.*}}net.in_place
// CHECK-NOT: net.in_place
// CHECK: return
func.func @two_concats(%x: tensor<?x32x14x14xf32>) -> tensor<?x64x14x14xf32> {
  %a = net.relu %x {net.layout = #net.layout<nhwc>} : tensor<?x32x14x14xf32>
  %b = net.relu6 %x {net.layout = #net.layout<nhwc>} : tensor<?x32x14x14xf32>
  %c = net.concat %a, %b axis 1 {net.layout = #net.layout<nhwc>} : (tensor<?x32x14x14xf32>, tensor<?x32x14x14xf32>) -> tensor<?x64x14x14xf32>
  %d = net.concat %b, %a axis 1 {net.layout = #net.layout<nhwc>} : (tensor<?x32x14x14xf32>, tensor<?x32x14x14xf32>) -> tensor<?x64x14x14xf32>
  %s = net.add %c, %d {net.layout = #net.layout<nhwc>} : tensor<?x64x14x14xf32>, tensor<?x64x14x14xf32>
  return %s : tensor<?x64x14x14xf32>
}
