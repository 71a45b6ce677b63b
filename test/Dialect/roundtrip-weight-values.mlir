// A module that carries its weights: net.weight's value is a dense_resource
// blob, kept in the file's dialect_resources section; printing and parsing
// it again gives the same module, values included.
// RUN: net-opt %s | FileCheck %s
// RUN: net-opt %s | net-opt | FileCheck %s

// CHECK-LABEL: func.func @carries
// CHECK: net.weight "c.weight" value = dense_resource<c_weight> : tensor<2x1x1x1xf32> : tensor<2x1x1x1xf32>
// CHECK: net.weight "c.bias" value = dense_resource<c_bias> : tensor<2xf32> : tensor<2xf32>
// CHECK: net.weight "d.weight" : tensor<2x2x1x1xf32>
// CHECK: dialect_resources
// CHECK: c_weight: "0x040000000000004000004040"
// CHECK: c_bias: "0x040000000000803F00000040"
func.func @carries(%x: tensor<?x1x4x4xf32>) -> tensor<?x2x4x4xf32> {
  %w = net.weight "c.weight" value = dense_resource<c_weight> : tensor<2x1x1x1xf32> : tensor<2x1x1x1xf32>
  %b = net.weight "c.bias" value = dense_resource<c_bias> : tensor<2xf32> : tensor<2xf32>
  %y = net.conv %x, %w, %b stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 : (tensor<?x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<?x2x4x4xf32>
  %w2 = net.weight "d.weight" : tensor<2x2x1x1xf32>
  %z = net.conv %y, %w2 stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 : (tensor<?x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<?x2x4x4xf32>
  return %z : tensor<?x2x4x4xf32>
}

{-#
  dialect_resources: {
    builtin: {
      c_weight: "0x040000000000004000004040",
      c_bias: "0x040000000000803F00000040"
    }
  }
#-}
