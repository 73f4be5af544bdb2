#include "analysis/allocator_frames.h"

#include <algorithm>
#include <array>
#include <unordered_map>

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
constexpr std::array<std::string_view, 25> kPrefixes = {"je_",
                                                        "_rjem_",
                                                        "tikv_jemallocator::",
                                                        "<tikv_jemallocator::Jemalloc as ",
                                                        "__rg_alloc",
                                                        "__rg_realloc",
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

bool IsGoroutineWaitFrame(std::string_view function) {
  // The scheduler's parking functions and the waits that call them.
  static constexpr std::array<std::string_view, 24> kWaitNames = {"runtime.gopark",
                                                                  "runtime.goparkunlock",
                                                                  "runtime.chanrecv",
                                                                  "runtime.chanrecv1",
                                                                  "runtime.chanrecv2",
                                                                  "runtime.chansend",
                                                                  "runtime.chansend1",
                                                                  "runtime.selectgo",
                                                                  "runtime.block",
                                                                  "runtime.semacquire",
                                                                  "runtime.semacquire1",
                                                                  "runtime.netpollblock",
                                                                  "runtime.notetsleepg",
                                                                  "runtime.selectnbrecv",
                                                                  "runtime.selectnbsend",
                                                                  "runtime.Gosched",
                                                                  "runtime.goyield",
                                                                  "runtime.park_m",
                                                                  "runtime.mcall",
                                                                  "runtime.gcParkAssist",
                                                                  "runtime.goroutineProfileWithLabels",
                                                                  "runtime.pprof_goroutineProfileWithLabels",
                                                                  "runtime.notetsleep",
                                                                  "runtime.usleep"};
  static constexpr std::array<std::string_view, 5> kWaitPrefixes = {"sync.", "internal/poll.", "syscall.", "time.Sleep",
                                                                    "runtime/internal/syscall."};
  for (std::string_view name : kWaitNames)
    if (function == name) return true;
  for (std::string_view prefix : kWaitPrefixes)
    if (function.starts_with(prefix)) return true;
  return false;
}

std::string_view GoroutineWaitReason(std::span<const std::string_view> functions_leaf_first) {
  // The first telling frame from the leaf, past runtime.gopark.
  struct Reason {
    std::string_view function, reason;
    bool prefix;
  };
  static constexpr std::array<Reason, 14> kReasons = {{
      {"runtime.chanrecv", "chan receive", true},
      {"runtime.chansend", "chan send", true},
      {"runtime.selectnbrecv", "chan receive", false},
      {"runtime.selectnbsend", "chan send", false},
      {"runtime.selectgo", "select", false},
      {"runtime.block", "select (no cases)", false},
      {"runtime.netpollblock", "IO wait", false},
      {"time.Sleep", "sleep", false},
      {"sync.(*Mutex).", "sync.Mutex.Lock", true},
      {"sync.(*RWMutex).", "sync.RWMutex.Lock", true},
      {"sync.(*WaitGroup).Wait", "sync.WaitGroup.Wait", false},
      {"sync.(*Cond).Wait", "sync.Cond.Wait", false},
      {"sync.runtime_notifyListWait", "sync.Cond.Wait", false},
      {"syscall.", "syscall", true},
  }};
  // Mutexes and wait groups reach gopark through semacquire: the sync frame
  // above it says which.
  bool semacquire = false;
  for (std::string_view f : functions_leaf_first) {
    if (!IsGoroutineWaitFrame(f)) break;
    for (const Reason& r : kReasons)
      if (r.prefix ? f.starts_with(r.function) : f == r.function) return r.reason;
    semacquire = semacquire || f.starts_with("runtime.semacquire") || f.starts_with("sync.runtime_Semacquire");
  }
  return semacquire ? "semacquire" : "";
}

void MarkProfilerFrames(const AlignedProfiles& aligned, std::vector<char>& is_allocator) {
  // The stacks that count: not empty, not "(no stack)".
  std::vector<char> no_stack(aligned.frames.size());
  for (size_t f = 0; f < no_stack.size(); ++f) no_stack[f] = aligned.frames[f].function == kNoStackName;
  const auto counts = [&](const AlignedSite& site) { return !site.frames.empty() && !no_stack[site.frames.back()]; };
  // The frames every stack shares at its leaf, short of its root: position
  // d counts from the leaf (0). One pass, which stops once two stacks'
  // leaves differ (most profiles': a Go program's, from its several
  // allocation functions).
  const auto at = [](IdSpan stack, size_t d) { return stack[stack.size() - 1 - d]; };
  IdSpan first;
  size_t stacks = 0, shared = 0;
  for (const AlignedSite& site : aligned.sites) {
    if (!counts(site)) continue;
    const IdSpan s = site.frames;
    if (stacks++ == 0) {
      first = s;
      shared = s.size() - 1;
      continue;
    }
    size_t d = 0;
    while (d < shared && d + 1 < s.size() && at(s, d) == at(first, d)) ++d;
    shared = d;
    if (shared == 0) return;
  }
  if (stacks < 2 || shared == 0) return;
  bool named = false;
  for (size_t d = 0; d < shared; ++d) {
    named = named || is_allocator[at(first, d)];
    is_allocator[at(first, d)] = 1;
  }
  if (named) return;
  // The entry points: frames at position `shared` in two or more stacks and
  // at no other position in any.
  std::unordered_map<uint32_t, size_t> entry;  // frame -> stacks it is the entry of
  for (const AlignedSite& site : aligned.sites)
    if (counts(site) && site.frames.size() > shared) ++entry[at(site.frames, shared)];
  for (const AlignedSite& site : aligned.sites)
    if (counts(site))
      for (size_t d = 0; d < site.frames.size(); ++d)
        if (d != shared) entry.erase(at(site.frames, d));
  for (const auto& [frame, count] : entry)
    if (count >= 2) is_allocator[frame] = 1;
}

}  // namespace pprof_trend
