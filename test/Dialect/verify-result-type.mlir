// A result type written in the IR that disagrees with shape inference is
// rejected, naming both types.
// RUN: net-opt %s -split-input-file -verify-diagnostics

func.func @conv(%x: tensor<?x4x8x8xf32>, %w: tensor<6x4x3x3xf32>) {
  // expected-error @+2 {{'net.conv' op inferred type(s) 'tensor<?x6x6x6xf32>' are incompatible with return type(s) of operation 'tensor<?x6x7x6xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.conv %x, %w stride [1, 1] pad [0, 0] dilation [1, 1] groups 1
      : (tensor<?x4x8x8xf32>, tensor<6x4x3x3xf32>) -> tensor<?x6x7x6xf32>
  return
}

// -----

func.func @fc(%x: tensor<?x400xf32>, %w: tensor<120x400xf32>) {
  // expected-error @+2 {{'net.fc' op inferred type(s) 'tensor<?x120xf32>' are incompatible with return type(s) of operation 'tensor<?x84xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.fc %x, %w : (tensor<?x400xf32>, tensor<120x400xf32>)
      -> tensor<?x84xf32>
  return
}

// -----

func.func @concat(%a: tensor<?x3x4xf32>, %b: tensor<?x5x4xf32>) {
  // expected-error @+2 {{'net.concat' op inferred type(s) 'tensor<?x8x4xf32>' are incompatible with return type(s) of operation 'tensor<?x7x4xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.concat %a, %b axis 1
      : (tensor<?x3x4xf32>, tensor<?x5x4xf32>) -> tensor<?x7x4xf32>
  return
}

// -----

func.func @flatten(%x: tensor<?x8x4x4xf32>) {
  // expected-error @+2 {{'net.flatten' op inferred type(s) 'tensor<?x128xf32>' are incompatible with return type(s) of operation 'tensor<?x64xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = net.flatten %x : tensor<?x8x4x4xf32> -> tensor<?x64xf32>
  return
}

// -----

func.func @unary(%x: tensor<?x8xf32>) {
  // expected-error @+1 {{'net.relu' op requires the same type for all operands and results}}
  %y = "net.relu"(%x) : (tensor<?x8xf32>) -> tensor<?x4xf32>
  return
}
