// net-tile: register blocks per channels-innermost convolution from the
// target description: AVX-512 (16 lanes, 32 registers) and AVX2 (8 lanes,
// 16 registers). The block (oc channels x ow columns) maximises the FMAs
// per weight load that fit in registers, minus the edge waste.
// The direct kernel's tiles (winograd=false; Winograd is checked below).
// RUN: net-opt %s --net-tile="vector-width=16 registers=32 winograd=false" | FileCheck %s --check-prefix=AVX512
// RUN: net-opt %s --net-tile="vector-width=8 registers=16 winograd=false" | FileCheck %s --check-prefix=AVX2
// With a 64 KiB L2 stage 1's weights (147 KB) no longer fit: streaming them
// per row would cost 56 x 147 KB, so its one channel block goes outermost.
// RUN: net-opt %s --net-tile="vector-width=16 registers=32 l2=65536 winograd=false" | FileCheck %s --check-prefix=SMALL
// Winograd for dense stride-1 3x3 convolutions with >= 64 channels:
// F(4x4,3x3) on maps of 14 and up, F(2x2,3x3) from 8 to 13, direct on
// 7x7 (ResNet's stage 4: too few tiles to pay). GEMM blocks of 4 vectors x
// 4 tiles per block of tiles; the transformed filters of stage 3 and of a
// 512-channel 10x10 map (36 x 256 x 256 floats, 9 MiB; 16 x 512 x 512,
// 16 MiB) reach 4 x L2, so their GEMMs run per image (U streams once per
// image, not once per block of tiles), blocks of 6 tiles (4 x 6 sums).
// RUN: net-opt %s --net-tile="vector-width=16 registers=32" | FileCheck %s --check-prefix=WINO
// RUN: net-opt %s --net-tile="vector-width=8 registers=16" | FileCheck %s --check-prefix=WINO2
// WINO-LABEL: func.func @resnet_stage1
// WINO: net.tile = #net.tile<algo = winograd4, vec = 16, oc = 64, ow = 4, order = tile_blocks>
// WINO-LABEL: func.func @resnet_stage3
// WINO: net.tile = #net.tile<algo = winograd4, vec = 16, oc = 64, ow = 6, order = per_image>
// WINO-LABEL: func.func @resnet_stage4
// WINO: net.tile = #net.tile<algo = direct, vec = 16, oc = 48, ow = 7, order = blocks_outer>
// WINO-LABEL: func.func @map10
// WINO: net.tile = #net.tile<algo = winograd2, vec = 16, oc = 64, ow = 6, order = per_image>
// 3 input channels, 10 outputs: too few for the GEMMs, direct.
// WINO-LABEL: func.func @narrow
// WINO: net.tile = #net.tile<algo = direct, vec = 16, oc = 16,
// WINO-LABEL: func.func @strided
// WINO: net.tile = #net.tile<algo = direct, vec = 16, oc = 64,
// AVX2 (16 registers): blocks of 3 vectors x 4 tiles (12 sums).
// WINO2-LABEL: func.func @resnet_stage1
// WINO2: net.tile = #net.tile<algo = winograd4, vec = 8, oc = 24, ow = 4, order = tile_blocks>
// SMALL-LABEL: func.func @resnet_stage1
// SMALL: order = blocks_outer
// SMALL-LABEL: func.func @resnet_stage4
// SMALL: order = blocks_outer

// 64 channels, 56 columns: 4 vectors x 6 columns (24 sums) on AVX-512,
// 2 x 6 (12 sums) on AVX2. Weights (147 KB) fit in L2: rows outermost.
// AVX512-LABEL: func.func @resnet_stage1
// AVX512: net.tile = #net.tile<algo = direct, vec = 16, oc = 64, ow = 6, order = rows_outer>
// AVX2-LABEL: func.func @resnet_stage1
// AVX2: net.tile = #net.tile<algo = direct, vec = 8, oc = 16, ow = 6, order = rows_outer>
func.func @resnet_stage1(%x: tensor<?x64x56x56xf32>) -> tensor<?x64x56x56xf32> {
  %w = net.weight "c.weight" : tensor<64x64x3x3xf32>
  %y = net.fused_conv %x, %w stride [1, 1] pad [1, 1] dilation [1, 1] groups 1 {act = #net.act<relu>, net.layout = #net.layout<nhwc>} : (tensor<?x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<?x64x56x56xf32>
  return %y : tensor<?x64x56x56xf32>
}

func.func @resnet_stage3(%x: tensor<?x256x14x14xf32>) -> tensor<?x256x14x14xf32> {
  %w = net.weight "c.weight" : tensor<256x256x3x3xf32>
  %y = net.fused_conv %x, %w stride [1, 1] pad [1, 1] dilation [1, 1] groups 1 {act = #net.act<relu>, net.layout = #net.layout<nhwc>} : (tensor<?x256x14x14xf32>, tensor<256x256x3x3xf32>) -> tensor<?x256x14x14xf32>
  return %y : tensor<?x256x14x14xf32>
}

// 7 columns: a 7-wide block of 3 vectors on AVX-512 (no wasted column; the
// last of 11 channel blocks is part empty); 3 x 4 on AVX2. The weights
// (9.4 MB) outweigh the input (100 KB) and exceed L2: channel blocks go
// outermost, so each block's weights are fetched once, not once per row.
// AVX512-LABEL: func.func @resnet_stage4
// AVX512: net.tile = #net.tile<algo = direct, vec = 16, oc = 48, ow = 7, order = blocks_outer>
// AVX2-LABEL: func.func @resnet_stage4
// AVX2: net.tile = #net.tile<algo = direct, vec = 8, oc = 24, ow = 4, order = blocks_outer>
func.func @resnet_stage4(%x: tensor<?x512x7x7xf32>) -> tensor<?x512x7x7xf32> {
  %w = net.weight "c.weight" : tensor<512x512x3x3xf32>
  %y = net.conv %x, %w stride [1, 1] pad [1, 1] dilation [1, 1] groups 1 {net.layout = #net.layout<nhwc>} : (tensor<?x512x7x7xf32>, tensor<512x512x3x3xf32>) -> tensor<?x512x7x7xf32>
  return %y : tensor<?x512x7x7xf32>
}

func.func @map10(%x: tensor<?x512x10x10xf32>) -> tensor<?x512x10x10xf32> {
  %w = net.weight "c.weight" : tensor<512x512x3x3xf32>
  %y = net.conv %x, %w stride [1, 1] pad [1, 1] dilation [1, 1] groups 1 {net.layout = #net.layout<nhwc>} : (tensor<?x512x10x10xf32>, tensor<512x512x3x3xf32>) -> tensor<?x512x10x10xf32>
  return %y : tensor<?x512x10x10xf32>
}

// Fewer channels than a vector: one (guarded) vector.
// AVX512-LABEL: func.func @narrow
// AVX512: net.tile = #net.tile<algo = direct, vec = 16, oc = 16, ow = 8, order = rows_outer>
func.func @narrow(%x: tensor<?x3x32x32xf32>) -> tensor<?x10x32x32xf32> {
  %w = net.weight "c.weight" : tensor<10x3x3x3xf32>
  %y = net.conv %x, %w stride [1, 1] pad [1, 1] dilation [1, 1] groups 1 {net.layout = #net.layout<nhwc>} : (tensor<?x3x32x32xf32>, tensor<10x3x3x3xf32>) -> tensor<?x10x32x32xf32>
  return %y : tensor<?x10x32x32xf32>
}

// Stride 2: direct.
func.func @strided(%x: tensor<?x64x56x56xf32>) -> tensor<?x64x28x28xf32> {
  %w = net.weight "c.weight" : tensor<64x64x3x3xf32>
  %y = net.conv %x, %w stride [2, 2] pad [1, 1] dilation [1, 1] groups 1 {net.layout = #net.layout<nhwc>} : (tensor<?x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<?x64x28x28xf32>
  return %y : tensor<?x64x28x28xf32>
}

// Without a layout (net-layout did not choose channels-innermost): no tile.
// AVX512-LABEL: func.func @no_layout
// AVX512-NOT: net.tile
func.func @no_layout(%x: tensor<?x3x32x32xf32>) -> tensor<?x10x32x32xf32> {
  %w = net.weight "c.weight" : tensor<10x3x3x3xf32>
  %y = net.conv %x, %w stride [1, 1] pad [1, 1] dilation [1, 1] groups 1 : (tensor<?x3x32x32xf32>, tensor<10x3x3x3xf32>) -> tensor<?x10x32x32xf32>
  return %y : tensor<?x10x32x32xf32>
}
