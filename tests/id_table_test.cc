// IdTable: ids of keys kept elsewhere, found again after the table grows,
// and told apart when their hashes share the 32 bits a slot keeps.
#include "base/id_table.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pprof_trend {
namespace {

TEST(IdTableTest, FindsEveryKeyAgainAfterGrowing) {
  std::vector<std::string> keys;
  IdTable table;
  auto id_of = [&](const std::string& key) {
    const auto next = static_cast<uint32_t>(keys.size());
    const uint32_t id = table.FindOrInsert(std::hash<std::string>{}(key)*0x9e3779b97f4a7c15ULL, next,
                                           [&](uint32_t other) { return keys[other] == key; });
    if (id == next) keys.push_back(key);
    return id;
  };
  for (int i = 0; i < 100000; ++i) EXPECT_EQ(id_of("type" + std::to_string(i)), static_cast<uint32_t>(i));
  EXPECT_EQ(table.size(), 100000u);
  for (int i = 99999; i >= 0; i -= 7) EXPECT_EQ(id_of("type" + std::to_string(i)), static_cast<uint32_t>(i));
  EXPECT_EQ(keys.size(), 100000u);
}

TEST(IdTableTest, KeysWhoseHashesCollideAreTwoKeys) {
  // Every key the same hash: the table falls back on the caller's equality.
  std::vector<int> keys;
  IdTable table;
  table.Reserve(4);
  for (int k = 0; k < 50; ++k) {
    const auto next = static_cast<uint32_t>(keys.size());
    EXPECT_EQ(table.FindOrInsert(42, next, [&](uint32_t other) { return keys[other] == k; }), next);
    keys.push_back(k);
  }
  for (int k = 0; k < 50; ++k)
    EXPECT_EQ(table.FindOrInsert(42, 999, [&](uint32_t other) { return keys[other] == k; }), static_cast<uint32_t>(k));
  table.Clear();
  EXPECT_EQ(table.size(), 0u);
  EXPECT_EQ(table.FindOrInsert(42, 7, [](uint32_t) { return true; }), 7u);
}

// A table emptied and filled again, as a sorter does group after group:
// none of the old keys is found, and the new ones get their new ids.
TEST(IdTableTest, AnEmptiedTableHoldsNoOldKey) {
  IdTable table;
  std::vector<uint64_t> keys;
  auto id_of = [&](uint64_t key) {
    const uint32_t id = table.FindOrInsert(key * 0x9e3779b97f4a7c15ull, static_cast<uint32_t>(keys.size()),
                                           [&](uint32_t other) { return keys[other] == key; });
    if (id == keys.size()) keys.push_back(key);
    return id;
  };
  for (uint64_t k = 0; k < 1000; ++k) EXPECT_EQ(id_of(k), k);
  for (uint64_t round = 1; round <= 3; ++round) {
    table.Empty();
    keys.clear();
    EXPECT_EQ(table.size(), 0u);
    for (uint64_t k = 0; k < 300; ++k) EXPECT_EQ(id_of(round * 10000 + k), k) << "round " << round;
    for (uint64_t k = 0; k < 300; k += 7) EXPECT_EQ(id_of(round * 10000 + k), k);
    EXPECT_EQ(table.size(), 300u);
  }
}

}  // namespace
}  // namespace pprof_trend
