// BytesHash: bytes hashed a piece at a time get std::hash<std::string_view>
// of them all, however they are cut (a capture's content hash, and its id in
// ClickHouse, must not depend on how its file was read).
#include "base/bytes_hash.h"

#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace pprof_trend {
namespace {

std::string RandomBytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

uint64_t InPieces(std::string_view bytes, const std::vector<size_t>& cuts) {
  BytesHash h(bytes.size());
  size_t at = 0;
  for (size_t cut : cuts) {
    h.Add(bytes.substr(at, cut - at));
    at = cut;
  }
  h.Add(bytes.substr(at));
  EXPECT_TRUE(h.Complete());
  return h.Finish();
}

TEST(BytesHashTest, IsStdHashHere) { EXPECT_TRUE(BytesHashIsStdHash()); }

TEST(BytesHashTest, WholeEqualsStdHashOnEveryLength) {
  // Every tail length, words and none, and the empty string.
  for (size_t n = 0; n <= 70; ++n) {
    const std::string bytes = RandomBytes(n, n);
    EXPECT_EQ(InPieces(bytes, {}), std::hash<std::string_view>{}(bytes)) << n << " bytes";
  }
}

TEST(BytesHashTest, EveryWayOfCuttingGivesTheSameHash) {
  const std::string bytes = RandomBytes(45, 7);
  const uint64_t want = std::hash<std::string_view>{}(bytes);
  for (size_t a = 0; a <= bytes.size(); ++a)
    for (size_t b = a; b <= bytes.size(); ++b) EXPECT_EQ(InPieces(bytes, {a, b}), want) << "cut at " << a << ", " << b;
  // One byte at a time.
  std::vector<size_t> each;
  for (size_t i = 1; i < bytes.size(); ++i) each.push_back(i);
  EXPECT_EQ(InPieces(bytes, each), want);
}

TEST(BytesHashTest, ALargeInputInReadSizedPieces) {
  const std::string bytes = RandomBytes(3 * 131072 + 13, 11);
  EXPECT_EQ(InPieces(bytes, {131072, 131073, 2 * 131072 + 5}), std::hash<std::string_view>{}(bytes));
}

TEST(BytesHashTest, IsCompleteOnlyWithEveryByte) {
  BytesHash h(10);
  h.Add("012345678");
  EXPECT_FALSE(h.Complete());
  h.Add("9");
  EXPECT_TRUE(h.Complete());
}

}  // namespace
}  // namespace pprof_trend
