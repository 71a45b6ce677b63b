// net-fuse-expand: a depthwise convolution whose input is a 1x1 stride-1
// unpadded convolution used only there, both direct rows-outermost
// register tiles, with an expanded tensor per image larger than L2, is
// marked net.fuse_producer = #net.strip<rows = R>: code generation computes
// the 1x1 rows inside the depthwise convolution's tasks of R output rows
// (R = output rows / 8). A 1x1 projection of a depthwise output larger
// than L2 is marked the same way.
// RUN: net-opt %s --net-fuse-expand | FileCheck %s
// A 16 MiB L2: nothing is larger, nothing fused.
// RUN: net-opt %s --net-fuse-expand="l2=16777216" | FileCheck %s --check-prefix=BIG

// MobileNet v2's features.2: 96 x 112 x 112 (4.8 MB) > 1 MiB; stride 2,
// 56 output rows: tasks of 7. The depthwise output, 96 x 56 x 56 (1.2 MB),
// is larger than L2 too: the projection is marked as well, and net-group
// makes one group of the three.
// RUN: net-opt %s --net-fuse-expand --net-group | FileCheck %s --check-prefix=GROUP
// CHECK-LABEL: func.func @mobilenet_block
// CHECK: net.fused_conv {{.*}}groups 96 {{.*}}net.fuse_producer = #net.strip<rows = 7>
// CHECK: net.conv {{.*}}groups 1 {{.*}}net.fuse_producer = #net.strip<rows = 7>
// BIG-LABEL: func.func @mobilenet_block
// BIG-NOT: net.fuse_producer
// GROUP-LABEL: func.func @mobilenet_block
// GROUP: net.fused_conv {{.*}}net.group = #net.group<0>
// GROUP: net.fused_conv {{.*}}net.group = #net.group<0>
// GROUP: net.conv {{.*}}net.group = #net.group<0>
func.func @mobilenet_block(%x: tensor<?x16x112x112xf32>) -> tensor<?x24x56x56xf32> {
  %we = net.weight "e.weight" : tensor<96x16x1x1xf32>
  %wd = net.weight "d.weight" : tensor<96x1x3x3xf32>
  %wp = net.weight "p.weight" : tensor<24x96x1x1xf32>
  %e = net.fused_conv %x, %we stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {act = #net.act<relu6>, net.layout = #net.layout<nhwc>, net.tile = #net.tile<algo = direct, vec = 16, oc = 48, ow = 8, order = rows_outer>} : (tensor<?x16x112x112xf32>, tensor<96x16x1x1xf32>) -> tensor<?x96x112x112xf32>
  %d = net.fused_conv %e, %wd stride [2, 2] pad [1, 1] dilation [1, 1] groups 96 {act = #net.act<relu6>, net.layout = #net.layout<nhwc>, net.tile = #net.tile<algo = direct, vec = 16, oc = 48, ow = 8, order = rows_outer>} : (tensor<?x96x112x112xf32>, tensor<96x1x3x3xf32>) -> tensor<?x96x56x56xf32>
  %p = net.conv %d, %wp stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {net.layout = #net.layout<nhwc>, net.tile = #net.tile<algo = direct, vec = 16, oc = 16, ow = 8, order = rows_outer>} : (tensor<?x96x56x56xf32>, tensor<24x96x1x1xf32>) -> tensor<?x24x56x56xf32>
  return %p : tensor<?x24x56x56xf32>
}

// A projection read by a net.qdq stays apart (the qdq joins only a group
// of one op), and so does the depthwise layer before it.
// CHECK-LABEL: func.func @quantized_after
// CHECK-NOT: net.fuse_producer
// CHECK: return
func.func @quantized_after(%x: tensor<?x96x112x112xf32>) -> tensor<?x24x112x112xf32> {
  %wd = net.weight "d.weight" : tensor<96x1x3x3xf32>
  %wp = net.weight "p.weight" : tensor<24x96x1x1xf32>
  %d = net.conv %x, %wd stride [1, 1] pad [1, 1] dilation [1, 1] groups 96 {net.layout = #net.layout<nhwc>, net.tile = #net.tile<algo = direct, vec = 16, oc = 48, ow = 8, order = rows_outer>} : (tensor<?x96x112x112xf32>, tensor<96x1x3x3xf32>) -> tensor<?x96x112x112xf32>
  %p = net.conv %d, %wp stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {net.layout = #net.layout<nhwc>, net.tile = #net.tile<algo = direct, vec = 16, oc = 16, ow = 8, order = rows_outer>} : (tensor<?x96x112x112xf32>, tensor<24x96x1x1xf32>) -> tensor<?x24x112x112xf32>
  %q = net.qdq %p scale 0.1 zero_point 0 : tensor<?x24x112x112xf32>
  return %q : tensor<?x24x112x112xf32>
}

// Not fused: the expanded tensor fits in L2 (96 x 28 x 28 = 301 KB), the
// expansion is also returned, it is 3x3 rather than 1x1, the second
// convolution is not depthwise, or the expansion is int8.
// CHECK-LABEL: func.func @small
// CHECK-NOT: net.fuse_producer
// CHECK-LABEL: func.func @used_twice
// CHECK-NOT: net.fuse_producer
// CHECK-LABEL: func.func @not_1x1
// CHECK-NOT: net.fuse_producer
// CHECK-LABEL: func.func @not_depthwise
// CHECK-NOT: net.fuse_producer
// CHECK-LABEL: func.func @int8
// CHECK-NOT: net.fuse_producer
// CHECK: return
func.func @small(%x: tensor<?x16x28x28xf32>) -> tensor<?x96x28x28xf32> {
  %we = net.weight "e.weight" : tensor<96x16x1x1xf32>
  %wd = net.weight "d.weight" : tensor<96x1x3x3xf32>
  %e = net.conv %x, %we stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {net.layout = #net.layout<nhwc>, net.tile = #net.tile<algo = direct, vec = 16, oc = 48, ow = 7, order = rows_outer>} : (tensor<?x16x28x28xf32>, tensor<96x16x1x1xf32>) -> tensor<?x96x28x28xf32>
  %d = net.conv %e, %wd stride [1, 1] pad [1, 1] dilation [1, 1] groups 96 {net.layout = #net.layout<nhwc>, net.tile = #net.tile<algo = direct, vec = 16, oc = 48, ow = 7, order = rows_outer>} : (tensor<?x96x28x28xf32>, tensor<96x1x3x3xf32>) -> tensor<?x96x28x28xf32>
  return %d : tensor<?x96x28x28xf32>
}
func.func @used_twice(%x: tensor<?x16x112x112xf32>) -> (tensor<?x96x112x112xf32>, tensor<?x96x112x112xf32>) {
  %we = net.weight "e.weight" : tensor<96x16x1x1xf32>
  %wd = net.weight "d.weight" : tensor<96x1x3x3xf32>
  %e = net.conv %x, %we stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {net.layout = #net.layout<nhwc>, net.tile = #net.tile<algo = direct, vec = 16, oc = 48, ow = 8, order = rows_outer>} : (tensor<?x16x112x112xf32>, tensor<96x16x1x1xf32>) -> tensor<?x96x112x112xf32>
  %d = net.conv %e, %wd stride [1, 1] pad [1, 1] dilation [1, 1] groups 96 {net.layout = #net.layout<nhwc>, net.tile = #net.tile<algo = direct, vec = 16, oc = 48, ow = 8, order = rows_outer>} : (tensor<?x96x112x112xf32>, tensor<96x1x3x3xf32>) -> tensor<?x96x112x112xf32>
  return %d, %e : tensor<?x96x112x112xf32>, tensor<?x96x112x112xf32>
}
func.func @not_1x1(%x: tensor<?x16x112x112xf32>) -> tensor<?x96x112x112xf32> {
  %we = net.weight "e.weight" : tensor<96x16x3x3xf32>
  %wd = net.weight "d.weight" : tensor<96x1x3x3xf32>
  %e = net.conv %x, %we stride [1, 1] pad [1, 1] dilation [1, 1] groups 1 {net.layout = #net.layout<nhwc>, net.tile = #net.tile<algo = direct, vec = 16, oc = 48, ow = 8, order = rows_outer>} : (tensor<?x16x112x112xf32>, tensor<96x16x3x3xf32>) -> tensor<?x96x112x112xf32>
  %d = net.conv %e, %wd stride [1, 1] pad [1, 1] dilation [1, 1] groups 96 {net.layout = #net.layout<nhwc>, net.tile = #net.tile<algo = direct, vec = 16, oc = 48, ow = 8, order = rows_outer>} : (tensor<?x96x112x112xf32>, tensor<96x1x3x3xf32>) -> tensor<?x96x112x112xf32>
  return %d : tensor<?x96x112x112xf32>
}
func.func @not_depthwise(%x: tensor<?x16x112x112xf32>) -> tensor<?x96x112x112xf32> {
  %we = net.weight "e.weight" : tensor<96x16x1x1xf32>
  %wd = net.weight "d.weight" : tensor<96x48x3x3xf32>
  %e = net.conv %x, %we stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {net.layout = #net.layout<nhwc>, net.tile = #net.tile<algo = direct, vec = 16, oc = 48, ow = 8, order = rows_outer>} : (tensor<?x16x112x112xf32>, tensor<96x16x1x1xf32>) -> tensor<?x96x112x112xf32>
  %d = net.conv %e, %wd stride [1, 1] pad [1, 1] dilation [1, 1] groups 2 {net.layout = #net.layout<nhwc>, net.tile = #net.tile<algo = direct, vec = 16, oc = 48, ow = 8, order = rows_outer>} : (tensor<?x96x112x112xf32>, tensor<96x48x3x3xf32>) -> tensor<?x96x112x112xf32>
  return %d : tensor<?x96x112x112xf32>
}
func.func @int8(%x: tensor<?x16x112x112xf32>) -> tensor<?x96x112x112xf32> {
  %we = net.weight "e.weight" : tensor<96x16x1x1xf32>
  %wd = net.weight "d.weight" : tensor<96x1x3x3xf32>
  %e = net.conv %x, %we stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {net.int8, net.layout = #net.layout<nhwc>, net.tile = #net.tile<algo = vnni, vec = 16, oc = 48, ow = 8, order = rows_outer>} : (tensor<?x16x112x112xf32>, tensor<96x16x1x1xf32>) -> tensor<?x96x112x112xf32>
  %d = net.conv %e, %wd stride [1, 1] pad [1, 1] dilation [1, 1] groups 96 {net.layout = #net.layout<nhwc>, net.tile = #net.tile<algo = direct, vec = 16, oc = 48, ow = 8, order = rows_outer>} : (tensor<?x96x112x112xf32>, tensor<96x1x3x3xf32>) -> tensor<?x96x112x112xf32>
  return %d : tensor<?x96x112x112xf32>
}
