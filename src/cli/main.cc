// The pprof-trend executable: everything lives in the library (cli.h).
#include <cstdlib>
#include <iostream>
#include <new>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "cli/cli.h"
#include "cli/heap_pages.h"

namespace {
// The output is written and flushed (cli.h, ExitNow): skip tearing down the
// analysis and the static objects.
[[noreturn]] void ExitNow(int exit_code) {
  std::cout.flush();
  std::cerr.flush();
  std::_Exit(exit_code);
}
}  // namespace

int main(int argc, char** argv) {
  // First of all: it may execute this program again (cli/heap_pages.h).
  const pprof_trend::HeapPages heap_pages = pprof_trend::UseHugePagesForTheHeap(argc, argv);
  if (std::getenv("PPROF_TREND_TIMING") != nullptr)
    std::cerr << "pprof-trend: timing: heap in huge pages: " << pprof_trend::Describe(heap_pages) << "\n";
#ifdef __GLIBC__
  // Every profile's buffers (the file, its inflated bytes, the decoded
  // tables: megabytes each) would be fresh mmaps, zeroed by the kernel and
  // unmapped after each file: over a long series, a fifth of the CPU time
  // went to page faults. Buffers under 8 MiB stay in the heap for the next
  // file instead (larger ones, of large profiles, are still given back at
  // once: they are few, and held they would raise the peak); the pipeline
  // hands the rest back after loading (malloc_trim). Measured on 720
  // captures of 1.2 MB: system time 2.8 s -> 0.2 s, wall 8.2 s -> 6.2 s.
  mallopt(M_MMAP_THRESHOLD, 8 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  // The heap grows 16 MiB beyond each request (glibc's default is 128 KiB):
  // an input read whole (a raw protobuf, standard input, a URL's body) up
  // to that size is then read into the heap, not into a mapping of its own,
  // and the decoder's tables that follow reuse its pages, already faulted
  // in, instead of faulting in fresh ones (a fault costs ~10 us on this VM).
  // Measured when gzip files were still read whole: inspect of one 14 MB
  // Go-shaped profile 6,200 -> 2,100 page faults, 0.26 -> 0.22 s; its
  // 3-capture trend 29,200 -> 22,300 faults, 4 MB more peak. (A gzip file
  // is now inflated as it is read, with no such buffer; the heap in huge
  // pages, cli/heap_pages.h, is what spares its tables the faults.)
  mallopt(M_TOP_PAD, 16 << 20);
#endif
  try {
    return pprof_trend::RunCli(argc, argv, std::cout, std::cerr, ExitNow);
  } catch (const std::bad_alloc&) {
    // Memory ran out (a memory limit, or inputs past what the machine
    // holds): said, exit 2, never an abort.
    std::cout.flush();
    std::cerr << "pprof-trend: out of memory: the inputs need more memory than this process may use (README "
                 "\"Exit codes and limits\": --max-samples and --max-decompressed bound what is read)\n";
    return 2;
  }
}
