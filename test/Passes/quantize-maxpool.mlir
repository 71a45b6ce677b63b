// net-quantize on max pools: a pool whose readers are all one qdq runs on
// the codes. The qdq moves to the pool's input with the same scale and
// zero point (exact: quantization is monotone) and the pool is marked
// net.int8, so the conv before it can requantize in its epilogue; a chain
// of pools moves it up to the first, and a qdq its input already has with
// those parameters (another layer's) serves. A pool that is also a model output,
// or whose readers quantize it differently, stays f32.
// RUN: net-opt %s --net-quantize | FileCheck %s
// RUN: net-opt %s --net-quantize --emit-bytecode | net-opt | FileCheck %s

// CHECK-LABEL: func.func @chain
// CHECK: %[[Q:.*]] = net.qdq %arg0 scale 0.00999999977 zero_point 0
// CHECK: %[[P1:.*]] = net.maxpool %[[Q]] {{.*}}{net.int8}
// CHECK: %[[P2:.*]] = net.maxpool %[[P1]] {{.*}}{net.int8}
// CHECK-NOT: net.qdq
// CHECK: net.conv %[[P2]], %{{.*}}net.int8
// CHECK: net.conv %[[P2]], %{{.*}}net.int8
func.func @chain(%x: tensor<?x2x8x8xf32>) -> (tensor<?x2x2x2xf32>, tensor<?x2x2x2xf32>) {
  %p1 = net.maxpool %x kernel [3, 3] stride [2, 2] pad [1, 1] : tensor<?x2x8x8xf32> -> tensor<?x2x4x4xf32>
  %p2 = net.maxpool %p1 kernel [2, 2] stride [2, 2] pad [0, 0] : tensor<?x2x4x4xf32> -> tensor<?x2x2x2xf32>
  %w = net.weight "c.weight" value = dense<0.5> : tensor<2x2x1x1xf32> : tensor<2x2x1x1xf32>
  %c = net.conv %p2, %w stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {net.input_range = #net.range<min = 0.0 : f32, max = 2.55 : f32>} : (tensor<?x2x2x2xf32>, tensor<2x2x1x1xf32>) -> tensor<?x2x2x2xf32>
  %w2 = net.weight "d.weight" value = dense<0.25> : tensor<2x2x1x1xf32> : tensor<2x2x1x1xf32>
  %d = net.conv %p2, %w2 stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {net.input_range = #net.range<min = 0.0 : f32, max = 2.55 : f32>} : (tensor<?x2x2x2xf32>, tensor<2x2x1x1xf32>) -> tensor<?x2x2x2xf32>
  return %c, %d : tensor<?x2x2x2xf32>, tensor<?x2x2x2xf32>
}

// CHECK-LABEL: func.func @stays_f32
// CHECK: %[[P:.*]] = net.maxpool %arg0 kernel [2, 2] stride [2, 2] pad [0, 0] : tensor
// CHECK: net.qdq %[[P]] scale 0.00999999977
// CHECK: %[[R:.*]] = net.maxpool %arg0 kernel [2, 2] stride [2, 2] pad [0, 0] : tensor
// CHECK: net.qdq %[[R]] scale 0.00999999977
// CHECK: net.qdq %[[R]] scale 2.000000e-02
func.func @stays_f32(%x: tensor<?x2x8x8xf32>) -> (tensor<?x2x4x4xf32>, tensor<?x2x4x4xf32>, tensor<?x2x4x4xf32>, tensor<?x2x4x4xf32>) {
  %w = net.weight "e.weight" value = dense<0.5> : tensor<2x2x1x1xf32> : tensor<2x2x1x1xf32>
  %p = net.maxpool %x kernel [2, 2] stride [2, 2] pad [0, 0] : tensor<?x2x8x8xf32> -> tensor<?x2x4x4xf32>
  %c = net.conv %p, %w stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {net.input_range = #net.range<min = 0.0 : f32, max = 2.55 : f32>} : (tensor<?x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<?x2x4x4xf32>
  %r = net.maxpool %x kernel [2, 2] stride [2, 2] pad [0, 0] : tensor<?x2x8x8xf32> -> tensor<?x2x4x4xf32>
  %w2 = net.weight "f.weight" value = dense<0.5> : tensor<2x2x1x1xf32> : tensor<2x2x1x1xf32>
  %d = net.conv %r, %w2 stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {net.input_range = #net.range<min = 0.0 : f32, max = 2.55 : f32>} : (tensor<?x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<?x2x4x4xf32>
  %e = net.conv %r, %w2 stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {net.input_range = #net.range<min = 0.0 : f32, max = 5.1 : f32>} : (tensor<?x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<?x2x4x4xf32>
  return %c, %p, %d, %e : tensor<?x2x4x4xf32>, tensor<?x2x4x4xf32>, tensor<?x2x4x4xf32>, tensor<?x2x4x4xf32>
}

// CHECK-LABEL: func.func @shared
// CHECK: %[[Q:.*]] = net.qdq %arg0 scale 0.00999999977 zero_point 0
// CHECK-NOT: net.qdq
// CHECK: %[[P:.*]] = net.maxpool %[[Q]] {{.*}}{net.int8}
// CHECK: net.conv %[[P]], %{{.*}}net.int8
// CHECK: net.conv %[[Q]], %{{.*}}net.int8
func.func @shared(%x: tensor<?x2x8x8xf32>) -> (tensor<?x2x4x4xf32>, tensor<?x2x8x8xf32>) {
  %w = net.weight "g.weight" value = dense<0.5> : tensor<2x2x1x1xf32> : tensor<2x2x1x1xf32>
  %p = net.maxpool %x kernel [2, 2] stride [2, 2] pad [0, 0] : tensor<?x2x8x8xf32> -> tensor<?x2x4x4xf32>
  %c = net.conv %p, %w stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {net.input_range = #net.range<min = 0.0 : f32, max = 2.55 : f32>} : (tensor<?x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<?x2x4x4xf32>
  %d = net.conv %x, %w stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {net.input_range = #net.range<min = 0.0 : f32, max = 2.55 : f32>} : (tensor<?x2x8x8xf32>, tensor<2x2x1x1xf32>) -> tensor<?x2x8x8xf32>
  return %c, %d : tensor<?x2x4x4xf32>, tensor<?x2x8x8xf32>
}
