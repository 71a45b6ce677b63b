// net-calibrate: @forward runs on the calibration batch in the reference
// evaluator and each conv/fc gets the range of its input. x = [-1, 0.5, 2,
// 4]: the first conv sees [-1, 4], the second relu(2x) = [0, 1, 4, 8];
// percentile:75 gives numpy's linearly interpolated 75th (2.5) and 25th
// (0.125) percentiles; a conv with a frozen weight (a constant of the
// source) stays f32: no range. Bad files and methods are errors naming them.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -c "import numpy as np; np.save('%t/x.npy', np.array([-1, 0.5, 2, 4], np.float32).reshape(1, 1, 2, 2)); np.save('%t/i.npy', np.zeros((1, 1, 2, 2), np.int32)); np.save('%t/s.npy', np.zeros((1, 2, 2, 2), np.float32))"
// RUN: net-opt %s --net-calibrate="calibration=%t/x.npy" | FileCheck %s --check-prefix=MINMAX
// RUN: net-opt %s --net-calibrate="calibration=x=%t/x.npy method=percentile:75" | FileCheck %s --check-prefix=PCT
// RUN: net-opt %s --net-calibrate="calibration=%t/x.npy method=entropy" | FileCheck %s --check-prefix=ENTROPY
// RUN: not net-opt %s --net-calibrate="calibration=%t/i.npy" 2>&1 | FileCheck %s --check-prefix=DTYPE
// RUN: not net-opt %s --net-calibrate="calibration=%t/s.npy" 2>&1 | FileCheck %s --check-prefix=SHAPE
// RUN: not net-opt %s --net-calibrate="calibration=y=%t/x.npy" 2>&1 | FileCheck %s --check-prefix=NAME
// RUN: not net-opt %s --net-calibrate="calibration=%t/x.npy method=median" 2>&1 | FileCheck %s --check-prefix=METHOD
// RUN: not net-opt %s --net-calibrate="calibration=%t/none.npy" 2>&1 | FileCheck %s --check-prefix=MISSING

// MINMAX: net.conv %arg0, {{.*}}net.input_range = #net.range<min = -1.000000e+00 : f32, max = 4.000000e+00 : f32>
// MINMAX: net.conv {{.*}}net.input_range = #net.range<min = 0.000000e+00 : f32, max = 8.000000e+00 : f32>
// MINMAX-NOT: net.input_range
// PCT: net.conv %arg0, {{.*}}net.input_range = #net.range<min = 1.250000e-01 : f32, max = 2.500000e+00 : f32>
// ENTROPY: net.conv %arg0, {{.*}}net.input_range = #net.range<min = {{.*}} : f32, max = {{.*}} : f32>
// DTYPE: error: net-calibrate: calibration file '{{.*}}i.npy' holds i32[1, 1, 2, 2], but input 'x' is f32[N, 1, 2, 2]
// SHAPE: error: net-calibrate: calibration file '{{.*}}s.npy' holds f32[1, 2, 2, 2], but input 'x' is f32[N, 1, 2, 2]
// NAME: error: net-calibrate: 'y' is not an f32 input of the model
// METHOD: error: net-calibrate: unknown method 'median'
// MISSING: error: net-calibrate: calibration file: {{.*}}none.npy

func.func @forward(%x: tensor<?x1x2x2xf32> {net.name = "x"}) -> (tensor<?x1x2x2xf32> {net.name = "y"}) {
  %w = net.weight "a.weight" value = dense<2.0> : tensor<1x1x1x1xf32> : tensor<1x1x1x1xf32>
  %a = net.conv %x, %w stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 : (tensor<?x1x2x2xf32>, tensor<1x1x1x1xf32>) -> tensor<?x1x2x2xf32>
  %r = net.relu %a : tensor<?x1x2x2xf32>
  %w2 = net.weight "b.weight" value = dense<1.0> : tensor<1x1x1x1xf32> : tensor<1x1x1x1xf32>
  %b = net.conv %r, %w2 stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 : (tensor<?x1x2x2xf32>, tensor<1x1x1x1xf32>) -> tensor<?x1x2x2xf32>
  %w3 = net.weight "s.weight" frozen value = dense<1.0> : tensor<1x1x1x1xf32> : tensor<1x1x1x1xf32>
  %c = net.conv %b, %w3 stride [1, 1] pad [0, 0] dilation [1, 1] groups 1 : (tensor<?x1x2x2xf32>, tensor<1x1x1x1xf32>) -> tensor<?x1x2x2xf32>
  return %c : tensor<?x1x2x2xf32>
}
