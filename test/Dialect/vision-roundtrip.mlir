// The vision ops round-trip: net.gram and net.correlation with their
// inferred result types, and the loss terms net.bce, net.triplet,
// net.contrastive (f32 or i32 `same`), net.content_cost, net.style_cost and
// net.epe with margin and reduction; each loss yields a 0-d f32 tensor.
// RUN: net-opt %s | net-opt | FileCheck %s
// RUN: net-opt %s --mlir-print-op-generic | net-opt | FileCheck %s

// CHECK-LABEL: func.func @gram
func.func @gram(%x: tensor<?x8x5x7xf32>, %y: tensor<2x3x9xf32>,
                %z: tensor<?x2x3x4x5xf32>)
    -> (tensor<?x8x8xf32>, tensor<2x3x3xf32>, tensor<?x2x2xf32>) {
  // CHECK: net.gram %{{.*}} : tensor<?x8x5x7xf32> -> tensor<?x8x8xf32>
  %g = net.gram %x : tensor<?x8x5x7xf32> -> tensor<?x8x8xf32>
  // CHECK: net.gram %{{.*}} : tensor<2x3x9xf32> -> tensor<2x3x3xf32>
  %h = net.gram %y : tensor<2x3x9xf32> -> tensor<2x3x3xf32>
  // CHECK: net.gram %{{.*}} : tensor<?x2x3x4x5xf32> -> tensor<?x2x2xf32>
  %k = net.gram %z : tensor<?x2x3x4x5xf32> -> tensor<?x2x2xf32>
  return %g, %h, %k : tensor<?x8x8xf32>, tensor<2x3x3xf32>, tensor<?x2x2xf32>
}

// CHECK-LABEL: func.func @correlation
func.func @correlation(%a: tensor<?x8x9x9xf32>, %b: tensor<?x8x9x9xf32>)
    -> (tensor<?x81x9x9xf32>, tensor<?x25x9x9xf32>, tensor<?x1x9x9xf32>) {
  // CHECK: net.correlation %{{.*}}, %{{.*}} max_disp 4 stride 1 : tensor<?x8x9x9xf32>, tensor<?x8x9x9xf32> -> tensor<?x81x9x9xf32>
  %c = net.correlation %a, %b max_disp 4 stride 1
      : tensor<?x8x9x9xf32>, tensor<?x8x9x9xf32> -> tensor<?x81x9x9xf32>
  // CHECK: net.correlation %{{.*}}, %{{.*}} max_disp 4 stride 2 : tensor<?x8x9x9xf32>, tensor<?x8x9x9xf32> -> tensor<?x25x9x9xf32>
  %d = net.correlation %a, %b max_disp 4 stride 2
      : tensor<?x8x9x9xf32>, tensor<?x8x9x9xf32> -> tensor<?x25x9x9xf32>
  // CHECK: net.correlation %{{.*}}, %{{.*}} max_disp 0 stride 3 : tensor<?x8x9x9xf32>, tensor<?x8x9x9xf32> -> tensor<?x1x9x9xf32>
  %e = net.correlation %a, %a max_disp 0 stride 3
      : tensor<?x8x9x9xf32>, tensor<?x8x9x9xf32> -> tensor<?x1x9x9xf32>
  return %c, %d, %e
      : tensor<?x81x9x9xf32>, tensor<?x25x9x9xf32>, tensor<?x1x9x9xf32>
}

// CHECK-LABEL: func.func @losses
func.func @losses(%x: tensor<?x1xf32>, %t: tensor<?x1xf32>,
                  %a: tensor<?x16xf32>, %p: tensor<?x16xf32>,
                  %n: tensor<?x16xf32>, %si: tensor<?xi32>,
                  %sf: tensor<?xf32>, %c: tensor<?x8x5x5xf32>,
                  %g: tensor<?x8x5x5xf32>, %fl: tensor<?x2x4x6xf32>,
                  %gt: tensor<?x2x4x6xf32>)
    -> (tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>,
        tensor<f32>, tensor<f32>) {
  // CHECK: net.bce %{{.*}}, %{{.*}} reduction "mean" : tensor<?x1xf32>, tensor<?x1xf32> -> tensor<f32>
  %0 = net.bce %x, %t reduction "mean"
      : tensor<?x1xf32>, tensor<?x1xf32> -> tensor<f32>
  // CHECK: net.triplet %{{.*}}, %{{.*}}, %{{.*}} margin 2.000000e-01 reduction "sum" : tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32> -> tensor<f32>
  %1 = net.triplet %a, %p, %n margin 0.2 reduction "sum"
      : tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32> -> tensor<f32>
  // CHECK: net.contrastive %{{.*}}, %{{.*}}, %{{.*}} margin 1.000000e+00 reduction "mean" : tensor<?x16xf32>, tensor<?x16xf32>, tensor<?xi32> -> tensor<f32>
  %2 = net.contrastive %a, %p, %si margin 1.0 reduction "mean"
      : tensor<?x16xf32>, tensor<?x16xf32>, tensor<?xi32> -> tensor<f32>
  // CHECK: net.contrastive %{{.*}}, %{{.*}}, %{{.*}} margin 2.500000e+00 reduction "sum" : tensor<?x16xf32>, tensor<?x16xf32>, tensor<?xf32> -> tensor<f32>
  %3 = net.contrastive %a, %p, %sf margin 2.5 reduction "sum"
      : tensor<?x16xf32>, tensor<?x16xf32>, tensor<?xf32> -> tensor<f32>
  // CHECK: net.content_cost %{{.*}}, %{{.*}} reduction "mean" : tensor<?x8x5x5xf32>, tensor<?x8x5x5xf32> -> tensor<f32>
  %4 = net.content_cost %c, %g reduction "mean"
      : tensor<?x8x5x5xf32>, tensor<?x8x5x5xf32> -> tensor<f32>
  // CHECK: net.style_cost %{{.*}}, %{{.*}} reduction "sum" : tensor<?x8x5x5xf32>, tensor<?x8x5x5xf32> -> tensor<f32>
  %5 = net.style_cost %c, %g reduction "sum"
      : tensor<?x8x5x5xf32>, tensor<?x8x5x5xf32> -> tensor<f32>
  // CHECK: net.epe %{{.*}}, %{{.*}} reduction "mean" : tensor<?x2x4x6xf32>, tensor<?x2x4x6xf32> -> tensor<f32>
  %6 = net.epe %fl, %gt reduction "mean"
      : tensor<?x2x4x6xf32>, tensor<?x2x4x6xf32> -> tensor<f32>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<f32>, tensor<f32>, tensor<f32>,
      tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>
}
