#include "base/huge_pages.h"

#include <cstdint>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace pprof_trend {

void AdviseHugePages(const void* data, size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr uintptr_t kHuge = kHugePageBytes;
  if (data == nullptr || bytes < kHugeAdviceMinBytes) return;
  const auto begin = reinterpret_cast<uintptr_t>(data);
  const uintptr_t first = (begin + kHuge - 1) & ~(kHuge - 1);
  const uintptr_t last = (begin + bytes) & ~(kHuge - 1);
  if (last > first) madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
#else
  (void)data;
  (void)bytes;
#endif
}

const void* ReleasePages(const void* begin, const void* end) {
#if defined(__linux__) && defined(MADV_DONTNEED)
  constexpr uintptr_t kHuge = kHugePageBytes;
  const uintptr_t first = (reinterpret_cast<uintptr_t>(begin) + kHuge - 1) & ~(kHuge - 1);
  const uintptr_t last = reinterpret_cast<uintptr_t>(end) & ~(kHuge - 1);
  if (begin == nullptr || last <= first) return begin;
  if (madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED) != 0) return begin;
  return reinterpret_cast<const void*>(last);
#else
  (void)end;
  return begin;
#endif
}

}  // namespace pprof_trend
