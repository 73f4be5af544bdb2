// Transparent huge pages for the few big arrays a run fills once (inflated
// bytes, decoded samples, site tables, trend nodes). Each 4 KiB page of fresh
// memory costs a page fault; on the three big profiles that was 177,000
// faults and 0.4 s of system time. Linux backs a range marked
// MADV_HUGEPAGE with 2 MiB pages where it can: 512 times fewer faults, the
// same bytes. A hint only: where THP is off or the call fails, nothing changes.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <type_traits>

namespace pprof_trend {

// A transparent huge page, and the smallest range advised for them.
inline constexpr size_t kHugePageBytes = size_t{2} << 20;
inline constexpr size_t kHugeAdviceMinBytes = 2 * kHugePageBytes;

// Marks the whole 2 MiB pages inside [data, data + bytes) for huge pages.
// Call it before the memory is first written; ranges under 4 MiB are left
// alone (at most one whole huge page inside, not worth a system call).
void AdviseHugePages(const void* data, size_t bytes);

// Gives the whole 2 MiB pages inside [begin, end) back to the system
// (MADV_DONTNEED): memory of an array that is still allocated but whose
// contents will not be read again (a profile's samples once folded). They
// read as zeros after. Whole huge pages only: a huge page is not split.
// Returns where the pages given back end (`begin` when there were none), so
// a range given back piece by piece goes on from there.
const void* ReleasePages(const void* begin, const void* end);

// The deleter of AllocateHugeBlock's arrays.
struct HugeBlockDelete {
  std::align_val_t alignment;
  void operator()(void* p) const { ::operator delete[](p, alignment); }
};
template <typename T>
using HugeBlock = std::unique_ptr<T[], HugeBlockDelete>;

// `n` uninitialised T. From 4 MiB on, aligned to 2 MiB and advised as above,
// so every 2 MiB of it can be one huge page (an unaligned block keeps up to
// 2 MiB of 4 KiB pages at its two ends, 500 page faults).
template <typename T>
HugeBlock<T> AllocateHugeBlock(size_t n) {
  static_assert(std::is_trivially_default_constructible_v<T> && std::is_trivially_destructible_v<T>);
  if (n > SIZE_MAX / sizeof(T)) throw std::bad_alloc();
  const size_t bytes = n * sizeof(T);
  const std::align_val_t alignment{bytes >= kHugeAdviceMinBytes ? kHugePageBytes : alignof(std::max_align_t)};
  HugeBlock<T> block(static_cast<T*>(::operator new[](bytes, alignment)), HugeBlockDelete{alignment});
  AdviseHugePages(block.get(), bytes);
  return block;
}

// Reserves room for `n` elements in `v`, advised as above.
template <class Vector>
void ReserveHuge(Vector& v, size_t n) {
  v.reserve(n);
  AdviseHugePages(v.data(), v.capacity() * sizeof(typename Vector::value_type));
}

// Room for `n` elements in `v` that already holds some: at least half as
// much again as it has, so an array that grows a little with every capture
// (a series whose sites grow) is moved O(log n) times, not once a capture.
template <class Vector>
void GrowHuge(Vector& v, size_t n) {
  if (v.capacity() >= n) return;
  ReserveHuge(v, v.capacity() == 0 ? n : std::max(n, v.capacity() + v.capacity() / 2));
}

}  // namespace pprof_trend
