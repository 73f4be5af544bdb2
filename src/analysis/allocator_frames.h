// Frames that allocate on behalf of their caller, per ecosystem, in one
// place: a site is named by its deepest frame that is none of these (the
// call path still shows them). Go's runtime, glibc malloc, C++'s operator
// new, gperftools/tcmalloc, jemalloc and Rust's alloc.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "analysis/align.h"

namespace pprof_trend {

// `function` as aligned (demangled, without parameters); `file` the source
// file or, for a frame without symbols, the mapped file.
bool IsAllocatorFrame(std::string_view function, std::string_view file);

// Go's scheduler and blocking frames at a goroutine's leaf (runtime.gopark,
// chanrecv, selectgo, sync's and internal/poll's waits, time.Sleep,
// syscall): in a goroutine profile a stack is named by its deepest frame
// that is none of these, the code that waits.
bool IsGoroutineWaitFrame(std::string_view function);

// What a goroutine with this stack (function names, leaf first) waits on,
// in the words of Go's goroutine dump: "chan receive", "chan send",
// "select", "select (no cases)", "sync.Mutex.Lock", "sync.WaitGroup.Wait",
// "sync.Cond.Wait", "semacquire", "IO wait", "sleep", "syscall"; empty when
// the stack shows no wait (running).
std::string_view GoroutineWaitReason(std::span<const std::string_view> functions_leaf_first);

// The profiler's own frames, found by their place rather than their name
// (a statically linked jemalloc in a stripped binary: "app+0x9e10f"):
//   - the frames every stack of the series shares at its leaf, when there
//     are two or more stacks (one stack has nothing to tell apart);
//   - when those shared frames are no allocator's by name, also the frames
//     just above them that sit there in two or more stacks and nowhere else
//     (the allocator's entry points: malloc, calloc, mallocx, each shared
//     by many sites, never in a program's own path).
// Marked in `is_allocator` (one flag per aligned frame), so that a site is
// named by its program's frame.
void MarkProfilerFrames(const AlignedProfiles& aligned, std::vector<char>& is_allocator);

}  // namespace pprof_trend
