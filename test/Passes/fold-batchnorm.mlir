// net-fold-batchnorm: batchnorm(conv) becomes one net.fused_conv; without
// values in the IR (weights bound when the library is opened) it carries the
// batchnorm parameters, with values it reads folded ones. A conv with
// another user keeps its batchnorm (folding would compute it twice).
// RUN: net-opt %s --net-fold-batchnorm | FileCheck %s
// RUN: net-opt %s --net-fold-batchnorm=fold-values=false | FileCheck %s --check-prefix=KEEP

// CHECK-LABEL: func.func @folds
// CHECK-NOT: net.batchnorm
// CHECK: %[[Y:.*]] = net.fused_conv %arg0, %[[W:.*]] bias %[[B:.*]] bn(%[[G:.*]], %[[BETA:.*]], %[[M:.*]], %[[V:.*]]) stride [2, 2] pad [1, 1] dilation [1, 1] groups 1 {bn_eps = 1.000000e-03 : f32}
// CHECK-NOT: net.conv
// CHECK: return %[[Y]]
func.func @folds(%x: tensor<?x3x8x8xf32>) -> tensor<?x4x4x4xf32> {
  %w = net.weight "c.weight" : tensor<4x3x3x3xf32>
  %b = net.weight "c.bias" : tensor<4xf32>
  %c = net.conv %x, %w, %b stride [2, 2] pad [1, 1] dilation [1, 1] groups 1 : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<?x4x4x4xf32>
  %g = net.weight "bn.weight" : tensor<4xf32>
  %beta = net.weight "bn.bias" : tensor<4xf32>
  %m = net.weight "bn.running_mean" : tensor<4xf32>
  %v = net.weight "bn.running_var" : tensor<4xf32>
  %y = net.batchnorm %c, %g, %beta, %m, %v eps 1.0e-3 : tensor<?x4x4x4xf32>, tensor<4xf32> -> tensor<?x4x4x4xf32>
  return %y : tensor<?x4x4x4xf32>
}

// CHECK-LABEL: func.func @conv_used_twice
// CHECK: %[[C:.*]] = net.conv
// CHECK: %[[Y:.*]] = net.batchnorm %[[C]]
// CHECK-NOT: net.fused_conv
// CHECK: net.add %[[Y]], %[[C]]
func.func @conv_used_twice(%x: tensor<?x3x8x8xf32>) -> tensor<?x4x8x8xf32> {
  %w = net.weight "c.weight" : tensor<4x3x1x1xf32>
  %c = net.conv %x, %w stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 : (tensor<?x3x8x8xf32>, tensor<4x3x1x1xf32>) -> tensor<?x4x8x8xf32>
  %g = net.weight "bn.weight" : tensor<4xf32>
  %beta = net.weight "bn.bias" : tensor<4xf32>
  %m = net.weight "bn.running_mean" : tensor<4xf32>
  %v = net.weight "bn.running_var" : tensor<4xf32>
  %y = net.batchnorm %c, %g, %beta, %m, %v eps 1.0e-5 : tensor<?x4x8x8xf32>, tensor<4xf32> -> tensor<?x4x8x8xf32>
  %s = net.add %y, %c : tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>
  return %s : tensor<?x4x8x8xf32>
}

// A batchnorm of something else than a conv stays.
// CHECK-LABEL: func.func @not_after_conv
// CHECK: net.batchnorm %arg0
func.func @not_after_conv(%x: tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32> {
  %g = net.weight "bn.weight" : tensor<4xf32>
  %beta = net.weight "bn.bias" : tensor<4xf32>
  %m = net.weight "bn.running_mean" : tensor<4xf32>
  %v = net.weight "bn.running_var" : tensor<4xf32>
  %y = net.batchnorm %x, %g, %beta, %m, %v eps 1.0e-5 : tensor<?x4x8x8xf32>, tensor<4xf32> -> tensor<?x4x8x8xf32>
  return %y : tensor<?x4x8x8xf32>
}

// With values in the IR the fold is done on them: s = 4 / sqrt(3 + 1) = 2,
// w' = 1.5 * 2 = 3 (0x40400000), b' = (1 - 0.5) * 2 + 0.25 = 1.25
// (0x3FA00000); the fused_conv reads the new parameters and no batchnorm,
// and the old ones are gone.
// CHECK-LABEL: func.func @folds_values
// CHECK-NOT: "v.weight"
// CHECK: %[[W:.*]] = net.weight "v.weight#bn" value = dense_resource<[[WK:v_weight_bn[_0-9]*]]>
// CHECK: %[[B:.*]] = net.weight "v.weight#bn.bias" value = dense_resource<[[BK:v_weight_bn_bias[_0-9]*]]>
// CHECK: net.fused_conv %arg0, %[[W]] bias %[[B]] stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 :
// CHECK: [[WK]]: "0x0400000000004040"
// CHECK: [[BK]]: "0x040000000000A03F"
// fold-values=false (netc --train: the parameters a train step updates stay
// the model's): the fused_conv carries the batchnorm parameters, no "#bn".
// KEEP-LABEL: func.func @folds_values
// KEEP-NOT: #bn
// KEEP: net.fused_conv %arg0, %{{.*}} bias %{{.*}} bn(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}})
// KEEP-NOT: net.batchnorm
func.func @folds_values(%x: tensor<?x1x2x2xf32>) -> tensor<?x1x2x2xf32> {
  %w = net.weight "v.weight" value = dense<1.5> : tensor<1x1x1x1xf32> : tensor<1x1x1x1xf32>
  %b = net.weight "v.bias" value = dense<1.0> : tensor<1xf32> : tensor<1xf32>
  %c = net.conv %x, %w, %b stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 : (tensor<?x1x2x2xf32>, tensor<1x1x1x1xf32>, tensor<1xf32>) -> tensor<?x1x2x2xf32>
  %g = net.weight "vbn.weight" value = dense<4.0> : tensor<1xf32> : tensor<1xf32>
  %beta = net.weight "vbn.bias" value = dense<0.25> : tensor<1xf32> : tensor<1xf32>
  %m = net.weight "vbn.running_mean" value = dense<0.5> : tensor<1xf32> : tensor<1xf32>
  %v = net.weight "vbn.running_var" value = dense<3.0> : tensor<1xf32> : tensor<1xf32>
  %y = net.batchnorm %c, %g, %beta, %m, %v eps 1.0 : tensor<?x1x2x2xf32>, tensor<1xf32> -> tensor<?x1x2x2xf32>
  return %y : tensor<?x1x2x2xf32>
}
