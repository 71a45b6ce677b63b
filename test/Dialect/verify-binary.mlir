// net.add/sub/mul/div need two operands of the same shape; the message gives
// both shapes.
// RUN: net-opt %s -split-input-file -verify-diagnostics

func.func @add(%a: tensor<?x3x8x8xf32>, %b: tensor<?x3x4x4xf32>) {
  // expected-error @+1 {{'+': shapes [N, 3, 8, 8] and [N, 3, 4, 4] differ}}
  %y = net.add %a, %b : tensor<?x3x8x8xf32>, tensor<?x3x4x4xf32>
  return
}

// -----

func.func @sub(%a: tensor<2x3xf32>, %b: tensor<3x2xf32>) {
  // expected-error @+1 {{'-': shapes [2, 3] and [3, 2] differ}}
  %y = net.sub %a, %b : tensor<2x3xf32>, tensor<3x2xf32>
  return
}

// -----

func.func @mul(%a: tensor<2x3xf32>, %b: tensor<2xf32>) {
  // expected-error @+1 {{'*': shapes [2, 3] and [2] differ}}
  %y = net.mul %a, %b : tensor<2x3xf32>, tensor<2xf32>
  return
}

// -----

func.func @div(%a: tensor<?x3xf32>, %b: tensor<2x3xf32>) {
  // expected-error @+1 {{'/': shapes [N, 3] and [2, 3] differ}}
  %y = net.div %a, %b : tensor<?x3xf32>, tensor<2x3xf32>
  return
}
