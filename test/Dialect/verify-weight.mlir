// net.weight needs a non-empty name, a static shape and, when it carries
// a value, one of its shape in f32.
// RUN: net-opt %s -split-input-file -verify-diagnostics

func.func @no_name() {
  // expected-error @+1 {{'net.weight' op needs a non-empty parameter name}}
  %w = net.weight "" : tensor<6x4xf32>
  return
}

// -----

func.func @dynamic_shape() {
  // expected-error @+1 {{'net.weight' op parameter 'fc.weight' needs a static shape}}
  %w = net.weight "fc.weight" : tensor<?x4xf32>
  return
}

// -----

func.func @value_of_another_shape() {
  // expected-error @+1 {{'net.weight' op value of parameter 'fc.weight' must be f32 of the parameter's shape}}
  %w = net.weight "fc.weight" value = dense<1.0> : tensor<4x6xf32> : tensor<6x4xf32>
  return
}

// -----

func.func @value_not_f32() {
  // expected-error @+1 {{'net.weight' op value of parameter 'fc.bias' must be f32 of the parameter's shape}}
  %w = net.weight "fc.bias" value = dense<1> : tensor<4xi32> : tensor<4xf32>
  return
}
