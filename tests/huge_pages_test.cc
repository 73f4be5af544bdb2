// AdviseHugePages / ReserveHuge: the whole 2 MiB pages inside a big range are
// marked for transparent huge pages (Linux's "hg" flag on the mapping), small
// ranges are left alone, and the memory stays ordinary memory.
#include "base/huge_pages.h"

#include <gtest/gtest.h>
#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <new>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

namespace pprof_trend {
namespace {

// The VmFlags of the mapping holding `address`, from /proc/self/smaps.
std::string FlagsOfMappingAt(const void* address) {
  const auto a = reinterpret_cast<uintptr_t>(address);
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    uintptr_t begin = 0, end = 0;
    char dash = 0;
    std::istringstream range(line);
    if (range >> std::hex >> begin >> dash >> end && dash == '-') {
      inside = begin <= a && a < end;
      continue;
    }
    if (inside && line.starts_with("VmFlags:")) return line;
  }
  return "";
}

bool HasFlag(const std::string& flags, const std::string& flag) {
  std::istringstream words(flags);
  std::string w;
  while (words >> w)
    if (w == flag) return true;
  return false;
}

// Memory from mappings of its own: the flags seen are then only what
// ReserveHuge set (heap memory, even a block above malloc's mmap threshold,
// can come from a range an earlier test's big vector had advised).
template <typename T>
struct MappedAllocator {
  using value_type = T;
  MappedAllocator() = default;
  template <typename U>
  explicit MappedAllocator(const MappedAllocator<U>&) {}
  T* allocate(size_t n) {
    void* p = mmap(nullptr, n * sizeof(T), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    return static_cast<T*>(p);
  }
  void deallocate(T* p, size_t n) { munmap(p, n * sizeof(T)); }
  bool operator==(const MappedAllocator&) const = default;
};
using MappedVector = std::vector<uint64_t, MappedAllocator<uint64_t>>;

TEST(HugePagesTest, ABigReservationIsAdvisedAndASmallOneIsNot) {
  if (!std::filesystem::exists("/sys/kernel/mm/transparent_hugepage"))
    GTEST_SKIP() << "this kernel has no transparent huge pages: the advice cannot be seen";
  MappedVector big;
  ReserveHuge(big, size_t{2} << 20);  // 16 MiB: at least 7 whole huge pages inside
  ASSERT_GE(big.capacity(), size_t{2} << 20);
  const std::string big_flags = FlagsOfMappingAt(big.data() + (size_t{1} << 20));
  ASSERT_FALSE(big_flags.empty()) << "no mapping in /proc/self/smaps holds the reservation";
  EXPECT_TRUE(HasFlag(big_flags, "hg")) << big_flags;

  MappedVector small;
  ReserveHuge(small, size_t{1} << 17);  // 1 MiB: left alone
  const std::string small_flags = FlagsOfMappingAt(small.data());
  ASSERT_FALSE(small_flags.empty());
  EXPECT_FALSE(HasFlag(small_flags, "hg")) << small_flags;

  // Ordinary memory either way.
  big.resize(size_t{2} << 20);
  std::iota(big.begin(), big.end(), uint64_t{7});
  EXPECT_EQ(big.back(), (uint64_t{2} << 20) + 6);
}

TEST(HugePagesTest, RangesWithNoWholeHugePageAreIgnored) {
  AdviseHugePages(nullptr, size_t{64} << 20);
  std::vector<char> bytes(100);
  AdviseHugePages(bytes.data(), bytes.size());
  AdviseHugePages(bytes.data() + 1, 0);
  EXPECT_FALSE(HasFlag(FlagsOfMappingAt(bytes.data()), "hg"));
}

// Under kHugeAdviceMinBytes nothing is advised, even a range that holds a
// whole huge page (the 1 MiB reservation above holds none, so it would pass
// whatever the minimum): a mapping of its own, a range starting on a 2 MiB
// boundary inside it, 3.5 MiB (one whole huge page) and then 4 MiB (two).
TEST(HugePagesTest, AWholeHugePageUnderTheMinimumIsNotAdvised) {
  if (!std::filesystem::exists("/sys/kernel/mm/transparent_hugepage"))
    GTEST_SKIP() << "this kernel has no transparent huge pages: the advice cannot be seen";
  const size_t mapped = size_t{12} << 20;
  void* p = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(p, MAP_FAILED);
  const uintptr_t aligned = (reinterpret_cast<uintptr_t>(p) + kHugePageBytes - 1) & ~(kHugePageBytes - 1);
  auto* at = reinterpret_cast<char*>(aligned);
  AdviseHugePages(at, kHugeAdviceMinBytes - kHugePageBytes / 4);
  const std::string under = FlagsOfMappingAt(at);
  AdviseHugePages(at, kHugeAdviceMinBytes);
  const std::string at_minimum = FlagsOfMappingAt(at);
  munmap(p, mapped);
  ASSERT_FALSE(under.empty());
  EXPECT_FALSE(HasFlag(under, "hg")) << under;
  EXPECT_TRUE(HasFlag(at_minimum, "hg")) << at_minimum;
}

// Arena blocks: from 4 MiB on they start on a 2 MiB boundary (every 2 MiB
// of them can be a huge page), smaller ones on the usual boundary; all hold
// what is written to them and are freed by their own deleter (the
// sanitizers' build checks the aligned delete matches the aligned new).
TEST(HugePagesTest, LargeBlocksAreAlignedToHugePages) {
  for (const size_t n :
       {size_t{1}, size_t{1000}, (size_t{4} << 20) / 4 - 1, (size_t{4} << 20) / 4, (size_t{16} << 20) / 4 + 3}) {
    HugeBlock<uint32_t> block = AllocateHugeBlock<uint32_t>(n);
    ASSERT_NE(block.get(), nullptr);
    const auto at = reinterpret_cast<uintptr_t>(block.get());
    EXPECT_EQ(at % alignof(std::max_align_t), 0u) << n;
    if (n * 4 >= (size_t{4} << 20)) {
      EXPECT_EQ(at % (uintptr_t{2} << 20), 0u) << n;
    }
    std::iota(block.get(), block.get() + n, 7u);
    EXPECT_EQ(block[n - 1], static_cast<uint32_t>(n - 1 + 7)) << n;
  }
  EXPECT_THROW(AllocateHugeBlock<uint64_t>(SIZE_MAX / 4), std::bad_alloc);
}

// ReleasePages gives back the whole 2 MiB pages inside a range, which then
// read as zeros, leaves the rest as it was, and says where it stopped, so
// a range given back piece by piece goes on from there.
TEST(HugePagesTest, ReleasedPagesReadAsZerosAndTheRestStays) {
  constexpr size_t kMiB = size_t{1} << 20;
  HugeBlock<char> block = AllocateHugeBlock<char>(12 * kMiB);  // 2 MiB-aligned
  char* data = block.get();
  std::fill(data, data + 12 * kMiB, 'x');
  // Less than a whole page: nothing.
  EXPECT_EQ(ReleasePages(data + 1, data + 3 * kMiB), data + 1);
  EXPECT_EQ(data[2 * kMiB], 'x');
  // [1 MiB, 7 MiB): the pages [2, 6) MiB go; the ends stay.
  const void* at = ReleasePages(data + kMiB, data + 7 * kMiB);
  EXPECT_EQ(at, data + 6 * kMiB);
  EXPECT_EQ(data[2 * kMiB - 1], 'x');
  EXPECT_EQ(data[2 * kMiB], 0);
  EXPECT_EQ(data[6 * kMiB - 1], 0);
  EXPECT_EQ(data[6 * kMiB], 'x');
  // On from there, to 11.5 MiB: [6, 10) MiB.
  EXPECT_EQ(ReleasePages(at, data + 11 * kMiB + kMiB / 2), data + 10 * kMiB);
  EXPECT_EQ(data[9 * kMiB], 0);
  EXPECT_EQ(data[10 * kMiB], 'x');
  EXPECT_EQ(data[12 * kMiB - 1], 'x');
  EXPECT_EQ(ReleasePages(nullptr, data), nullptr);
}

}  // namespace
}  // namespace pprof_trend
