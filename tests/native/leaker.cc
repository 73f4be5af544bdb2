// leaker: a small C++ program with a known heap, for the native-profiler
// tests. Each phase leaks kLeakPerPhase objects of kLeakSize bytes from
// leak_small() (never freed), allocates three sizes from three_sizes()
// (kept: 100 each of 96, 448 and 1536 bytes per phase), keeps 50 objects of
// 256 bytes from cache_insert(), inlined into grow_cache() (so its frames
// are one address with an inlined frame), churns (allocates and frees), and
// keeps one stable buffer from stable_cache(). After each
// phase it dumps a heap profile with the allocator's own API:
//   gperftools (built with -DWITH_TCMALLOC, linked with -ltcmalloc):
//     HeapProfilerStart(PREFIX) + HeapProfilerDump -> PREFIX.000N.heap
//   jemalloc (built with -DWITH_JEMALLOC, linked with -ljemalloc; run with
//     MALLOC_CONF=prof:true,...): mallctl("prof.dump") -> PREFIX.phaseN.heap
// Usage: leaker PREFIX PHASES
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#ifdef WITH_TCMALLOC
#include <gperftools/heap-profiler.h>
#endif
#ifdef WITH_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif

namespace {

constexpr int kLeakPerPhase = 5000;
constexpr size_t kLeakSize = 96;

std::vector<void*>* g_kept;  // everything kept alive (the leak and the three sizes)

__attribute__((noinline)) void* leak_small() {
  void* p = std::malloc(kLeakSize);
  std::memset(p, 1, kLeakSize);
  return p;
}

__attribute__((noinline)) void* three_sizes(int i) {
  static const size_t sizes[] = {96, 448, 1536};
  void* p = std::malloc(sizes[i % 3]);
  std::memset(p, 2, sizes[i % 3]);
  return p;
}

// Always inlined: its malloc call's return address is inside grow_cache().
__attribute__((always_inline)) inline void* cache_insert(size_t size) {
  void* p = std::malloc(size);
  std::memset(p, 4, size);
  return p;
}

__attribute__((noinline)) void grow_cache() {
  for (int i = 0; i < 50; ++i) g_kept->push_back(cache_insert(256));
}

__attribute__((noinline)) void churn() {
  for (int i = 0; i < 20000; ++i) {
    char* volatile p = new char[200 + i % 300];
    p[0] = 1;
    delete[] p;
  }
}

__attribute__((noinline)) void* stable_cache() {
  void* p = std::malloc(1 << 20);
  std::memset(p, 3, 1 << 20);
  return p;
}

void Dump(const char* prefix, int phase) {
#ifdef WITH_TCMALLOC
  (void)prefix;
  HeapProfilerDump("phase");
#endif
#ifdef WITH_JEMALLOC
  std::string name = std::string(prefix) + ".phase" + std::to_string(phase) + ".heap";
  const char* p = name.c_str();
  if (mallctl("prof.dump", nullptr, nullptr, &p, sizeof(p)) != 0) {
    std::fprintf(stderr, "leaker: prof.dump failed (run with MALLOC_CONF=prof:true)\n");
    std::exit(1);
  }
#endif
  (void)prefix;
  (void)phase;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: leaker PREFIX PHASES\n");
    return 2;
  }
  const char* prefix = argv[1];
  const int phases = std::atoi(argv[2]);
#ifdef WITH_TCMALLOC
  HeapProfilerStart(prefix);
#endif
  g_kept = new std::vector<void*>();
  g_kept->reserve(static_cast<size_t>(phases) * (kLeakPerPhase + 350) + 1);
  g_kept->push_back(stable_cache());
  for (int phase = 1; phase <= phases; ++phase) {
    for (int i = 0; i < kLeakPerPhase; ++i) g_kept->push_back(leak_small());
    for (int i = 0; i < 300; ++i) g_kept->push_back(three_sizes(i));
    grow_cache();
    churn();
    Dump(prefix, phase);
  }
#ifdef WITH_TCMALLOC
  HeapProfilerStop();
#endif
  return 0;
}
