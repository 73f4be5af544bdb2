// glibc's heap in transparent huge pages for runs that read large inputs.
//
// glibc (2.35 and later) marks its arenas and large chunks MADV_HUGEPAGE
// and rounds their mappings to 2 MiB when GLIBC_TUNABLES holds
// glibc.malloc.hugetlb=1. On this project's 2-core VM, where a page fault
// costs ~10 us, that takes a third to two thirds of a run's page faults
// away: 3 Go-shaped big profiles 0.64 -> 0.61 s, gen_profiles' 3 big
// 0.82 -> 0.71 s, 72 growing captures 0.69 -> 0.62 s, inspect of one 2.4 MB
// capture 68 -> 45 ms, for up to 6 MB more peak RSS (tools/README.md). A
// tunable is read only when a process starts, so the program sets it and
// executes itself again, once, before doing anything else: about 3 ms, paid
// only when the inputs are large enough to gain from it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace pprof_trend {

// Inputs of at least this many bytes (the files named, and the files inside
// the directories named) are read with the heap in huge pages. Measured
// (medians of 15-21): inspect of one 126 KB capture 15 -> 20 ms (the 2 MiB
// pages cost more to clear than the faults they save), of a 0.9 MB one
// 39 -> 34 ms, of a 15 MB one 199 -> 158 ms; the trend of four 126 KB
// captures 34 -> 28 ms.
inline constexpr uintmax_t kHugeHeapFromBytes = uintmax_t{512} << 10;

// What holds for this process, as PPROF_TREND_TIMING says it.
enum class HeapPages {
  kOn,           // glibc.malloc.hugetlb=1 (or 2) is set
  kOffByUser,    // GLIBC_TUNABLES sets glibc.malloc.hugetlb=0
  kSmallInputs,  // under kHugeHeapFromBytes
  kNoThp,        // the kernel's transparent huge pages are off ("never") or unknown
  kOldGlibc,     // glibc before 2.35 has no such tunable
  kNotGlibc,     // another C library, or a sanitizer's allocator
  kExecFailed,   // executing itself again failed (no /proc): run on as it is
};
std::string_view Describe(HeapPages pages);

// The value GLIBC_TUNABLES gives glibc.malloc.hugetlb, if it gives one.
std::optional<std::string> HugetlbTunable(const char* tunables);

// Whether the arguments name files (directly, or inside a directory named)
// of at least `bytes` bytes in all. Arguments that are not files (flags,
// URLs, missing paths) count for nothing; the load says what is wrong with them.
bool InputsAtLeast(std::span<char* const> args, uintmax_t bytes);

// Decides, and when the heap should be in huge pages and is not, adds
// glibc.malloc.hugetlb=1 to GLIBC_TUNABLES and executes this program again
// with the same arguments. Returns only when it does not execute.
HeapPages UseHugePagesForTheHeap(int argc, char** argv);

}  // namespace pprof_trend
