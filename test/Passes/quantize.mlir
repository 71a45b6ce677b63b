// net-quantize: each conv/fc with a calibrated input range gets a net.qdq
// on its input (u8: scale = (max - min) / 255 over the range widened to
// hold 0, zero point round(-min / scale)), its weight quantized per output
// channel (scale max|w[o]| / 127, values round(w / s) * s), the scales as
// net.weight_scales, and the net.int8 marker. Two layers reading one value
// with one range share its qdq; a layer without a range stays f32; the
// loss function's copy of a weight gets the same blob.
// Hex: 1.0 = 0000803F, 2.0 = 00000040, -1.0 = 000080BF, 0.0 = 00000000.
// RUN: net-opt %s --net-quantize | FileCheck %s

// Range [0, 2.55]: scale 0.01, zero point 0.
// CHECK-LABEL: func.func @forward
// CHECK: %[[W:.*]] = net.weight "c.weight" value = dense_resource<[[CW:[a-z_0-9]+]]> : tensor<2x2x1x1xf32> {net.weight_scales = array<f32: 0.00787401571, 0.0157480314>}
// CHECK: %[[Q:.*]] = net.qdq %arg0 scale 0.00999999977 zero_point 0 : tensor<?x2x4x4xf32>
// CHECK: net.conv %[[Q]], %[[W]] {{.*}}net.int8
// CHECK-NOT: net.qdq %arg0
// CHECK: net.conv %[[Q]], %{{.*}} {{.*}}net.int8
// Range [-1, 3]: scale 4 / 255, zero point round(255 / 4) = 64.
// CHECK: %[[Q2:.*]] = net.qdq %arg1 scale 0.0156862754 zero_point 64 : tensor<?x2xf32>
// CHECK: net.fc %[[Q2]]
// No range: no qdq, no int8.
// CHECK: net.fc %arg1, %{{[0-9]+}} : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
// CHECK-LABEL: func.func @loss
// CHECK: net.weight "c.weight" value = dense_resource<[[CW]]>
// c.weight [[1, -1], [2, 0.5]]: row 0 exact; row 1: 0.5 / (2 / 127) =
// 31.75 -> 32 * 2/127 = 0.503937 (0x3F010204). fc.weight row 1 [1, 3]:
// 1 / (3 / 127) = 42.33 -> 42 * 3/127 = 0.992126 (0x3F7DFBF8).
// CHECK: [[CW]]: "0x040000000000803F000080BF000000400402013F"
// CHECK: fc_weight: "0x040000000000000000000040F8FB7D3F00004040"

func.func @forward(%x: tensor<?x2x4x4xf32>, %z: tensor<?x2xf32>) -> (tensor<?x2x4x4xf32>, tensor<?x2x4x4xf32>, tensor<?x2xf32>, tensor<?x2xf32>) {
  %w = net.weight "c.weight" value = dense<[[[[1.0]], [[-1.0]]], [[[2.0]], [[0.5]]]]> : tensor<2x2x1x1xf32> : tensor<2x2x1x1xf32>
  %c = net.conv %x, %w stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {net.input_range = #net.range<min = 0.0 : f32, max = 2.55 : f32>} : (tensor<?x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<?x2x4x4xf32>
  %w2 = net.weight "d.weight" value = dense<0.5> : tensor<2x2x1x1xf32> : tensor<2x2x1x1xf32>
  %d = net.conv %x, %w2 stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {net.input_range = #net.range<min = 0.0 : f32, max = 2.55 : f32>} : (tensor<?x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<?x2x4x4xf32>
  %fw = net.weight "fc.weight" value = dense<[[0.0, 2.0], [1.0, 3.0]]> : tensor<2x2xf32> : tensor<2x2xf32>
  %y = net.fc %z, %fw {net.input_range = #net.range<min = -1.0 : f32, max = 3.0 : f32>} : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
  %gw = net.weight "g.weight" value = dense<[[0.0, 2.0], [1.0, 3.0]]> : tensor<2x2xf32> : tensor<2x2xf32>
  %g = net.fc %z, %gw : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
  return %c, %d, %y, %g : tensor<?x2x4x4xf32>, tensor<?x2x4x4xf32>, tensor<?x2xf32>, tensor<?x2xf32>
}

func.func @loss(%x: tensor<?x2x4x4xf32>) -> tensor<?x2x4x4xf32> {
  %w = net.weight "c.weight" value = dense<[[[[1.0]], [[-1.0]]], [[[2.0]], [[0.5]]]]> : tensor<2x2x1x1xf32> : tensor<2x2x1x1xf32>
  %c = net.conv %x, %w stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {net.input_range = #net.range<min = 0.0 : f32, max = 2.55 : f32>} : (tensor<?x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<?x2x4x4xf32>
  return %c : tensor<?x2x4x4xf32>
}
