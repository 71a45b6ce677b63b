// net-fuse-pool: a pool whose input is a rows-outermost tiled convolution
// used only there, with an output per image larger than L2, is marked
// net.fuse_producer = #net.strip<rows = R>: code generation computes the convolution
// per strip of R pooled rows. R keeps a strip's convolution rows within
// half of L2 and leaves at least eight strips.
// RUN: net-opt %s --net-fuse-pool | FileCheck %s
// A 256 KiB L2: strips shrink to fit (resnet stem: 2 pooled rows need 5
// conv rows of 28 KB, 140 KB > 128 KB, so strips of 1 row, 3 conv rows).
// RUN: net-opt %s --net-fuse-pool="l2=262144" | FileCheck %s --check-prefix=SMALL

// ResNet's stem: 64 x 112 x 112 (3.2 MB) > 1 MiB. 3x3 stride-2 windows:
// 7 pooled rows need 6*2+3 = 15 conv rows of 28 KB (420 KB <= 512 KB);
// 56 / 7 = 8 strips.
// CHECK-LABEL: func.func @resnet_stem
// CHECK: net.maxpool {{.*}}net.fuse_producer = #net.strip<rows = 7>
// SMALL-LABEL: func.func @resnet_stem
// SMALL: net.maxpool {{.*}}net.fuse_producer = #net.strip<rows = 1>
func.func @resnet_stem(%x: tensor<?x3x224x224xf32>) -> tensor<?x64x56x56xf32> {
  %w = net.weight "conv1.weight" : tensor<64x3x7x7xf32>
  %c = net.fused_conv %x, %w stride [2, 2] pad [3, 3] dilation [1, 1] groups 1 {act = #net.act<relu>, net.layout = #net.layout<nhwc>, net.tile = #net.tile<algo = direct, vec = 16, oc = 64, ow = 6, order = rows_outer>} : (tensor<?x3x224x224xf32>, tensor<64x3x7x7xf32>) -> tensor<?x64x112x112xf32>
  %p = net.maxpool %c kernel [3, 3] stride [2, 2] pad [1, 1] {net.layout = #net.layout<nhwc>} : tensor<?x64x112x112xf32> -> tensor<?x64x56x56xf32>
  return %p : tensor<?x64x56x56xf32>
}

// VGG's block 1 ends in a 2x2 average here: 4 pooled rows need 8 conv
// rows of 57 KB (459 KB); 112 / 4 = 28 strips.
// CHECK-LABEL: func.func @vgg_block1
// CHECK: net.avgpool {{.*}}net.fuse_producer = #net.strip<rows = 4>
func.func @vgg_block1(%x: tensor<?x64x224x224xf32>) -> tensor<?x64x112x112xf32> {
  %w = net.weight "c.weight" : tensor<64x64x3x3xf32>
  %c = net.fused_conv %x, %w stride [1, 1] pad [1, 1] dilation [1, 1] groups 1 {act = #net.act<relu>, net.layout = #net.layout<nhwc>, net.tile = #net.tile<algo = direct, vec = 16, oc = 64, ow = 6, order = rows_outer>} : (tensor<?x64x224x224xf32>, tensor<64x64x3x3xf32>) -> tensor<?x64x224x224xf32>
  %p = net.avgpool %c kernel [2, 2] stride [2, 2] pad [0, 0] {net.layout = #net.layout<nhwc>} : tensor<?x64x224x224xf32> -> tensor<?x64x112x112xf32>
  return %p : tensor<?x64x112x112xf32>
}

// Not fused: the output fits in L2 (64 x 28 x 28 = 200 KB), the
// convolution is also returned, its channel blocks run outermost, or the
// window is too large to unroll.
// CHECK-LABEL: func.func @small
// CHECK-NOT: net.fuse_producer
// CHECK-LABEL: func.func @used_twice
// CHECK-NOT: net.fuse_producer
// CHECK-LABEL: func.func @blocks_outer
// CHECK-NOT: net.fuse_producer
// CHECK-LABEL: func.func @global_pool
// CHECK-NOT: net.fuse_producer
// CHECK: return
func.func @small(%x: tensor<?x64x28x28xf32>) -> tensor<?x64x14x14xf32> {
  %w = net.weight "c.weight" : tensor<64x64x3x3xf32>
  %c = net.conv %x, %w stride [1, 1] pad [1, 1] dilation [1, 1] groups 1 {net.layout = #net.layout<nhwc>, net.tile = #net.tile<algo = direct, vec = 16, oc = 64, ow = 7, order = rows_outer>} : (tensor<?x64x28x28xf32>, tensor<64x64x3x3xf32>) -> tensor<?x64x28x28xf32>
  %p = net.maxpool %c kernel [2, 2] stride [2, 2] pad [0, 0] {net.layout = #net.layout<nhwc>} : tensor<?x64x28x28xf32> -> tensor<?x64x14x14xf32>
  return %p : tensor<?x64x14x14xf32>
}
func.func @used_twice(%x: tensor<?x64x224x224xf32>) -> (tensor<?x64x112x112xf32>, tensor<?x64x224x224xf32>) {
  %w = net.weight "c.weight" : tensor<64x64x3x3xf32>
  %c = net.conv %x, %w stride [1, 1] pad [1, 1] dilation [1, 1] groups 1 {net.layout = #net.layout<nhwc>, net.tile = #net.tile<algo = direct, vec = 16, oc = 64, ow = 6, order = rows_outer>} : (tensor<?x64x224x224xf32>, tensor<64x64x3x3xf32>) -> tensor<?x64x224x224xf32>
  %p = net.maxpool %c kernel [2, 2] stride [2, 2] pad [0, 0] {net.layout = #net.layout<nhwc>} : tensor<?x64x224x224xf32> -> tensor<?x64x112x112xf32>
  return %p, %c : tensor<?x64x112x112xf32>, tensor<?x64x224x224xf32>
}
func.func @blocks_outer(%x: tensor<?x64x224x224xf32>) -> tensor<?x64x112x112xf32> {
  %w = net.weight "c.weight" : tensor<64x64x3x3xf32>
  %c = net.conv %x, %w stride [1, 1] pad [1, 1] dilation [1, 1] groups 1 {net.layout = #net.layout<nhwc>, net.tile = #net.tile<algo = direct, vec = 16, oc = 64, ow = 6, order = blocks_outer>} : (tensor<?x64x224x224xf32>, tensor<64x64x3x3xf32>) -> tensor<?x64x224x224xf32>
  %p = net.maxpool %c kernel [2, 2] stride [2, 2] pad [0, 0] {net.layout = #net.layout<nhwc>} : tensor<?x64x224x224xf32> -> tensor<?x64x112x112xf32>
  return %p : tensor<?x64x112x112xf32>
}
func.func @global_pool(%x: tensor<?x64x224x224xf32>) -> tensor<?x64x32x32xf32> {
  %w = net.weight "c.weight" : tensor<64x64x3x3xf32>
  %c = net.conv %x, %w stride [1, 1] pad [1, 1] dilation [1, 1] groups 1 {net.layout = #net.layout<nhwc>, net.tile = #net.tile<algo = direct, vec = 16, oc = 64, ow = 6, order = rows_outer>} : (tensor<?x64x224x224xf32>, tensor<64x64x3x3xf32>) -> tensor<?x64x224x224xf32>
  %p = net.avgpool %c kernel [7, 7] stride [7, 7] pad [0, 0] {net.layout = #net.layout<nhwc>} : tensor<?x64x224x224xf32> -> tensor<?x64x32x32xf32>
  return %p : tensor<?x64x32x32xf32>
}
