//===- SafetensorsTest.cpp - Tests of the safetensors reader/writer -------===//

#include "weights/Safetensors.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace netc;

namespace {

class SafetensorsTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("safetensors-test", dir));
  }
  void TearDown() override { llvm::sys::fs::remove_directories(dir); }

  std::string path(llvm::StringRef name) const {
    llvm::SmallString<256> p(dir);
    llvm::sys::path::append(p, name);
    return std::string(p);
  }

  // Writes raw bytes to `name` in the temp dir and returns its path.
  std::string writeBytes(llvm::StringRef name, llvm::StringRef bytes) {
    std::string p = path(name);
    std::error_code ec;
    llvm::raw_fd_ostream os(p, ec);
    EXPECT_FALSE(ec);
    os << bytes;
    return p;
  }

  // A safetensors file from its header text and data section; the header
  // length field is `headerLen` if given, else the true length.
  std::string writeFile(llvm::StringRef name, llvm::StringRef header,
                        llvm::StringRef data = "",
                        std::optional<uint64_t> headerLen = std::nullopt) {
    char len[8];
    llvm::support::endian::write<uint64_t, llvm::endianness::little>(
        len, headerLen ? *headerLen : header.size());
    return writeBytes(name, (llvm::StringRef(len, 8) + header + data).str());
  }

  llvm::SmallString<128> dir;
};

template <typename T> std::string le(std::initializer_list<T> values) {
  std::string s;
  for (T v : values) {
    char b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T)); // the test machine is little-endian (x86)
    s.append(b, sizeof(T));
  }
  return s;
}

// Expects `r` to be an error whose message contains every one of `parts`.
template <typename T>
void expectError(llvm::Expected<T> r,
                 std::initializer_list<const char *> parts) {
  ASSERT_FALSE(static_cast<bool>(r)) << "expected an error";
  std::string msg = llvm::toString(r.takeError());
  for (const char *part : parts)
    EXPECT_NE(msg.find(part), std::string::npos)
        << "message '" << msg << "' lacks '" << part << "'";
}

TEST_F(SafetensorsTest, RoundTrip) {
  WeightFile f;
  f.add("conv1.weight", {"F32", {2, 1, 2, 2}, {1, -2, 3.5f, 0, 5, 6, 7, 8}});
  f.add("conv1.bias", {"F32", {2}, {0.25f, -0.125f}});
  f.add("scalar", {"F32", {}, {42}});
  f.add("empty", {"F32", {0, 3}, {}});
  f.add("bn.running_var",
        {"F32", {3}, {std::numeric_limits<float>::infinity(), 1e-30f, -0.0f}});
  f.metadata["format"] = "pt";
  std::string p = path("rt.safetensors");
  ASSERT_FALSE(static_cast<bool>(writeSafetensors(p, f)));

  auto r = readSafetensors(p);
  ASSERT_TRUE(static_cast<bool>(r)) << llvm::toString(r.takeError());
  EXPECT_EQ(r->path, p);
  EXPECT_EQ(r->names, f.names);
  EXPECT_EQ(r->tensors.size(), f.tensors.size());
  EXPECT_EQ(r->metadata, f.metadata);
  for (const std::string &name : f.names) {
    const WeightTensor *got = r->lookup(name);
    ASSERT_NE(got, nullptr) << name;
    const WeightTensor &want = *f.lookup(name);
    EXPECT_EQ(got->dtype, "F32");
    EXPECT_EQ(got->shape, want.shape) << name;
    ASSERT_EQ(got->data.size(), want.data.size()) << name;
    // Bitwise: -0.0 and inf must survive.
    for (size_t i = 0; i < want.data.size(); ++i)
      EXPECT_EQ(0, std::memcmp(&got->data[i], &want.data[i], sizeof(float)))
          << name << "[" << i << "]";
  }
  EXPECT_EQ(r->lookup("nope"), nullptr);
  EXPECT_EQ(r->lookup("scalar")->numElements(), 1);
  EXPECT_EQ(r->lookup("empty")->numElements(), 0);
}

TEST_F(SafetensorsTest, HeaderIsPaddedTo8Bytes) {
  for (int n = 1; n <= 8; ++n) {
    WeightFile f;
    f.add(std::string(n, 'w'), {"F32", {1}, {1.0f}});
    std::string p = path("pad.safetensors");
    ASSERT_FALSE(static_cast<bool>(writeSafetensors(p, f)));
    auto buf = llvm::MemoryBuffer::getFile(p);
    ASSERT_TRUE(static_cast<bool>(buf));
    uint64_t len =
        llvm::support::endian::read<uint64_t, llvm::endianness::little>(
            (*buf)->getBufferStart());
    EXPECT_EQ(len % 8, 0u);
    EXPECT_EQ((*buf)->getBufferSize(), 8 + len + 4);
  }
}

TEST_F(SafetensorsTest, WriteOrderFollowsNames) {
  WeightFile f;
  f.add("b", {"F32", {1}, {1}});
  f.add("a", {"F32", {1}, {2}});
  // A tensor missing from `names` is appended after the listed ones.
  f.tensors["c"] = {"F32", {1}, {3}};
  ASSERT_FALSE(static_cast<bool>(writeSafetensors(path("o.safetensors"), f)));
  auto r = readSafetensors(path("o.safetensors"));
  ASSERT_TRUE(static_cast<bool>(r)) << llvm::toString(r.takeError());
  EXPECT_EQ(r->names, (std::vector<std::string>{"b", "a", "c"}));
}

TEST_F(SafetensorsTest, ConvertsF16) {
  std::string p =
      writeFile("f16.safetensors",
                R"({"h":{"dtype":"F16","shape":[8],"data_offsets":[0,16]}})",
                le<uint16_t>({0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x0000,
                              0x7c00, 0x7e00}));
  auto r = readSafetensors(p);
  ASSERT_TRUE(static_cast<bool>(r)) << llvm::toString(r.takeError());
  const WeightTensor &t = *r->lookup("h");
  EXPECT_EQ(t.dtype, "F16");
  ASSERT_EQ(t.data.size(), 8u);
  EXPECT_EQ(t.data[0], 1.0f);
  EXPECT_EQ(t.data[1], -2.0f);
  EXPECT_EQ(t.data[2], 0.5f);
  EXPECT_EQ(t.data[3], 65504.0f);
  EXPECT_EQ(t.data[4], std::ldexp(1.0f, -24)); // smallest subnormal
  EXPECT_EQ(t.data[5], 0.0f);
  EXPECT_TRUE(std::isinf(t.data[6]) && t.data[6] > 0);
  EXPECT_TRUE(std::isnan(t.data[7]));
}

TEST_F(SafetensorsTest, ConvertsBF16) {
  std::string p =
      writeFile("bf16.safetensors",
                R"({"b":{"dtype":"BF16","shape":[2,2],"data_offsets":[0,8]}})",
                le<uint16_t>({0x3f80, 0xc040, 0x4049, 0x0000}));
  auto r = readSafetensors(p);
  ASSERT_TRUE(static_cast<bool>(r)) << llvm::toString(r.takeError());
  const WeightTensor &t = *r->lookup("b");
  EXPECT_EQ(t.dtype, "BF16");
  EXPECT_EQ(t.shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(t.data, (std::vector<float>{1.0f, -3.0f, 3.140625f, 0.0f}));
}

TEST_F(SafetensorsTest, ConvertsF64AndIntegers) {
  std::string data = le<double>({1.5, -1e10, 0.1}) +
                     le<int64_t>({0, -5, 12345678}) + le<int32_t>({-7, 42}) +
                     le<uint8_t>({255, 0}) + le<int8_t>({-128}) +
                     le<uint8_t>({1, 0});
  std::string p =
      writeFile("mixed.safetensors",
                R"({"d":{"dtype":"F64","shape":[3],"data_offsets":[0,24]},
                                "n":{"dtype":"I64","shape":[3],"data_offsets":[24,48]},
                                "i":{"dtype":"I32","shape":[2],"data_offsets":[48,56]},
                                "u":{"dtype":"U8","shape":[2],"data_offsets":[56,58]},
                                "s":{"dtype":"I8","shape":[1],"data_offsets":[58,59]},
                                "z":{"dtype":"BOOL","shape":[2],"data_offsets":[59,61]}})",
                data);
  auto r = readSafetensors(p);
  ASSERT_TRUE(static_cast<bool>(r)) << llvm::toString(r.takeError());
  EXPECT_EQ(r->lookup("d")->data,
            (std::vector<float>{1.5f, -1e10f, float(0.1)}));
  EXPECT_EQ(r->lookup("n")->dtype, "I64");
  EXPECT_EQ(r->lookup("n")->data, (std::vector<float>{0, -5, 12345678}));
  EXPECT_EQ(r->lookup("i")->data, (std::vector<float>{-7, 42}));
  EXPECT_EQ(r->lookup("u")->data, (std::vector<float>{255, 0}));
  EXPECT_EQ(r->lookup("s")->data, (std::vector<float>{-128}));
  EXPECT_EQ(r->lookup("z")->data, (std::vector<float>{1, 0}));
  // Names come in file (data offset) order, not hash or alphabetical order.
  EXPECT_EQ(r->names, (std::vector<std::string>{"d", "n", "i", "u", "s", "z"}));
}

TEST_F(SafetensorsTest, UnalignedDataAndMetadata) {
  // A 1-byte tensor first leaves the F32 one at an odd address.
  std::string p = writeFile("unaligned.safetensors",
                            R"({"__metadata__":{"format":"pt","n":3},
          "flag":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},
          "w":{"dtype":"F32","shape":[2],"data_offsets":[1,9]}})",
                            le<uint8_t>({7}) + le<float>({3.25f, -1.0f}));
  auto r = readSafetensors(p);
  ASSERT_TRUE(static_cast<bool>(r)) << llvm::toString(r.takeError());
  EXPECT_EQ(r->lookup("w")->data, (std::vector<float>{3.25f, -1.0f}));
  EXPECT_EQ(r->lookup("__metadata__"), nullptr);
  EXPECT_EQ(r->names, (std::vector<std::string>{"flag", "w"}));
  // Only string metadata values are kept.
  EXPECT_EQ(r->metadata,
            (std::map<std::string, std::string>{{"format", "pt"}}));
}

TEST_F(SafetensorsTest, EmptyHeaderObject) {
  auto r = readSafetensors(writeFile("e.safetensors", "{}"));
  ASSERT_TRUE(static_cast<bool>(r)) << llvm::toString(r.takeError());
  EXPECT_TRUE(r->names.empty());
}

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

TEST_F(SafetensorsTest, MissingFile) {
  std::string p = path("does-not-exist.safetensors");
  expectError(readSafetensors(p), {p.c_str(), "cannot open"});
}

TEST_F(SafetensorsTest, ShorterThan8Bytes) {
  std::string p0 = writeBytes("empty.safetensors", "");
  expectError(readSafetensors(p0), {p0.c_str(), "file is 0 bytes"});
  std::string p5 = writeBytes("five.safetensors", "abcde");
  expectError(readSafetensors(p5),
              {p5.c_str(), "file is 5 bytes", "too short"});
}

TEST_F(SafetensorsTest, HeaderLengthBeyondFile) {
  std::string p = writeFile("long.safetensors", "{}", "", 100);
  expectError(readSafetensors(p),
              {p.c_str(), "header length 100 exceeds the 2 bytes"});
  std::string h = writeFile("huge.safetensors", "{}", "", ~uint64_t(0));
  expectError(readSafetensors(h),
              {"header length 18446744073709551615 exceeds"});
}

TEST_F(SafetensorsTest, HeaderNotJson) {
  std::string p = writeFile("bad.safetensors", "{\"a\": [1, 2");
  expectError(readSafetensors(p), {p.c_str(), "header is not valid JSON"});
  std::string u = writeFile("utf8.safetensors", "{\"\xff\xfe\":{}}");
  expectError(readSafetensors(u), {"header is not valid JSON"});
}

TEST_F(SafetensorsTest, HeaderNotObject) {
  std::string p = writeFile("arr.safetensors", "[1, 2, 3]");
  expectError(readSafetensors(p), {p.c_str(), "header is not a JSON object"});
}

TEST_F(SafetensorsTest, EntryNotObject) {
  std::string p = writeFile("e.safetensors", R"({"w": 3})");
  expectError(readSafetensors(p),
              {p.c_str(), "tensor 'w'", "not a JSON object"});
}

TEST_F(SafetensorsTest, MissingFields) {
  std::string p1 =
      writeFile("nodtype.safetensors",
                R"({"w":{"shape":[1],"data_offsets":[0,4]}})", le<float>({1}));
  expectError(readSafetensors(p1), {p1.c_str(), "tensor 'w'", "\"dtype\""});
  std::string p2 = writeFile("noshape.safetensors",
                             R"({"w":{"dtype":"F32","data_offsets":[0,4]}})",
                             le<float>({1}));
  expectError(readSafetensors(p2), {"tensor 'w'", "\"shape\""});
  std::string p3 =
      writeFile("nooffsets.safetensors", R"({"w":{"dtype":"F32","shape":[1]}})",
                le<float>({1}));
  expectError(readSafetensors(p3), {"tensor 'w'", "\"data_offsets\""});
  std::string p4 = writeFile(
      "dtypenum.safetensors",
      R"({"w":{"dtype":32,"shape":[1],"data_offsets":[0,4]}})", le<float>({1}));
  expectError(readSafetensors(p4), {"tensor 'w'", "\"dtype\""});
}

TEST_F(SafetensorsTest, UnknownDtype) {
  std::string p =
      writeFile("f8.safetensors",
                R"({"q":{"dtype":"F8_E4M3","shape":[4],"data_offsets":[0,4]}})",
                le<uint8_t>({1, 2, 3, 4}));
  expectError(readSafetensors(p),
              {p.c_str(), "tensor 'q'", "unsupported dtype 'F8_E4M3'"});
  std::string x =
      writeFile("xyz.safetensors",
                R"({"q":{"dtype":"XYZ","shape":[1],"data_offsets":[0,4]}})",
                le<float>({1}));
  expectError(readSafetensors(x), {"unsupported dtype 'XYZ'"});
}

TEST_F(SafetensorsTest, BadShape) {
  std::string p =
      writeFile("neg.safetensors",
                R"({"w":{"dtype":"F32","shape":[2,-1],"data_offsets":[0,4]}})",
                le<float>({1}));
  expectError(readSafetensors(p),
              {"tensor 'w'", "shape entry 1 is not a non-negative integer"});
  std::string s =
      writeFile("str.safetensors",
                R"({"w":{"dtype":"F32","shape":["2"],"data_offsets":[0,4]}})",
                le<float>({1}));
  expectError(readSafetensors(s), {"tensor 'w'", "shape entry 0"});
}

TEST_F(SafetensorsTest, TruncatedData) {
  // Header promises 3 floats, file holds 2.
  std::string p =
      writeFile("trunc.safetensors",
                R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,12]}})",
                le<float>({1, 2}));
  expectError(readSafetensors(p),
              {p.c_str(), "tensor 'w'",
               "data_offsets [0, 12] go beyond the 8-byte data section"});
}

TEST_F(SafetensorsTest, OffsetsDoNotMatchShape) {
  std::string p =
      writeFile("mismatch.safetensors",
                R"({"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,12]}})",
                le<float>({1, 2, 3, 4}));
  expectError(readSafetensors(p),
              {"tensor 'w'", "hold 12 bytes but shape [2, 2] of dtype F32 "
                             "needs 16 bytes"});
  // A shape whose byte size overflows 64 bits.
  std::string o = writeFile(
      "overflow.safetensors",
      R"({"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}})");
  expectError(readSafetensors(o), {"tensor 'w'", "needs too many bytes"});
}

TEST_F(SafetensorsTest, BadOffsets) {
  std::string r =
      writeFile("rev.safetensors",
                R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}})",
                le<float>({1, 2}));
  expectError(readSafetensors(r), {"tensor 'w'", "reversed"});
  std::string three =
      writeFile("three.safetensors",
                R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}})",
                le<float>({1, 2}));
  expectError(readSafetensors(three), {"tensor 'w'", "exactly 2 entries"});
  std::string neg =
      writeFile("negoff.safetensors",
                R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}})",
                le<float>({1}));
  expectError(readSafetensors(neg), {"tensor 'w'", "non-negative integers"});
  std::string big = writeFile(
      "bigoff.safetensors",
      R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[18446744073709551612,18446744073709551615]}})",
      le<float>({1}));
  expectError(readSafetensors(big), {"tensor 'w'", "go beyond"});
}

// Whatever the bytes, the reader returns a value or an error.
TEST_F(SafetensorsTest, NeverCrashesOnGarbage) {
  WeightFile f;
  f.add("a", {"F32", {2, 3}, {1, 2, 3, 4, 5, 6}});
  f.add("b", {"F32", {1}, {7}});
  std::string good = path("good.safetensors");
  ASSERT_FALSE(static_cast<bool>(writeSafetensors(good, f)));
  auto buf = llvm::MemoryBuffer::getFile(good);
  ASSERT_TRUE(static_cast<bool>(buf));
  std::string bytes = (*buf)->getBuffer().str();

  // Every truncation.
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto r = readSafetensors(writeBytes("t.safetensors", bytes.substr(0, n)));
    EXPECT_FALSE(static_cast<bool>(r)) << "truncated to " << n;
    llvm::consumeError(r.takeError());
  }
  // Single-byte corruptions and random files (fixed LCG: reproducible).
  uint64_t state = 12345;
  auto next = [&] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return uint32_t(state >> 33);
  };
  for (int i = 0; i < 300; ++i) {
    std::string m = bytes;
    m[next() % m.size()] = char(next());
    auto r = readSafetensors(writeBytes("m.safetensors", m));
    if (!r)
      llvm::consumeError(r.takeError());
  }
  for (int i = 0; i < 100; ++i) {
    std::string g(next() % 64, '\0');
    for (char &c : g)
      c = char(next());
    if (g.size() >= 8 && i % 2) // a plausible header length
      llvm::support::endian::write<uint64_t, llvm::endianness::little>(
          &g[0], g.size() - 8 - next() % (g.size() - 7));
    auto r = readSafetensors(writeBytes("g.safetensors", g));
    if (!r)
      llvm::consumeError(r.takeError());
  }
}

TEST_F(SafetensorsTest, WriteErrors) {
  WeightFile f;
  f.add("w", {"F32", {2, 2}, {1, 2, 3}});
  std::string p = path("w.safetensors");
  llvm::Error e = writeSafetensors(p, f);
  ASSERT_TRUE(static_cast<bool>(e));
  std::string msg = llvm::toString(std::move(e));
  EXPECT_NE(msg.find("tensor 'w': has 3 values but shape [2, 2] needs 4"),
            std::string::npos)
      << msg;

  WeightFile ok;
  ok.add("w", {"F32", {1}, {1}});
  llvm::Error e2 = writeSafetensors(path("no/such/dir/x.safetensors"), ok);
  ASSERT_TRUE(static_cast<bool>(e2));
  msg = llvm::toString(std::move(e2));
  EXPECT_NE(msg.find("cannot open for writing"), std::string::npos) << msg;

  WeightFile dangling;
  dangling.names.push_back("ghost");
  llvm::Error e3 = writeSafetensors(path("d.safetensors"), dangling);
  ASSERT_TRUE(static_cast<bool>(e3));
  msg = llvm::toString(std::move(e3));
  EXPECT_NE(msg.find("tensor 'ghost'"), std::string::npos) << msg;
}

} // namespace
