#include "analysis/allocator_frames.h"

#include <array>

namespace pprof_trend {
namespace {

// Whole names.
constexpr std::array<std::string_view, 56> kNames = {
    // Go runtime
    "runtime.mallocgc", "runtime.newobject", "runtime.newarray", "runtime.makechan", "runtime.makeslice",
    "runtime.makeslicecopy", "runtime.growslice", "runtime.makemap", "runtime.makemap_small", "runtime.mapassign",
    "runtime.mapassign_fast64", "runtime.mapassign_fast32", "runtime.mapassign_faststr", "runtime.hashGrow",
    "runtime.rawstring", "runtime.rawstringtmp", "runtime.rawbyteslice", "runtime.rawruneslice",
    "runtime.concatstrings", "runtime.concatstring2", "runtime.concatstring3", "runtime.concatstring4",
    "runtime.concatstring5", "runtime.slicebytetostring", "runtime.stringtoslicebyte", "runtime.stringtoslicerune",
    "runtime.convT", "runtime.convT16", "runtime.convT32", "runtime.convT64", "runtime.convTstring",
    "runtime.convTslice", "runtime.convTnoptr", "runtime.malg", "runtime.mallocgc.func1", "runtime.profilealloc",
    "runtime.mProf_Malloc",
    // C and C++
    "malloc", "calloc", "realloc", "reallocarray", "aligned_alloc", "memalign", "posix_memalign", "valloc", "pvalloc",
    "strdup", "strndup", "__libc_malloc", "__libc_calloc", "__libc_realloc", "operator new", "operator new[]",
    "__rust_alloc", "__rust_alloc_zeroed", "__rust_realloc"};

// Name prefixes: allocators' internals.
constexpr std::array<std::string_view, 20> kPrefixes = {"je_",
                                                        "prof_",
                                                        "imalloc",
                                                        "ialloc",
                                                        "iralloc",
                                                        "malloc_default",
                                                        "_int_malloc",
                                                        "_int_realloc",
                                                        "tc_",
                                                        "tcmalloc::",
                                                        "(anonymous namespace)::do_malloc",
                                                        "(anonymous namespace)::do_calloc",
                                                        "MallocHook",
                                                        "__rdl_",
                                                        "alloc::alloc::",
                                                        "alloc::raw_vec::",
                                                        "<alloc::alloc::Global as core::alloc::Allocator>",
                                                        "std::__new_allocator",
                                                        "__gnu_cxx::new_allocator",
                                                        "std::allocator_traits"};

// The allocator's own libraries: every frame in them (named or not).
constexpr std::array<std::string_view, 3> kLibraries = {"libjemalloc.so", "libtcmalloc", "libjemalloc_pic"};

}  // namespace

bool IsAllocatorFrame(std::string_view function, std::string_view file) {
  for (std::string_view name : kNames)
    if (function == name) return true;
  for (std::string_view prefix : kPrefixes)
    if (function.starts_with(prefix)) return true;
  const std::string_view base = file.substr(file.rfind('/') + 1);
  for (std::string_view library : kLibraries)
    if (base.starts_with(library)) return true;
  return false;
}

}  // namespace pprof_trend
