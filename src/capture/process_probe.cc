#include "capture/process_probe.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <optional>
#include <string_view>
#include <vector>

namespace pprof_trend {
namespace {

// A /proc or /sys file: a few lines; read at most 64 KiB of it.
std::optional<std::string> ReadSmall(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string text(64 << 10, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  return text;
}

std::optional<int64_t> ParseNumber(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.remove_suffix(1);
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

// v1 writes "no limit" as the page counter's maximum (2^63 - 4096 on 4 KiB
// pages); anything this large is no limit.
constexpr int64_t kNoLimit = int64_t{1} << 62;

struct CgroupFiles {
  std::string mount;  // where the hierarchy is mounted
  std::string path;   // the cgroup within it
  const char* current;
  const char* max;
};

// The memory cgroup of the process, from /proc/PID/cgroup: v1's "memory"
// controller line first, else v2's "0::" line, each where its files exist.
std::optional<CgroupFiles> FindMemoryCgroup(const std::string& cgroup_file, const std::string& root) {
  std::vector<CgroupFiles> candidates;
  std::string_view text = cgroup_file;
  while (!text.empty()) {
    const size_t eol = std::min(text.find('\n'), text.size());
    std::string_view line = text.substr(0, eol);
    text.remove_prefix(std::min(eol + 1, text.size()));
    const size_t a = line.find(':'), b = a == std::string_view::npos ? a : line.find(':', a + 1);
    if (b == std::string_view::npos) continue;
    const std::string_view controllers = line.substr(a + 1, b - a - 1);
    const std::string path(line.substr(b + 1));
    bool memory = false;
    for (size_t at = 0; at <= controllers.size();) {
      const size_t comma = std::min(controllers.find(',', at), controllers.size());
      memory = memory || controllers.substr(at, comma - at) == "memory";
      at = comma + 1;
    }
    if (memory)
      candidates.insert(candidates.begin(),
                        {root + "/sys/fs/cgroup/memory", path, "memory.usage_in_bytes", "memory.limit_in_bytes"});
    if (line.substr(0, b) == "0:") {
      candidates.push_back({root + "/sys/fs/cgroup", path, "memory.current", "memory.max"});
      candidates.push_back({root + "/sys/fs/cgroup/unified", path, "memory.current", "memory.max"});
    }
  }
  for (const CgroupFiles& c : candidates)
    if (ReadSmall(c.mount + c.path + "/" + c.current)) return c;
  return std::nullopt;
}

}  // namespace

StatusOr<ProcessProbe> ProbeProcess(int pid, const std::string& root) {
  const std::string proc = fmt::format("{}/proc/{}", root, pid);
  auto status = ReadSmall(proc + "/status");
  if (!status) return Status::InputError(fmt::format("--pid {}: no such process (cannot read {}/status)", pid, proc));
  ProcessProbe probe;
  // "VmRSS:	   12345 kB"
  status->insert(0, "\n");
  if (size_t at = status->find("\nVmRSS:"); at != std::string::npos) {
    std::string_view rest = std::string_view(*status).substr(at + 7);
    rest.remove_prefix(std::min(rest.find_first_not_of(" \t"), rest.size()));
    const size_t end = std::min(rest.find(' '), rest.size());
    if (auto kb = ParseNumber(rest.substr(0, end)); kb && *kb < kNoLimit / 1024) probe.rss = *kb * 1024;
  }
  auto cgroup_file = ReadSmall(proc + "/cgroup");
  if (!cgroup_file) return probe;
  auto cgroup = FindMemoryCgroup(*cgroup_file, root);
  if (!cgroup) return probe;
  probe.cgroup = cgroup->path;
  if (auto text = ReadSmall(cgroup->mount + cgroup->path + "/" + cgroup->current))
    if (auto v = ParseNumber(*text)) probe.cgroup_current = *v;
  // The enforced limit: the smallest of the cgroup's and its ancestors'.
  std::string path = cgroup->path;
  while (true) {
    if (auto text = ReadSmall(cgroup->mount + path + "/" + cgroup->max))
      if (auto v = ParseNumber(*text); v && *v < kNoLimit)
        probe.cgroup_max = probe.cgroup_max < 0 ? *v : std::min(probe.cgroup_max, *v);
    if (path.empty() || path == "/") break;
    path = path.substr(0, path.rfind('/'));
  }
  return probe;
}

}  // namespace pprof_trend
