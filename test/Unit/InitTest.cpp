//===- InitTest.cpp - Tests of the deterministic initialisation -----------===//

#include "weights/Init.h"

#include "gtest/gtest.h"

#include <cmath>

using namespace netc;

namespace {

TEST(InitTest, Fnv1a64) {
  // Reference vectors of the FNV-1a 64-bit hash.
  EXPECT_EQ(fnv1a64(""), 0xcbf29ce484222325ull);
  EXPECT_EQ(fnv1a64("a"), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(fnv1a64("foobar"), 0x85944171f73967e8ull);
}

TEST(InitTest, SameValuesOnAnyNumberOfThreads) {
  // Each thread starts the generator where a sequential pass would be, so
  // the values do not depend on how many draw them (odd size: a last
  // unpaired value).
  std::vector<int64_t> shape = {3001, 3};
  auto one = initParameter("fc.weight", shape, ParamInit::HeNormal, 7, 1);
  for (unsigned t : {2u, 3u, 8u})
    EXPECT_EQ(one, initParameter("fc.weight", shape, ParamInit::HeNormal, 7, t))
        << t << " threads";
}

TEST(InitTest, Deterministic) {
  auto a = initParameter("conv1.weight", {6, 3, 5, 5}, ParamInit::HeNormal, 0);
  // Drawing other parameters in between changes nothing.
  initParameter("conv2.weight", {16, 6, 5, 5}, ParamInit::HeNormal, 0);
  auto b = initParameter("conv1.weight", {6, 3, 5, 5}, ParamInit::HeNormal, 0);
  ASSERT_EQ(a.size(), 6u * 3 * 5 * 5);
  EXPECT_EQ(a, b);

  auto otherName =
      initParameter("conv2.weight", {6, 3, 5, 5}, ParamInit::HeNormal, 0);
  auto otherSeed =
      initParameter("conv1.weight", {6, 3, 5, 5}, ParamInit::HeNormal, 1);
  EXPECT_NE(a, otherName);
  EXPECT_NE(a, otherSeed);
  size_t same = 0;
  for (size_t i = 0; i < a.size(); ++i)
    same += a[i] == otherName[i];
  EXPECT_LT(same, 3u);
}

TEST(InitTest, GoldenValues) {
  // Pins the generator: these must never change (and must be the same on
  // every machine), or saved expectations and models silently drift.
  auto v = initParameter("conv1.weight", {2, 1, 1, 2}, ParamInit::HeNormal, 0);
  ASSERT_EQ(v.size(), 4u);
  const float golden[4] = {-0.0334850065f, -1.10115516f, -0.238009855f,
                           -2.73764324f};
  for (int i = 0; i < 4; ++i)
    EXPECT_FLOAT_EQ(v[i], golden[i]) << i;
}

TEST(InitTest, HeNormalStatistics) {
  // fan_in = 64 * 3 * 3 = 576.
  auto v = initParameter("layer4.1.conv2.weight", {256, 64, 3, 3},
                         ParamInit::HeNormal, 7);
  ASSERT_EQ(v.size(), 256u * 64 * 3 * 3);
  double n = double(v.size()), sum = 0, sq = 0, within1 = 0;
  double want = std::sqrt(2.0 / 576.0);
  for (float x : v) {
    ASSERT_TRUE(std::isfinite(x));
    sum += x;
    sq += double(x) * x;
    within1 += std::fabs(x) < want;
  }
  double mean = sum / n;
  double sd = std::sqrt(sq / n - mean * mean);
  EXPECT_NEAR(mean, 0.0, 4 * want / std::sqrt(n));
  EXPECT_NEAR(sd / want, 1.0, 0.01);
  EXPECT_NEAR(within1 / n, 0.6827, 0.005); // normal, not uniform
}

TEST(InitTest, FanInOfLinearWeight) {
  auto v = initParameter("fc.weight", {1000, 2048}, ParamInit::HeNormal, 0);
  double sq = 0;
  for (float x : v)
    sq += double(x) * x;
  EXPECT_NEAR(std::sqrt(sq / v.size()) / std::sqrt(2.0 / 2048), 1.0, 0.01);
}

TEST(InitTest, OddSizesAndSmallRanks) {
  auto odd = initParameter("w", {3, 1}, ParamInit::HeNormal, 0);
  ASSERT_EQ(odd.size(), 3u);
  for (float x : odd)
    EXPECT_TRUE(std::isfinite(x) && x != 0.0f);
  // Rank 1 and rank 0: fan_in 1.
  EXPECT_EQ(initParameter("v", {5}, ParamInit::HeNormal, 0).size(), 5u);
  EXPECT_EQ(initParameter("s", {}, ParamInit::HeNormal, 0).size(), 1u);
  EXPECT_TRUE(initParameter("e", {0, 4}, ParamInit::HeNormal, 0).empty());
}

TEST(InitTest, ZerosAndOnes) {
  auto z = initParameter("bn1.running_mean", {64}, ParamInit::Zeros, 3);
  auto o = initParameter("bn1.running_var", {64}, ParamInit::Ones, 3);
  ASSERT_EQ(z.size(), 64u);
  ASSERT_EQ(o.size(), 64u);
  for (float x : z)
    EXPECT_EQ(x, 0.0f);
  for (float x : o)
    EXPECT_EQ(x, 1.0f);
  EXPECT_EQ(initParameter("fc.bias", {10, 2}, ParamInit::Zeros, 0),
            std::vector<float>(20, 0.0f));
}

} // namespace
