// net-differentiate: @backward is @loss followed by the adjoints, returning
// the gradient of the summed losses w.r.t. each parameter (once per name,
// a shared one summed; no running statistics) and each f32 input (zeros
// where no loss reads it); a loss term is seeded with its weight in the
// sum.
// RUN: net-opt %s --net-differentiate | FileCheck %s
// RUN: net-opt %s --net-differentiate --net-group | FileCheck %s --check-prefix=GROUP
// With batch-stats (netc --train=batch-stats) the batchnorm of @backward
// and @train runs on batch statistics and is differentiated through them;
// @train also returns the running statistics' updates (net.state), after
// the gradients; @loss keeps the eval-mode batchnorm.
// RUN: net-opt %s --net-differentiate="batch-stats=true momentum=0.25" | FileCheck %s --check-prefix=BATCH

module {
  func.func @forward(%x: tensor<?x3x8x8xf32> {net.name = "x"}, %u: tensor<?x4xf32> {net.name = "unused"}, %l: tensor<?xi32> {net.name = "label"}) -> (tensor<?x4x8x8xf32> {net.name = "y"}) {
    %w = net.weight "c.weight" : tensor<4x3x3x3xf32>
    %c = net.conv %x, %w stride [1, 1] pad [1, 1] dilation [1, 1] groups 1 : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x8x8xf32>
    return %c : tensor<?x4x8x8xf32>
  }
  func.func @loss(%x: tensor<?x3x8x8xf32> {net.name = "x"}, %u: tensor<?x4xf32> {net.name = "unused"}, %l: tensor<?xi32> {net.name = "label"}) -> (tensor<f32> {net.name = "ce"}, tensor<f32> {net.name = "total"}) {
    %w = net.weight "c.weight" : tensor<4x3x3x3xf32>
    %c = net.conv %x, %w stride [1, 1] pad [1, 1] dilation [1, 1] groups 1 : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x8x8xf32>
    %g = net.weight "bn.weight" : tensor<4xf32>
    %b = net.weight "bn.bias" : tensor<4xf32>
    %m = net.weight "bn.running_mean" : tensor<4xf32>
    %v = net.weight "bn.running_var" : tensor<4xf32>
    %n = net.batchnorm %c, %g, %b, %m, %v eps 1.0e-5 : tensor<?x4x8x8xf32>, tensor<4xf32> -> tensor<?x4x8x8xf32>
    %r = net.relu %n : tensor<?x4x8x8xf32>
    %p = net.avgpool %r kernel [8, 8] stride [8, 8] pad [0, 0] : tensor<?x4x8x8xf32> -> tensor<?x4x1x1xf32>
    %w2 = net.weight "c.weight" : tensor<4x3x3x3xf32>
    %f = net.flatten %p : tensor<?x4x1x1xf32> -> tensor<?x4xf32>
    %ce = net.cross_entropy %f, %l reduction "mean" : tensor<?x4xf32>, tensor<?xi32> -> tensor<f32>
    %two = net.affine %ce scale 2.0 shift 1.0 : tensor<f32>
    return %ce, %two : tensor<f32>, tensor<f32>
  }
}

// @forward and @loss stay; @backward comes after @loss.
// CHECK-LABEL: func.func @loss
// CHECK-LABEL: func.func @backward
// CHECK-SAME: (%[[X:.*]]: tensor<?x3x8x8xf32> {net.name = "x"}, %{{.*}}: tensor<?x4xf32> {net.name = "unused"}, %[[L:.*]]: tensor<?xi32> {net.name = "label"})
// CHECK-SAME: -> (tensor<4x3x3x3xf32> {net.name = "c.weight"}, tensor<4xf32> {net.name = "bn.weight"}, tensor<4xf32> {net.name = "bn.bias"}, tensor<?x3x8x8xf32> {net.name = "x"}, tensor<?x4xf32> {net.name = "unused"})
// CHECK: %[[W:.*]] = net.weight "c.weight"
// CHECK: %[[C:.*]] = net.conv %[[X]], %[[W]]
// CHECK: %[[R:.*]] = net.relu
// CHECK: %[[F:.*]] = net.flatten
// ce is read by the result (1) and by 2*ce + 1 (2): seed 3.
// CHECK: %[[DF:.*]] = net.cross_entropy_grad %[[F]], %[[L]] scale 3.000000e+00 reduction "mean"
// CHECK: %[[DP:.*]] = net.reshape %[[DF]] shape [-1, 4, 1, 1]
// CHECK: %[[DR:.*]] = net.avgpool_grad %[[DP]] kernel [8, 8] stride [8, 8] pad [0, 0]
// CHECK: %[[DN:.*]] = net.mask_grad %[[R]], %[[DR]] lo 0.000000e+00 hi 0x7F800000 otherwise 0.000000e+00
// CHECK: %[[DC:.*]], %[[DG:.*]], %[[DB:.*]] = net.batchnorm_grad %[[C]], %[[DN]]
// CHECK: %[[DX:.*]] = net.conv_grad_input %[[DC]], %[[W]] stride [1, 1] pad [1, 1] dilation [1, 1] groups 1
// CHECK: %[[DW:.*]] = net.conv_grad_weight %[[X]], %[[DC]] stride [1, 1] pad [1, 1] dilation [1, 1] groups 1
// CHECK: %[[Z:.*]] = net.zeros : tensor<?x4xf32>
// CHECK: return %[[DW]], %[[DG]], %[[DB]], %[[DX]], %[[Z]]

// Each gradient op is a group (a kernel) of its own.
// GROUP-LABEL: func.func @backward
// GROUP: net.conv_grad_input {{.*}} {net.group = #net.group<

// BATCH-LABEL: func.func @loss
// BATCH: net.batchnorm %{{.*}} eps
// BATCH-LABEL: func.func @backward
// BATCH-NOT: net.batchnorm %
// BATCH: %[[Y:.*]], %[[MEAN:.*]], %[[VAR:.*]], %{{.*}}, %{{.*}} = net.batchnorm_train %[[C:.*]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} eps 9.99999974E-6 momentum 2.500000e-01
// BATCH: net.batchnorm_grad %[[C]], %{{.*}}, %{{.*}}, %[[MEAN]], %[[VAR]] eps 9.99999974E-6 batch
// BATCH-LABEL: func.func @train
// BATCH-SAME: -> (tensor<f32> {net.name = "ce"}, tensor<f32> {net.name = "total"}, tensor<4x3x3x3xf32> {net.name = "c.weight"}, tensor<4xf32> {net.name = "bn.weight"}, tensor<4xf32> {net.name = "bn.bias"}, tensor<4xf32> {net.name = "bn.running_mean", net.state}, tensor<4xf32> {net.name = "bn.running_var", net.state})
// BATCH: %{{.*}}, %{{.*}}, %{{.*}}, %[[RM:.*]], %[[RV:.*]] = net.batchnorm_train
// BATCH: return {{.*}}, %[[RM]], %[[RV]] :
