// net-layout: 4-D feature maps of the ops the x86 schedules know get
// channels-innermost storage (net.layout = #net.layout<nhwc>); the types stay NCHW.
// Other ranks, other ops, grouped (non-depthwise) convolutions and maps
// with fewer channels than a vector keep the default storage.
// RUN: net-opt %s --net-layout | FileCheck %s
// RUN: net-opt %s --net-layout="vector-width=16" | FileCheck %s --check-prefix=WIDE

// 8 channels do not fill a 16-lane vector.
// WIDE-LABEL: func.func @cnn
// WIDE-NOT: net.layout
// WIDE: return

// CHECK-LABEL: func.func @cnn
// CHECK: net.conv %arg0, {{.*}}net.layout = #net.layout<nhwc>{{.*}} -> tensor<?x8x8x8xf32>
// CHECK: net.conv {{.*}} groups 8 {net.layout = #net.layout<nhwc>}
// CHECK: net.conv {{.*}} groups 2 :
// CHECK: net.maxpool {{.*}}net.layout = #net.layout<nhwc>
// CHECK: net.add {{.*}}net.layout = #net.layout<nhwc>
// CHECK: net.sigmoid
// CHECK-NOT: net.layout
// CHECK: return
func.func @cnn(%x: tensor<?x3x8x8xf32>) -> (tensor<?x8x4x4xf32>, tensor<?x8x8x8xf32>, tensor<?x8x8x8xf32>) {
  %w = net.weight "c.weight" : tensor<8x3x3x3xf32>
  %c = net.conv %x, %w stride [1, 1] pad [1, 1] dilation [1, 1] groups 1 : (tensor<?x3x8x8xf32>, tensor<8x3x3x3xf32>) -> tensor<?x8x8x8xf32>
  %wd = net.weight "dw.weight" : tensor<8x1x3x3xf32>
  %d = net.conv %c, %wd stride [1, 1] pad [1, 1] dilation [1, 1] groups 8 : (tensor<?x8x8x8xf32>, tensor<8x1x3x3xf32>) -> tensor<?x8x8x8xf32>
  %wg = net.weight "g.weight" : tensor<8x4x1x1xf32>
  %g = net.conv %d, %wg stride [1, 1] pad [0, 0] dilation [1, 1] groups 2 : (tensor<?x8x8x8xf32>, tensor<8x4x1x1xf32>) -> tensor<?x8x8x8xf32>
  %p = net.maxpool %g kernel [2, 2] stride [2, 2] pad [0, 0] : tensor<?x8x8x8xf32> -> tensor<?x8x4x4xf32>
  %s = net.add %d, %g : tensor<?x8x8x8xf32>, tensor<?x8x8x8xf32>
  %t = net.sigmoid %s : tensor<?x8x8x8xf32>
  return %p, %s, %t : tensor<?x8x4x4xf32>, tensor<?x8x8x8xf32>, tensor<?x8x8x8xf32>
}

// A 2-D tensor (fc input) is not a feature map.
// CHECK-LABEL: func.func @matrix
// CHECK-NOT: net.layout
func.func @matrix(%x: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %y = net.relu %x : tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}
