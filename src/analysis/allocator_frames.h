// Frames that allocate on behalf of their caller, per ecosystem, in one
// place: a site is named by its deepest frame that is none of these (the
// call path still shows them). Go's runtime, glibc malloc, C++'s operator
// new, gperftools/tcmalloc, jemalloc and Rust's alloc.
#pragma once

#include <string_view>
#include <vector>

#include "analysis/align.h"

namespace pprof_trend {

// `function` as aligned (demangled, without parameters); `file` the source
// file or, for a frame without symbols, the mapped file.
bool IsAllocatorFrame(std::string_view function, std::string_view file);

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
