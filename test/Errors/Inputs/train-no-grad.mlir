module {
  func.func @forward(%x: tensor<?x4xf32> {net.name = "x"}, %t: tensor<?x4xf32> {net.name = "t"}) -> (tensor<?x4xf32> {net.name = "y"}) {
    %q = net.qdq %x scale 0.5 zero_point 0 : tensor<?x4xf32>
    return %q : tensor<?x4xf32>
  }
  func.func @loss(%x: tensor<?x4xf32> {net.name = "x"}, %t: tensor<?x4xf32> {net.name = "t"}) -> (tensor<f32> {net.name = "l"}) {
    %q = net.qdq %x scale 0.5 zero_point 0 : tensor<?x4xf32>
    %l = net.mse %q, %t reduction "mean" : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<f32>
    return %l : tensor<f32>
  }
}
