#include "cli/output_guard.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

#include "input/load.h"
#include "model/profile_kind.h"
#include "output/render_html.h"

namespace pprof_trend {
namespace {

namespace fs = std::filesystem;

// How many arguments name `path`: the same string, or an existing file that
// is the same file (./day1.pb.gz, a link to it).
size_t TimesNamed(const std::string& path, const std::vector<std::string>& arguments) {
  std::error_code ec;
  const bool exists = fs::exists(path, ec);
  return static_cast<size_t>(std::count_if(arguments.begin(), arguments.end(), [&](const std::string& a) {
    if (a == path) return true;
    std::error_code e;
    return exists && fs::exists(a, e) && fs::equivalent(a, path, e);
  }));
}

}  // namespace

Status CheckOutputTarget(const OutputTarget& target, const std::vector<std::string>& arguments, bool force) {
  const std::string fix = fmt::format("name the output elsewhere: {} {}", target.flag, target.example);
  if (TimesNamed(target.path, arguments) > 1)
    return Status::UsageError(
        fmt::format("{} {}: is also named as an input; refusing to overwrite it ({})", target.flag, target.path, fix));
  struct stat st {};
  if (::stat(target.path.c_str(), &st) != 0) return Status();  // a new file
  if (!S_ISREG(st.st_mode))
    return Status::UsageError(fmt::format("{} {}: exists and is not a regular file; refusing to replace it ({})",
                                          target.flag, target.path, fix));
  // Read to tell what it is, at most 1 GiB: past that it is no report or
  // export of ours, and only --force replaces it.
  constexpr uint64_t kMaxTargetBytes = uint64_t{1} << 30;
  auto input = ReadInput(target.path, kMaxTargetBytes);
  if (!input.ok()) {
    if (force) return Status();
    return Status::UsageError(
        fmt::format("{} {}: exists and cannot be read to tell what it is ({}); --force replaces it", target.flag,
                    target.path, input.status().message()));
  }
  if (target.kind == OutputTarget::Kind::kHtmlReport && IsEarlierReport(input->data))
    return Status();  // an earlier report: replaced
  const bool gzip = input->data.starts_with("\x1f\x8b");
  LoadOptions options;
  options.limits.max_decompressed_bytes = uint64_t{1} << 30;
  auto profile = DecodeInput(std::move(input).value(), target.path, options);
  if (profile.ok()) {
    if (target.kind == OutputTarget::Kind::kGrowthProfile && IsGrowthExport(*profile))
      return Status();  // an earlier export: replaced
    return Status::UsageError(
        fmt::format("{} {}: is a profile (a capture?); refusing to overwrite it ({})", target.flag, target.path, fix));
  }
  if (gzip)
    return Status::UsageError(
        fmt::format("{} {}: is gzip data (a capture?); refusing to overwrite it ({})", target.flag, target.path, fix));
  if (!force)
    return Status::UsageError(fmt::format("{} {}: exists and is not an earlier pprof-trend {}; --force replaces it",
                                          target.flag, target.path,
                                          target.kind == OutputTarget::Kind::kHtmlReport ? "report" : "export"));
  return Status();
}

}  // namespace pprof_trend
