// net-tile on int8 layers (net.int8, input a net.qdq, groups 1): the
// direct kernel on int8 dot products. With VNNI (vpdpbusd) always, even
// where f32 would take Winograd (this 3x3 64-channel layer on a 56x56
// map is F(4x4) in f32), with the f32 register block. Without VNNI
// (vpmaddwd) a layer f32 runs with Winograd keeps it, and the others get
// a block chosen for one register fewer (vpmaddwd's product needs one).
// A depthwise int8 layer and an f32 one keep their f32 tiles.
// RUN: net-opt %s --net-tile="vector-width=16 registers=32 vnni=true" | FileCheck %s --check-prefix=VNNI
// RUN: net-opt %s --net-tile="vector-width=8 registers=16" | FileCheck %s --check-prefix=PAIRS
// VNNI: net.conv {{.*}}net.tile = #net.tile<algo = vnni, vec = 16, oc = 64, ow = {{[0-9]+}}, order = rows_outer>
// VNNI: net.conv {{.*}}net.tile = #net.tile<algo = vnni, vec = 16, oc = 64,
// VNNI: net.conv {{.*}}net.tile = #net.tile<algo = direct, vec = 16,
// VNNI: net.conv {{.*}}net.tile = #net.tile<algo = winograd4,
// PAIRS: net.conv {{.*}}net.tile = #net.tile<algo = winograd4, vec = 8,
// PAIRS: net.conv {{.*}}net.tile = #net.tile<algo = pmaddwd, vec = 8, oc = 16, ow = 6, order = rows_outer>
// PAIRS: net.conv {{.*}}net.tile = #net.tile<algo = direct, vec = 8,
// PAIRS: net.conv {{.*}}net.tile = #net.tile<algo = winograd4,
func.func @forward(%x: tensor<?x64x56x56xf32>) -> (tensor<?x64x56x56xf32>, tensor<?x64x56x56xf32>, tensor<?x64x56x56xf32>, tensor<?x64x56x56xf32>) {
  %q = net.qdq %x scale 0.01 zero_point 0 {net.layout = #net.layout<nhwc>} : tensor<?x64x56x56xf32>
  %w = net.weight "a.weight" : tensor<64x64x3x3xf32>
  %a = net.conv %q, %w stride [1, 1] pad [1, 1] dilation [1, 1] groups 1 {net.int8, net.layout = #net.layout<nhwc>} : (tensor<?x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<?x64x56x56xf32>
  %w1 = net.weight "p.weight" : tensor<64x64x1x1xf32>
  %p = net.conv %q, %w1 stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {net.int8, net.layout = #net.layout<nhwc>} : (tensor<?x64x56x56xf32>, tensor<64x64x1x1xf32>) -> tensor<?x64x56x56xf32>
  %wd = net.weight "d.weight" : tensor<64x1x3x3xf32>
  %d = net.conv %q, %wd stride [1, 1] pad [1, 1] dilation [1, 1] groups 64 {net.int8, net.layout = #net.layout<nhwc>} : (tensor<?x64x56x56xf32>, tensor<64x1x3x3xf32>) -> tensor<?x64x56x56xf32>
  %f = net.conv %x, %w stride [1, 1] pad [1, 1] dilation [1, 1] groups 1 {net.layout = #net.layout<nhwc>} : (tensor<?x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<?x64x56x56xf32>
  return %a, %p, %d, %f : tensor<?x64x56x56xf32>, tensor<?x64x56x56xf32>, tensor<?x64x56x56xf32>, tensor<?x64x56x56xf32>
}
