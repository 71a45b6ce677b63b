// net.weight needs a non-empty name and a static shape.
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
