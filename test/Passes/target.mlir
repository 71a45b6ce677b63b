// The -O2 passes ask the module's target (net.target, a
// TargetAttrInterface) instead of holding a cost model: the same IR gets
// 16-lane tiles under an AVX-512 #net.x86 and 8-lane ones under an AVX2
// one, whatever the pass options say (they describe the target only when
// the module names none). A 12-channel map is stored channels innermost
// for 8 lanes but not for 16.
// RUN: sed -e 's/TARGET/#net.x86<vector_width = 16, registers = 32, l2 = 2097152>/' %s | net-opt --net-layout --net-tile="vector-width=8 registers=16" | FileCheck %s --check-prefix=AVX512
// RUN: sed -e 's/TARGET/#net.x86<vector_width = 8, registers = 16, l2 = 1048576>/' %s | net-opt --net-layout --net-tile="vector-width=16 registers=32" | FileCheck %s --check-prefix=AVX2
// AVX512: module attributes {net.target = #net.x86<vector_width = 16, registers = 32, l2 = 2097152>}
// AVX512-LABEL: func.func @convs
// AVX512: net.conv {{.*}}net.layout = #net.layout<nhwc>, net.tile = #net.tile<algo = winograd4, vec = 16, oc = 64, ow = 4, order = tile_blocks>
// AVX512: net.conv {{%[0-9]+}}, {{%[0-9]+}} stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 : ({{.*}}) -> tensor<?x12x28x28xf32>
// AVX2: module attributes {net.target = #net.x86<vector_width = 8, registers = 16, l2 = 1048576>}
// AVX2-LABEL: func.func @convs
// AVX2: net.conv {{.*}}net.layout = #net.layout<nhwc>, net.tile = #net.tile<algo = winograd4, vec = 8, oc = 24, ow = 4, order = tile_blocks>
// AVX2: net.conv {{.*}}net.layout = #net.layout<nhwc>, net.tile = #net.tile<algo = direct, vec = 8,
// AVX2-SAME: -> tensor<?x12x28x28xf32>
module attributes {net.target = TARGET} {
  func.func @convs(%x: tensor<?x64x28x28xf32>) -> tensor<?x12x28x28xf32> {
    %w = net.weight "a.weight" : tensor<64x64x3x3xf32>
    %y = net.conv %x, %w stride [1, 1] pad [1, 1] dilation [1, 1] groups 1 : (tensor<?x64x28x28xf32>, tensor<64x64x3x3xf32>) -> tensor<?x64x28x28xf32>
    %w2 = net.weight "b.weight" : tensor<12x64x1x1xf32>
    %z = net.conv %y, %w2 stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 : (tensor<?x64x28x28xf32>, tensor<12x64x1x1xf32>) -> tensor<?x12x28x28xf32>
    return %z : tensor<?x12x28x28xf32>
  }
}
