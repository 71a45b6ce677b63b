//===- LoaderTest.cpp - Tests of libnetrt on hand-written models ----------===//
//
// The fixtures are built from DoubleModelFixture.c: y = 2 * x for
// x: f32[N, 3], plus a loss and a backward entry point.
//
//===----------------------------------------------------------------------===//

#include "netrt.h"

#include <gtest/gtest.h>

#include <cmath>
#include <dlfcn.h>
#include <string>
#include <thread>
#include <vector>

namespace {

netrt_tensor tensor(void *data, netrt_dtype dtype, std::vector<int64_t> shape) {
  netrt_tensor t{};
  t.data = data;
  t.dtype = dtype;
  t.rank = int32_t(shape.size());
  for (size_t i = 0; i < shape.size(); ++i)
    t.shape[i] = shape[i];
  return t;
}

class Loader : public ::testing::Test {
protected:
  void SetUp() override {
    h = netrt_open(FIXTURE_DOUBLE, err, sizeof err);
    ASSERT_NE(h, nullptr) << err;
  }
  void TearDown() override { netrt_close(h); }

  /// Runs `which` and returns its status; the message goes to `err`.
  int run(const char *which, std::vector<netrt_tensor> inputs,
          std::vector<netrt_tensor> outputs) {
    return netrt_run(h, which, inputs.data(), int32_t(inputs.size()),
                     outputs.data(), err, sizeof err);
  }

  netrt_handle *h = nullptr;
  char err[1024] = "";
  // Two batch items.
  std::vector<float> x = {1, 2, 3, 4, 5, 6};
  std::vector<int32_t> label = {1, 0};
  std::vector<float> y = std::vector<float>(6, -1);
};

} // namespace

TEST(LoaderOpen, Errors) {
  char err[1024];
  EXPECT_EQ(netrt_open("/no/such/libmodel.so", err, sizeof err), nullptr);
  EXPECT_STREQ(err, "cannot open model '/no/such/libmodel.so': No such file or "
                    "directory");

  EXPECT_EQ(netrt_open(FIXTURE_BADABI, err, sizeof err), nullptr);
  EXPECT_NE(std::string(err).find("built for netrt ABI version 99, this "
                                  "runtime supports version 1"),
            std::string::npos)
      << err;

  EXPECT_EQ(netrt_open(FIXTURE_NOMODEL, err, sizeof err), nullptr);
  EXPECT_NE(std::string(err).find("is not a netc model"), std::string::npos)
      << err;

  // Not a shared library at all (this test's own source is close at hand).
  EXPECT_EQ(netrt_open(__FILE__, err, sizeof err), nullptr);
  EXPECT_NE(std::string(err).find("cannot load model"), std::string::npos)
      << err;

  // A tiny error buffer is filled, not overrun; none at all is fine too.
  char tiny[8];
  EXPECT_EQ(netrt_open("/no/such/lib.so", tiny, sizeof tiny), nullptr);
  EXPECT_EQ(std::string(tiny), "cannot ");
  EXPECT_EQ(netrt_open("/no/such/lib.so", nullptr, 0), nullptr);
}

TEST_F(Loader, Descriptor) {
  const netrt_model_info *info = netrt_info(h);
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->abi_version, NETRT_ABI_VERSION);
  EXPECT_STREQ(info->name, "double");
  ASSERT_EQ(info->num_inputs, 2);
  EXPECT_STREQ(info->inputs[0].name, "x");
  EXPECT_EQ(info->inputs[0].shape[0], -1);
  EXPECT_EQ(netrt_has_entry(h, "forward"), 1);
  EXPECT_EQ(netrt_has_entry(h, "loss"), 1);
  EXPECT_EQ(netrt_has_entry(h, "backward"), 1);
  EXPECT_EQ(netrt_has_entry(h, "sideways"), 0);

  int32_t count = -1;
  const netrt_tensor_info *grads = netrt_results(h, "backward", &count);
  ASSERT_EQ(count, 1);
  EXPECT_STREQ(grads[0].name, "x");
  EXPECT_EQ(netrt_results(h, "sideways", &count), nullptr);
  EXPECT_EQ(count, 0);

  // label is read by the loss only.
  EXPECT_EQ(netrt_input_used(h, "forward", 0), 1);
  EXPECT_EQ(netrt_input_used(h, "forward", 1), 0);
  EXPECT_EQ(netrt_input_used(h, "loss", 1), 1);
}

TEST_F(Loader, FormatType) {
  const netrt_model_info *info = netrt_info(h);
  char buf[64];
  netrt_format_type(&info->inputs[0], 4, buf, sizeof buf);
  EXPECT_STREQ(buf, "f32[N, 3] (N = 4)");
  netrt_format_type(&info->inputs[0], -1, buf, sizeof buf);
  EXPECT_STREQ(buf, "f32[N, 3]");
  netrt_tensor t = tensor(nullptr, NETRT_F32, {2, 3, 4});
  EXPECT_EQ(netrt_numel(&t), 24);
  t.rank = 0;
  EXPECT_EQ(netrt_numel(&t), 1);
}

TEST_F(Loader, ForwardDoubles) {
  netrt_tensor in[2] = {tensor(x.data(), NETRT_F32, {2, 3}),
                        tensor(nullptr, NETRT_I32, {})};
  netrt_tensor out{};
  ASSERT_EQ(netrt_output_shapes(h, "forward", in, &out), 0);
  EXPECT_EQ(out.rank, 2);
  EXPECT_EQ(out.shape[0], 2);
  EXPECT_EQ(out.shape[1], 3);
  out.data = y.data();
  // No label: forward does not read it.
  ASSERT_EQ(run("forward", {in[0], in[1]}, {out}), 0) << err;
  EXPECT_EQ(y, (std::vector<float>{2, 4, 6, 8, 10, 12}));
}

TEST_F(Loader, ShapeErrorsNameTheExpectedShape) {
  netrt_tensor lab = tensor(label.data(), NETRT_I32, {2});
  netrt_tensor out = tensor(y.data(), NETRT_F32, {2, 3});
  auto check = [&](netrt_tensor xin, netrt_tensor lin) {
    netrt_tensor in[2] = {xin, lin};
    int rc = netrt_check_inputs(h, in, 2, err, sizeof err);
    EXPECT_NE(run("forward", {xin, lin}, {out}), 0);
    return rc != 0 ? std::string(err) : std::string("ok");
  };
  EXPECT_EQ(check(tensor(x.data(), NETRT_F32, {3, 2}), lab),
            "input 'x': expected f32[N, 3] (N = 3), got f32[3, 2]");
  EXPECT_EQ(check(tensor(x.data(), NETRT_I32, {2, 3}), lab),
            "input 'x': expected f32[N, 3] (N = 2), got i32[2, 3]");
  EXPECT_EQ(check(tensor(x.data(), NETRT_F32, {6}), lab),
            "input 'x': expected f32[N, 3] (N = 2), got f32[6]");
  EXPECT_EQ(check(tensor(x.data(), NETRT_F32, {2, 3}),
                  tensor(label.data(), NETRT_I32, {1})),
            "input 'label': expected i32[N] (N = 2), got i32[1]");
  EXPECT_EQ(check(tensor(nullptr, NETRT_F32, {}), lab),
            "missing input 'x': expected f32[N, 3] (N = 2)");
  EXPECT_EQ(check(tensor(x.data(), NETRT_F32, {0, 3}), lab),
            "the batch N must be at least 1, got 0");

  netrt_tensor in[2] = {tensor(x.data(), NETRT_F32, {2, 3}), lab};
  EXPECT_NE(netrt_check_inputs(h, in, 1, err, sizeof err), 0);
  EXPECT_STREQ(err, "model 'double' takes 2 inputs, got 1");
  // Outputs with the wrong shape are refused too.
  EXPECT_NE(run("forward", {in[0], in[1]}, {tensor(y.data(), NETRT_F32, {2})}),
            0);
  EXPECT_STREQ(err, "output 'y': expected f32[N, 3] (N = 2), got f32[2]");
  EXPECT_NE(run("sideways", {in[0], in[1]}, {out}), 0);
  EXPECT_NE(std::string(err).find("unknown entry point 'sideways'"),
            std::string::npos);
}

TEST_F(Loader, ModelErrorsAreReported) {
  x[4] = NAN;
  ASSERT_NE(run("forward",
                {tensor(x.data(), NETRT_F32, {2, 3}),
                 tensor(label.data(), NETRT_I32, {2})},
                {tensor(y.data(), NETRT_F32, {2, 3})}),
            0);
  EXPECT_STREQ(err, "model 'double' failed in forward: x contains NaN");
}

TEST_F(Loader, LossAndBackward) {
  netrt_tensor xin = tensor(x.data(), NETRT_F32, {2, 3});
  float total = 0;
  EXPECT_NE(run("loss", {xin, tensor(nullptr, NETRT_I32, {})},
                {tensor(&total, NETRT_F32, {})}),
            0);
  EXPECT_STREQ(err, "missing input 'label': expected i32[N] (N = 2)");
  ASSERT_EQ(run("loss", {xin, tensor(label.data(), NETRT_I32, {2})},
                {tensor(&total, NETRT_F32, {})}),
            0)
      << err;
  EXPECT_EQ(total, 2 * 21 + 1);

  std::vector<float> dx(6);
  ASSERT_EQ(run("backward", {xin, tensor(label.data(), NETRT_I32, {2})},
                {tensor(dx.data(), NETRT_F32, {2, 3})}),
            0)
      << err;
  EXPECT_EQ(dx, std::vector<float>(6, 2));
}

TEST_F(Loader, ThreadsAndConcurrentRuns) {
  netrt_set_num_threads(h, 3);
  void *dl = dlopen(FIXTURE_DOUBLE, RTLD_NOW | RTLD_NOLOAD);
  ASSERT_NE(dl, nullptr);
  auto threads = reinterpret_cast<int (*)()>(dlsym(dl, "fixture_num_threads"));
  ASSERT_NE(threads, nullptr);
  EXPECT_EQ(threads(), 3);
  dlclose(dl);

  std::vector<std::thread> pool;
  std::vector<int> ok(4, 0);
  for (int t = 0; t < 4; ++t)
    pool.emplace_back([&, t] {
      std::vector<float> xs(300, float(t)), ys(300);
      netrt_tensor in[2] = {tensor(xs.data(), NETRT_F32, {100, 3}),
                            tensor(nullptr, NETRT_I32, {})};
      netrt_tensor out = tensor(ys.data(), NETRT_F32, {100, 3});
      char msg[256];
      for (int i = 0; i < 50; ++i)
        if (netrt_run(h, "forward", in, 2, &out, msg, sizeof msg) != 0 ||
            ys[299] != 2.0f * float(t))
          return;
      ok[t] = 1;
    });
  for (auto &t : pool)
    t.join();
  EXPECT_EQ(ok, std::vector<int>(4, 1));
}

TEST(LoaderNoTrain, MissingEntryPoints) {
  char err[1024];
  netrt_handle *h = netrt_open(FIXTURE_NOTRAIN, err, sizeof err);
  ASSERT_NE(h, nullptr) << err;
  EXPECT_EQ(netrt_has_entry(h, "loss"), 0);
  EXPECT_EQ(netrt_has_entry(h, "backward"), 0);
  int32_t count = 5;
  EXPECT_EQ(netrt_results(h, "backward", &count), nullptr);
  EXPECT_EQ(count, 0);
  std::vector<float> x(3, 1.0f);
  float total;
  netrt_tensor in[2] = {tensor(x.data(), NETRT_F32, {1, 3}),
                        tensor(nullptr, NETRT_I32, {})};
  netrt_tensor out = tensor(&total, NETRT_F32, {});
  EXPECT_NE(netrt_run(h, "backward", in, 2, &out, err, sizeof err), 0);
  EXPECT_STREQ(err, "model 'double' has no backward entry point (it was not "
                    "compiled with --train)");
  netrt_close(h);
}
