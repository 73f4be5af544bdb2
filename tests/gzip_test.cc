#include "input/gzip.h"

#include <gtest/gtest.h>

#include "support/profile_builder.h"

namespace pprof_trend {
namespace {

using testing::GzipCompress;

TEST(GzipTest, DetectsMagicByContent) {
  EXPECT_TRUE(IsGzip(GzipCompress("hello")));
  EXPECT_FALSE(IsGzip("hello"));
  EXPECT_FALSE(IsGzip("\x1f"));
  EXPECT_FALSE(IsGzip(""));
}

TEST(GzipTest, RoundTrips) {
  std::string raw(300000, 'x');
  for (size_t i = 0; i < raw.size(); i += 7) raw[i] = static_cast<char>(i % 251);
  auto out = Gunzip(GzipCompress(raw), "a.gz", uint64_t{1} << 30);
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(*out, raw);
}

TEST(GzipTest, ATrailerThatLiesAboutTheSizeStillInflatesWhole) {
  // The whole-buffer inflate trusts the trailer's size only when the output
  // matches it; otherwise the stream reader takes over.
  std::string raw(100000, 'y');
  for (size_t i = 0; i < raw.size(); i += 5) raw[i] = static_cast<char>(i % 253);
  for (uint32_t lie : {1u, 99999u, 100001u, 4000000u}) {
    std::string gz = GzipCompress(raw);
    for (int b = 0; b < 4; ++b) gz[gz.size() - 4 + b] = static_cast<char>((lie >> (8 * b)) & 0xff);
    auto out = Gunzip(gz, "a.gz", uint64_t{1} << 30);
    // zlib checks the trailer too: a wrong size is a corrupt stream.
    ASSERT_FALSE(out.ok()) << lie;
    EXPECT_NE(out.status().message().find("a.gz: corrupt gzip stream"), std::string::npos) << out.status().message();
  }
}

TEST(GzipTest, ConcatenatedMembersAreOneStream) {
  auto out = Gunzip(GzipCompress("abc") + GzipCompress("def"), "a.gz", 1 << 20);
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(*out, "abcdef");
}

TEST(GzipTest, TruncatedStreamIsAnError) {
  std::string gz = GzipCompress(std::string(100000, 'a') + "tail");
  for (size_t cut : {gz.size() - 1, gz.size() - 8, gz.size() / 2, size_t{12}}) {
    auto out = Gunzip(gz.substr(0, cut), "day1.pb.gz", 1 << 30);
    ASSERT_FALSE(out.ok()) << "cut at " << cut;
    EXPECT_EQ(out.status().message(), "day1.pb.gz: truncated gzip stream") << "cut at " << cut;
  }
}

TEST(GzipTest, CorruptStreamIsAnError) {
  std::string gz = GzipCompress(std::string(1000, 'a'));
  gz[gz.size() - 6] ^= 0x55;  // the CRC no longer matches
  auto out = Gunzip(gz, "x.gz", 1 << 20);
  ASSERT_FALSE(out.ok());
  EXPECT_TRUE(out.status().message().starts_with("x.gz: corrupt gzip stream")) << out.status().message();

  std::string garbage = "\x1f\x8b\x08\x00garbage-garbage-garbage";
  auto out2 = Gunzip(garbage, "y.gz", 1 << 20);
  ASSERT_FALSE(out2.ok());
  EXPECT_TRUE(out2.status().message().starts_with("y.gz: ")) << out2.status().message();
}

TEST(GzipTest, TrailingGarbageIsAnError) {
  auto out = Gunzip(GzipCompress("abc") + "junk", "z.gz", 1 << 20);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(), "z.gz: trailing garbage after gzip stream (4 bytes)");
}

TEST(GzipTest, OutputLimitStopsABomb) {
  std::string bomb = GzipCompress(std::string(10 << 20, '\0'));  // 10 MiB of zeros in ~10 KiB
  auto out = Gunzip(bomb, "bomb.gz", 1 << 20);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(),
            "bomb.gz: decompressed size exceeds the limit of 1048576 bytes (--max-decompressed raises it)");
  EXPECT_TRUE(Gunzip(bomb, "bomb.gz", 10 << 20).ok());  // exactly at the limit is fine
}

}  // namespace
}  // namespace pprof_trend
