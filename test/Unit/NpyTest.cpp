//===- NpyTest.cpp - Tests of the .npy reader and writer ------------------===//

#include "netrt/Npy.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

using namespace netrt;

namespace {

/// Builds a .npy file by hand: version major.0, the given header dict
/// (padded to 64 bytes like numpy does), then `data`.
std::string makeNpy(int major, const std::string &dict,
                    const std::string &data) {
  size_t lenBytes = major == 1 ? 2 : 4;
  std::string header = dict;
  size_t total = 6 + 2 + lenBytes + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string out = "\x93NUMPY";
  out += char(major);
  out += char(0);
  for (size_t i = 0; i < lenBytes; ++i)
    out += char((header.size() >> (8 * i)) & 0xff);
  return out + header + data;
}

template <typename T> std::string bytesOf(const std::vector<T> &v) {
  return std::string(reinterpret_cast<const char *>(v.data()),
                     v.size() * sizeof(T));
}

bool parse(const std::string &bytes, NpyArray &out, std::string &err) {
  return parseNpy(bytes.data(), bytes.size(), "t.npy", out, err);
}

/// Expects parsing to fail with a message naming the file and containing
/// `what`.
void expectError(const std::string &bytes, const std::string &what) {
  NpyArray a;
  std::string err;
  EXPECT_FALSE(parse(bytes, a, err));
  EXPECT_EQ(err.rfind("t.npy: ", 0), 0u) << err;
  EXPECT_NE(err.find(what), std::string::npos) << err;
}

class NpyFiles : public ::testing::Test {
protected:
  void SetUp() override {
    char tmpl[] = "/tmp/npytest.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir = tmpl;
  }
  void TearDown() override {
    std::string cmd = "rm -rf '" + dir + "'";
    (void)!system(cmd.c_str());
  }
  std::string dir;
};

} // namespace

TEST(Npy, FormatType) {
  EXPECT_EQ(formatType(NETRT_F32, {4, 10}), "f32[4, 10]");
  EXPECT_EQ(formatType(NETRT_I32, {}), "i32[]");
}

TEST(Npy, EncodeHeaderLikeNumpy) {
  std::vector<float> v = {1, 2, 3, 4};
  int64_t shape[] = {4};
  std::string bytes = encodeNpy(NETRT_F32, shape, 1, v.data());
  ASSERT_GE(bytes.size(), 10u);
  EXPECT_EQ(bytes.substr(0, 6), "\x93NUMPY");
  EXPECT_EQ(bytes[6], 1);
  EXPECT_EQ(bytes[7], 0);
  size_t headerLen = uint8_t(bytes[8]) | uint8_t(bytes[9]) << 8;
  EXPECT_EQ((10 + headerLen) % 64, 0u);
  std::string header = bytes.substr(10, headerLen);
  EXPECT_EQ(header.back(), '\n');
  EXPECT_EQ(header.rfind("{'descr': '<f4', 'fortran_order': False, "
                         "'shape': (4,), }",
                         0),
            0u)
      << header;
  EXPECT_EQ(bytes.size(), 10 + headerLen + 16);
}

TEST(Npy, RoundTripF32) {
  std::vector<float> v = {1.5f, -2, 3, 4, 5, 6};
  int64_t shape[] = {2, 3};
  std::string bytes = encodeNpy(NETRT_F32, shape, 2, v.data());
  NpyArray a;
  std::string err;
  ASSERT_TRUE(parse(bytes, a, err)) << err;
  EXPECT_EQ(a.dtype, NETRT_F32);
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 3}));
  ASSERT_EQ(a.numel(), 6);
  EXPECT_EQ(std::vector<float>(a.f32(), a.f32() + 6), v);
}

TEST(Npy, RoundTripI32Scalar) {
  int32_t v = -7;
  std::string bytes = encodeNpy(NETRT_I32, nullptr, 0, &v);
  EXPECT_NE(bytes.find("'shape': ()"), std::string::npos);
  NpyArray a;
  std::string err;
  ASSERT_TRUE(parse(bytes, a, err)) << err;
  EXPECT_EQ(a.dtype, NETRT_I32);
  EXPECT_TRUE(a.shape.empty());
  ASSERT_EQ(a.numel(), 1);
  EXPECT_EQ(a.i32()[0], -7);
}

TEST(Npy, RoundTripEmpty) {
  int64_t shape[] = {0, 3};
  std::string bytes = encodeNpy(NETRT_F32, shape, 2, nullptr);
  NpyArray a;
  std::string err;
  ASSERT_TRUE(parse(bytes, a, err)) << err;
  EXPECT_EQ(a.shape, (std::vector<int64_t>{0, 3}));
  EXPECT_EQ(a.numel(), 0);
}

TEST_F(NpyFiles, WriteThenRead) {
  NpyArray a;
  a.dtype = NETRT_I32;
  a.shape = {2, 2, 2};
  a.data.resize(8 * 4);
  for (int i = 0; i < 8; ++i)
    a.i32()[i] = i * 100;
  std::string path = dir + "/a.npy", err;
  ASSERT_TRUE(writeNpy(path, a, err)) << err;
  NpyArray b;
  ASSERT_TRUE(readNpy(path, b, err)) << err;
  EXPECT_EQ(b.dtype, a.dtype);
  EXPECT_EQ(b.shape, a.shape);
  EXPECT_EQ(b.data, a.data);
}

TEST_F(NpyFiles, ReadErrorsNameTheFile) {
  NpyArray a;
  std::string err;
  EXPECT_FALSE(readNpy(dir + "/missing.npy", a, err));
  EXPECT_NE(err.find(dir + "/missing.npy"), std::string::npos) << err;
  EXPECT_NE(err.find("No such file"), std::string::npos) << err;

  EXPECT_FALSE(readNpy(dir, a, err));
  EXPECT_NE(err.find("not a regular file"), std::string::npos) << err;

  std::string bad = dir + "/bad.npy";
  std::ofstream(bad) << "hello";
  EXPECT_FALSE(readNpy(bad, a, err));
  EXPECT_EQ(err, bad + ": not a .npy file (bad magic)");
}

TEST_F(NpyFiles, WriteIntoMissingDirectoryFails) {
  float v = 1;
  std::string err;
  EXPECT_FALSE(
      writeNpy(dir + "/no/such/dir/a.npy", NETRT_F32, nullptr, 0, &v, err));
  EXPECT_NE(err.find("a.npy"), std::string::npos) << err;
}

TEST(Npy, ReadsVersion2And3) {
  std::vector<float> v = {1, 2, 3};
  for (int major : {2, 3}) {
    std::string bytes = makeNpy(
        major, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }",
        bytesOf(v));
    NpyArray a;
    std::string err;
    ASSERT_TRUE(parse(bytes, a, err)) << err;
    EXPECT_EQ(a.shape, (std::vector<int64_t>{3}));
    EXPECT_EQ(a.f32()[2], 3.0f);
  }
}

TEST(Npy, ToleratesHeaderSpellings) {
  // Double quotes, no trailing comma, Python 2 longs, other key order.
  std::vector<int32_t> v = {1, 2, 3, 4, 5, 6};
  std::string bytes = makeNpy(
      1, "{\"shape\": (2L, 3L), \"fortran_order\": False, \"descr\": \"<i4\"}",
      bytesOf(v));
  NpyArray a;
  std::string err;
  ASSERT_TRUE(parse(bytes, a, err)) << err;
  EXPECT_EQ(a.dtype, NETRT_I32);
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 3}));
}

TEST(Npy, ConvertsF8ToF4) {
  std::vector<double> v = {0.1, -2.5, 1e300};
  std::string bytes =
      makeNpy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }",
              bytesOf(v));
  NpyArray a;
  std::string err;
  ASSERT_TRUE(parse(bytes, a, err)) << err;
  EXPECT_EQ(a.dtype, NETRT_F32);
  ASSERT_EQ(a.data.size(), 12u);
  EXPECT_EQ(a.f32()[0], 0.1f);
  EXPECT_EQ(a.f32()[1], -2.5f);
  EXPECT_TRUE(std::isinf(a.f32()[2]));
}

TEST(Npy, ConvertsI8ToI4) {
  std::vector<int64_t> v = {0, 9, -3};
  std::string bytes =
      makeNpy(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }",
              bytesOf(v));
  NpyArray a;
  std::string err;
  ASSERT_TRUE(parse(bytes, a, err)) << err;
  EXPECT_EQ(a.dtype, NETRT_I32);
  EXPECT_EQ(std::vector<int32_t>(a.i32(), a.i32() + 3),
            (std::vector<int32_t>{0, 9, -3}));

  std::vector<int64_t> big = {1, int64_t(1) << 40};
  expectError(makeNpy(1,
                      "{'descr': '<i8', 'fortran_order': False, "
                      "'shape': (2,), }",
                      bytesOf(big)),
              "does not fit in int32");
}

TEST(Npy, RejectsBadMagic) {
  expectError("", "bad magic");
  expectError("\x93NUMP", "bad magic");
  expectError("PK\x03\x04 this is a zip", "bad magic");
}

TEST(Npy, RejectsUnknownVersion) {
  std::string bytes =
      makeNpy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (), }",
              std::string(4, '\0'));
  bytes[6] = 4;
  expectError(bytes, "version 4.0");
}

TEST(Npy, RejectsFortranOrder) {
  std::vector<float> v(6);
  expectError(makeNpy(1,
                      "{'descr': '<f4', 'fortran_order': True, "
                      "'shape': (2, 3), }",
                      bytesOf(v)),
              "Fortran order");
}

TEST(Npy, RejectsOtherDtypes) {
  std::string data(8, '\0');
  expectError(makeNpy(1,
                      "{'descr': '>f4', 'fortran_order': False, "
                      "'shape': (2,), }",
                      data),
              "big-endian");
  expectError(makeNpy(1,
                      "{'descr': '<f2', 'fortran_order': False, "
                      "'shape': (4,), }",
                      data),
              "unsupported dtype '<f2'");
  expectError(makeNpy(1,
                      "{'descr': [('a', '<f4')], 'fortran_order': False, "
                      "'shape': (2,), }",
                      data),
              "structured");
}

TEST(Npy, RejectsMalformedHeaders) {
  std::string data(4, '\0');
  expectError(makeNpy(1, "{'descr': '<f4', 'shape': (1,), }", data),
              "needs 'descr', 'fortran_order' and 'shape'");
  expectError(makeNpy(1,
                      "{'descr': '<f4', 'fortran_order': Maybe, "
                      "'shape': (1,), }",
                      data),
              "fortran_order");
  expectError(makeNpy(1,
                      "{'descr': '<f4', 'fortran_order': False, "
                      "'shape': (-1,), }",
                      data),
              "negative dimension");
  expectError(makeNpy(1,
                      "{'descr': '<f4', 'fortran_order': False, "
                      "'shape': (1,), 'extra': 1}",
                      data),
              "unknown key 'extra'");
  expectError(
      makeNpy(1, "{'descr': '<f4', 'fortran_order': False, 'shape'", data),
      "malformed header");
}

TEST(Npy, RejectsTruncatedAndTrailingData) {
  std::vector<float> v(6);
  std::string dict = "{'descr': '<f4', 'fortran_order': False, "
                     "'shape': (2, 3), }";
  std::string bytes = makeNpy(1, dict, bytesOf(v));
  expectError(bytes.substr(0, bytes.size() - 1), "truncated data");
  expectError(bytes.substr(0, 9), "truncated header");
  expectError(bytes.substr(0, 40), "truncated header");
  expectError(bytes + "xx", "trailing data");
  // A shape whose byte count overflows 64 bits is a truncation, not a crash.
  expectError(makeNpy(1,
                      "{'descr': '<f4', 'fortran_order': False, 'shape': "
                      "(4294967296, 4294967296), }",
                      ""),
              "truncated data");
}

TEST(Npy, NoPrefixOrCorruptionCrashes) {
  std::vector<float> v = {1, 2, 3, 4, 5, 6};
  int64_t shape[] = {2, 3};
  std::string bytes = encodeNpy(NETRT_F32, shape, 2, v.data());
  NpyArray a;
  std::string err;
  for (size_t n = 0; n < bytes.size(); ++n)
    EXPECT_FALSE(parse(bytes.substr(0, n), a, err)) << n;
  // Flip every header byte in turn: each result must parse or fail cleanly.
  for (size_t i = 0; i < bytes.size() - 24; ++i) {
    std::string corrupt = bytes;
    corrupt[i] = char(corrupt[i] ^ 0x5a);
    if (parse(corrupt, a, err)) {
      EXPECT_EQ(size_t(a.numel()) * 4, a.data.size());
    }
  }
}
