// net-tile-gemm: a 1x1 stride-1 convolution left with a kernel of its own
// gets the target's GEMM tile (order = pixels): oc channels x ow pixels of
// the flattened map in registers, tasks of `pixels` pixels that read at most
// L2/10 of input, as few as allow that (the last one short). AVX-512 (16 lanes, 32 registers:
// 4 vectors x 7 pixels, the broadcast read from memory) and AVX2 (8 lanes,
// 16 registers, one of them for the broadcast).
// RUN: net-opt %s --net-tile-gemm="vector-width=16 registers=32" | FileCheck %s --check-prefix=AVX512
// RUN: net-opt %s --net-tile-gemm="vector-width=8 registers=16" | FileCheck %s --check-prefix=AVX2
// (Malformed pixel tiles: test/Dialect/verify-attrs.mlir.)

// ResNet-50's layer3 1x1 (1024 -> 256 on 14x14, 196 pixels): 802 KB of
// input, so 8 chunks of L2/10 at least: 28 pixels (4 blocks of 7). A 1x1
// after a strided conv on 7x7 (256 -> 512, 50 KB of input): one task per
// channel block, all 49 pixels. With AVX2, 2 vectors x 6 pixels (33 blocks
// in 8 chunks: 5 blocks, 30 pixels, a chunk), 3 x 4 on 7x7 (one chunk of
// 13 blocks, the last shifted in).
// AVX512-LABEL: func.func @layer3
// AVX512: net.fused_conv {{.*}}net.tile = #net.tile<algo = direct, vec = 16, oc = 64, ow = 7, order = pixels, pixels = 28>
// AVX512: net.conv {{.*}}stride [2, 2]{{.*}}order = rows_outer>
// AVX512: net.conv {{.*}}net.tile = #net.tile<algo = direct, vec = 16, oc = 64, ow = 7, order = pixels, pixels = 49>
// AVX2-LABEL: func.func @layer3
// AVX2: net.fused_conv {{.*}}net.tile = #net.tile<algo = direct, vec = 8, oc = 16, ow = 6, order = pixels, pixels = 30>
// AVX2: net.conv {{.*}}net.tile = #net.tile<algo = direct, vec = 8, oc = 24, ow = 4, order = pixels, pixels = 52>
func.func @layer3(%x0: tensor<?x1024x14x14xf32>) -> tensor<?x512x7x7xf32> {
  %x = net.relu %x0 {net.layout = #net.layout<nhwc>} : tensor<?x1024x14x14xf32>
  %w = net.weight "a.weight" : tensor<256x1024x1x1xf32>
  %y = net.fused_conv %x, %w stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {act = #net.act<relu>, net.layout = #net.layout<nhwc>, net.tile = #net.tile<algo = direct, vec = 16, oc = 48, ow = 7, order = rows_outer>} : (tensor<?x1024x14x14xf32>, tensor<256x1024x1x1xf32>) -> tensor<?x256x14x14xf32>
  %w2 = net.weight "b.weight" : tensor<256x256x2x2xf32>
  %z = net.conv %y, %w2 stride [2, 2] pad [0, 0] dilation [1, 1] groups 1 {net.layout = #net.layout<nhwc>, net.tile = #net.tile<algo = direct, vec = 16, oc = 64, ow = 7, order = rows_outer>} : (tensor<?x256x14x14xf32>, tensor<256x256x2x2xf32>) -> tensor<?x256x7x7xf32>
  %w3 = net.weight "c.weight" : tensor<512x256x1x1xf32>
  %o = net.conv %z, %w3 stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {net.layout = #net.layout<nhwc>, net.tile = #net.tile<algo = direct, vec = 16, oc = 64, ow = 7, order = blocks_outer>} : (tensor<?x256x7x7xf32>, tensor<512x256x1x1xf32>) -> tensor<?x512x7x7xf32>
  return %o : tensor<?x512x7x7xf32>
}

// Channels that a smaller block divides: 160 = 5 x 32 rather than 3 blocks
// of 64, the last shifted in (AVX-512); AVX2's 2 x 8 divides it already.
// AVX512-LABEL: func.func @divides
// AVX512: net.tile = #net.tile<algo = direct, vec = 16, oc = 32, ow = 7, order = pixels
// AVX2-LABEL: func.func @divides
// AVX2: net.tile = #net.tile<algo = direct, vec = 8, oc = 16,
func.func @divides(%x0: tensor<?x960x7x7xf32>) -> tensor<?x160x7x7xf32> {
  %x = net.relu %x0 {net.layout = #net.layout<nhwc>} : tensor<?x960x7x7xf32>
  %w = net.weight "p.weight" : tensor<160x960x1x1xf32>
  %y = net.conv %x, %w stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {net.layout = #net.layout<nhwc>, net.tile = #net.tile<algo = direct, vec = 16, oc = 64, ow = 7, order = rows_outer>} : (tensor<?x960x7x7xf32>, tensor<160x960x1x1xf32>) -> tensor<?x160x7x7xf32>
  return %y : tensor<?x160x7x7xf32>
}

// Not taken: a strided 1x1, a 1x1 of a model input or with a model input
// as its residual (the executor converts inputs at the edge), one writing
// a crop of a concat in place, one read by a pool that computes it per
// strip, and one without a tile (fewer channels than a vector: the plain
// schedule).
// AVX512-LABEL: func.func @left_alone
// AVX512-NOT: order = pixels
// AVX512: return
func.func @left_alone(%x: tensor<?x64x14x14xf32>) -> (tensor<?x64x7x7xf32>, tensor<?x128x14x14xf32>, tensor<?x64x7x7xf32>, tensor<?x4x14x14xf32>, tensor<?x64x14x14xf32>) {
  %w = net.weight "a.weight" : tensor<64x64x1x1xf32>
  %s = net.conv %x, %w stride [2, 2] pad [0, 0] dilation [1, 1] groups 1 {net.layout = #net.layout<nhwc>, net.tile = #net.tile<algo = direct, vec = 16, oc = 64, ow = 7, order = rows_outer>} : (tensor<?x64x14x14xf32>, tensor<64x64x1x1xf32>) -> tensor<?x64x7x7xf32>
  %i = net.conv %x, %w stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {net.layout = #net.layout<nhwc>, net.tile = #net.tile<algo = direct, vec = 16, oc = 64, ow = 7, order = rows_outer>} : (tensor<?x64x14x14xf32>, tensor<64x64x1x1xf32>) -> tensor<?x64x14x14xf32>
  %r = net.relu %i {net.layout = #net.layout<nhwc>} : tensor<?x64x14x14xf32>
  %a = net.conv %r, %w stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {net.layout = #net.layout<nhwc>, net.tile = #net.tile<algo = direct, vec = 16, oc = 64, ow = 7, order = rows_outer>} : (tensor<?x64x14x14xf32>, tensor<64x64x1x1xf32>) -> tensor<?x64x14x14xf32>
  %b = net.relu %r {net.layout = #net.layout<nhwc>} : tensor<?x64x14x14xf32>
  %c = net.concat %a, %b axis 1 {net.in_place, net.layout = #net.layout<nhwc>} : (tensor<?x64x14x14xf32>, tensor<?x64x14x14xf32>) -> tensor<?x128x14x14xf32>
  %p = net.conv %r, %w stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {net.layout = #net.layout<nhwc>, net.tile = #net.tile<algo = direct, vec = 16, oc = 64, ow = 7, order = rows_outer>} : (tensor<?x64x14x14xf32>, tensor<64x64x1x1xf32>) -> tensor<?x64x14x14xf32>
  %q = net.maxpool %p kernel [2, 2] stride [2, 2] pad [0, 0] {net.fuse_producer = #net.strip<rows = 2>, net.layout = #net.layout<nhwc>} : tensor<?x64x14x14xf32> -> tensor<?x64x7x7xf32>
  %w4 = net.weight "d.weight" : tensor<4x64x1x1xf32>
  %n = net.conv %r, %w4 stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {net.layout = #net.layout<nhwc>} : (tensor<?x64x14x14xf32>, tensor<4x64x1x1xf32>) -> tensor<?x4x14x14xf32>
  %e = net.fused_conv %r, %w residual %x stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {act = #net.act<relu>, net.layout = #net.layout<nhwc>, net.tile = #net.tile<algo = direct, vec = 16, oc = 64, ow = 7, order = rows_outer>} : (tensor<?x64x14x14xf32>, tensor<64x64x1x1xf32>, tensor<?x64x14x14xf32>) -> tensor<?x64x14x14xf32>
  return %s, %c, %q, %n, %e : tensor<?x64x7x7xf32>, tensor<?x128x14x14xf32>, tensor<?x64x7x7xf32>, tensor<?x4x14x14xf32>, tensor<?x64x14x14xf32>
}

