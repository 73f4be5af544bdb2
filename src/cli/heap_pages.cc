#include "cli/heap_pages.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#ifdef __GLIBC__
#include <gnu/libc-version.h>
#endif

namespace pprof_trend {

std::string_view Describe(HeapPages pages) {
  switch (pages) {
    case HeapPages::kOn: return "on (GLIBC_TUNABLES glibc.malloc.hugetlb)";
    case HeapPages::kOffByUser: return "off (GLIBC_TUNABLES sets glibc.malloc.hugetlb=0)";
    case HeapPages::kSmallInputs:
      static_assert(kHugeHeapFromBytes == 512 << 10, "the text below says the size");
      return "off (inputs under 512 KiB)";
    case HeapPages::kNoThp: return "off (the kernel's transparent huge pages are off)";
    case HeapPages::kOldGlibc: return "off (glibc before 2.35)";
    case HeapPages::kNotGlibc: return "off (not glibc's allocator)";
    case HeapPages::kExecFailed: return "off (could not execute /proc/self/exe)";
  }
  return "off";
}

std::optional<std::string> HugetlbTunable(const char* tunables) {
  if (tunables == nullptr) return std::nullopt;
  // name=value pairs separated by colons; the last one of a name wins.
  constexpr std::string_view kName = "glibc.malloc.hugetlb=";
  std::optional<std::string> value;
  std::string_view rest(tunables);
  while (!rest.empty()) {
    const size_t colon = rest.find(':');
    const std::string_view pair = rest.substr(0, colon);
    if (pair.starts_with(kName)) value = std::string(pair.substr(kName.size()));
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  return value;
}

bool InputsAtLeast(std::span<char* const> args, uintmax_t bytes) {
  namespace fs = std::filesystem;
  uintmax_t total = 0;
  for (const char* arg : args) {
    if (arg == nullptr || arg[0] == '-' || arg[0] == '\0') continue;
    std::error_code ec;
    const fs::path path(arg);
    const fs::file_status status = fs::status(path, ec);
    if (ec) continue;
    if (fs::is_regular_file(status)) {
      const uintmax_t size = fs::file_size(path, ec);
      if (!ec) total += size;
    } else if (fs::is_directory(status)) {
      // A directory of many small files is counted as far as its first
      // 10,000 entries (a look at each is a system call).
      size_t seen = 0;
      for (fs::directory_iterator it(path, ec), end; !ec && it != end && total < bytes && seen < 10000;
           it.increment(ec), ++seen) {
        std::error_code entry_ec;
        if (it->is_regular_file(entry_ec)) {
          const uintmax_t size = it->file_size(entry_ec);
          if (!entry_ec) total += size;
        }
      }
    }
    if (total >= bytes) return true;
  }
  return false;
}

namespace {

// The kernel gives transparent huge pages to ranges marked for them unless
// its setting is "never" (or unknown).
[[maybe_unused]] bool KernelHasThp() {
  std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
  char buffer[256];  // "always [madvise] never\n"
  in.read(buffer, sizeof buffer);
  const std::string_view line(buffer, static_cast<size_t>(in.gcount()));
  return line.find("[never]") == std::string_view::npos && line.find('[') != std::string_view::npos;
}

}  // namespace

HeapPages UseHugePagesForTheHeap(int argc, char** argv) {
#if !defined(__GLIBC__) || defined(__SANITIZE_ADDRESS__)
  (void)argc;
  (void)argv;
  return HeapPages::kNotGlibc;
#else
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  if (const std::optional<std::string> set = HugetlbTunable(tunables))
    return *set == "0" ? HeapPages::kOffByUser : HeapPages::kOn;
  const std::string_view version = gnu_get_libc_version();  // "2.36"
  const size_t dot = version.find('.');
  const int major = std::atoi(std::string(version.substr(0, dot)).c_str());
  const int minor = dot == std::string_view::npos ? 0 : std::atoi(std::string(version.substr(dot + 1)).c_str());
  if (major < 2 || (major == 2 && minor < 35)) return HeapPages::kOldGlibc;
  if (!KernelHasThp()) return HeapPages::kNoThp;
  if (argc < 2 || !InputsAtLeast(std::span<char* const>(argv + 1, static_cast<size_t>(argc - 1)), kHugeHeapFromBytes))
    return HeapPages::kSmallInputs;
  const std::string previous = tunables == nullptr ? "" : tunables;
  const std::string value = previous.empty() ? "glibc.malloc.hugetlb=1" : previous + ":glibc.malloc.hugetlb=1";
  if (setenv("GLIBC_TUNABLES", value.c_str(), 1) != 0) return HeapPages::kExecFailed;
  execv("/proc/self/exe", argv);
  // Still here: run on as it is, with the environment as it was.
  if (tunables == nullptr) {
    unsetenv("GLIBC_TUNABLES");
  } else {
    setenv("GLIBC_TUNABLES", previous.c_str(), 1);
  }
  return HeapPages::kExecFailed;
#endif
}

}  // namespace pprof_trend
