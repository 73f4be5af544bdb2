// Frames that allocate on behalf of their caller, per ecosystem, in one
// place: a site is named by its deepest frame that is none of these (the
// call path still shows them). Go's runtime, glibc malloc, C++'s operator
// new, gperftools/tcmalloc, jemalloc and Rust's alloc.
#pragma once

#include <string_view>

namespace pprof_trend {

// `function` as aligned (demangled, without parameters); `file` the source
// file or, for a frame without symbols, the mapped file.
bool IsAllocatorFrame(std::string_view function, std::string_view file);

}  // namespace pprof_trend
