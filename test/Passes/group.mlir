// net-group: every op but the parameters gets its fusion group, ids in
// program order. A producer the passes fused into its consumer (a pool's
// net.fuse_producer) shares the consumer's group; everything else is a
// group of its own, but a net.qdq joins its producer's group when it is the
// producer's only reader (the kernel then stores u8 codes). Code generation
// makes one kernel per group (none for a concat in place, whose parts write
// into its buffer).
// RUN: net-opt %s --net-group | FileCheck %s

// CHECK-LABEL: func.func @stem
// CHECK: net.weight "s.weight" :
// CHECK-NOT: net.group
// CHECK: net.fused_conv {{.*}}net.group = #net.group<0>
// CHECK: net.maxpool {{.*}}net.fuse_producer = #net.strip<rows = 7>, net.group = #net.group<0>
// CHECK: net.relu {{.*}}net.group = #net.group<1>
func.func @stem(%x: tensor<?x3x224x224xf32>) -> tensor<?x64x56x56xf32> {
  %w = net.weight "s.weight" : tensor<64x3x7x7xf32>
  %c = net.fused_conv %x, %w stride [2, 2] pad [3, 3] dilation [1, 1] groups 1 {act = #net.act<relu>, net.layout = #net.layout<nhwc>, net.tile = #net.tile<algo = direct, vec = 16, oc = 64, ow = 6, order = rows_outer>} : (tensor<?x3x224x224xf32>, tensor<64x3x7x7xf32>) -> tensor<?x64x112x112xf32>
  %p = net.maxpool %c kernel [3, 3] stride [2, 2] pad [1, 1] {net.fuse_producer = #net.strip<rows = 7>, net.layout = #net.layout<nhwc>} : tensor<?x64x112x112xf32> -> tensor<?x64x56x56xf32>
  %r = net.relu %p : tensor<?x64x56x56xf32>
  return %r : tensor<?x64x56x56xf32>
}

// The two convolutions an in-place concat reads stay groups of their own
// (their kernels write crops of the concat's buffer).
// CHECK-LABEL: func.func @inception
// CHECK: net.maxpool {{.*}}net.group = #net.group<0>
// CHECK: net.conv {{.*}}net.group = #net.group<1>
// CHECK: net.conv {{.*}}net.group = #net.group<2>
// CHECK: net.concat {{.*}}net.group = #net.group<3>
func.func @inception(%x: tensor<?x32x14x14xf32>) -> tensor<?x64x14x14xf32> {
  %p = net.maxpool %x kernel [3, 3] stride [1, 1] pad [1, 1] {net.layout = #net.layout<nhwc>} : tensor<?x32x14x14xf32> -> tensor<?x32x14x14xf32>
  %w1 = net.weight "a.weight" : tensor<32x32x1x1xf32>
  %a = net.conv %p, %w1 stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {net.layout = #net.layout<nhwc>, net.tile = #net.tile<algo = direct, vec = 16, oc = 32, ow = 7, order = rows_outer>} : (tensor<?x32x14x14xf32>, tensor<32x32x1x1xf32>) -> tensor<?x32x14x14xf32>
  %w2 = net.weight "b.weight" : tensor<32x32x1x1xf32>
  %b = net.conv %x, %w2 stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 {net.layout = #net.layout<nhwc>, net.tile = #net.tile<algo = direct, vec = 16, oc = 32, ow = 7, order = rows_outer>} : (tensor<?x32x14x14xf32>, tensor<32x32x1x1xf32>) -> tensor<?x32x14x14xf32>
  %c = net.concat %a, %b axis 1 {net.in_place, net.layout = #net.layout<nhwc>} : (tensor<?x32x14x14xf32>, tensor<?x32x14x14xf32>) -> tensor<?x64x14x14xf32>
  return %c : tensor<?x64x14x14xf32>
}

// A fused producer read twice stays apart (its value is needed elsewhere).
// CHECK-LABEL: func.func @used_twice
// CHECK: net.conv {{.*}}net.group = #net.group<0>
// CHECK: net.maxpool {{.*}}net.group = #net.group<1>
// CHECK: net.maxpool {{.*}}net.group = #net.group<2>
// CHECK: net.add {{.*}}net.group = #net.group<3>
func.func @used_twice(%x: tensor<?x64x16x16xf32>) -> tensor<?x64x8x8xf32> {
  %w = net.weight "c.weight" : tensor<64x64x1x1xf32>
  %c = net.conv %x, %w stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 : (tensor<?x64x16x16xf32>, tensor<64x64x1x1xf32>) -> tensor<?x64x16x16xf32>
  %p = net.maxpool %c kernel [2, 2] stride [2, 2] pad [0, 0] {net.fuse_producer = #net.strip<rows = 2>} : tensor<?x64x16x16xf32> -> tensor<?x64x8x8xf32>
  %q = net.maxpool %c kernel [2, 2] stride [2, 2] pad [0, 0] : tensor<?x64x16x16xf32> -> tensor<?x64x8x8xf32>
  %s = net.add %p, %q : tensor<?x64x8x8xf32>, tensor<?x64x8x8xf32>
  return %s : tensor<?x64x8x8xf32>
}

// A qdq joins the conv it alone reads; one whose input is read elsewhere
// too (by the residual add) is a group of its own.
// CHECK-LABEL: func.func @requantize
// CHECK: net.conv {{.*}}net.group = #net.group<0>
// CHECK: net.qdq {{.*}}net.group = #net.group<0>
// CHECK: net.conv {{.*}}net.group = #net.group<1>
// CHECK: net.qdq {{.*}}net.group = #net.group<2>
// CHECK: net.add {{.*}}net.group = #net.group<3>
func.func @requantize(%x: tensor<?x16x8x8xf32>) -> tensor<?x16x8x8xf32> {
  %w = net.weight "c.weight" : tensor<16x16x1x1xf32>
  %c = net.conv %x, %w stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 : (tensor<?x16x8x8xf32>, tensor<16x16x1x1xf32>) -> tensor<?x16x8x8xf32>
  %q = net.qdq %c scale 0.01 zero_point 0 : tensor<?x16x8x8xf32>
  %d = net.conv %q, %w stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 : (tensor<?x16x8x8xf32>, tensor<16x16x1x1xf32>) -> tensor<?x16x8x8xf32>
  %r = net.qdq %d scale 0.01 zero_point 0 : tensor<?x16x8x8xf32>
  %s = net.add %r, %d : tensor<?x16x8x8xf32>, tensor<?x16x8x8xf32>
  return %s : tensor<?x16x8x8xf32>
}
