#include "input/dumpheap.h"

#include <cctype>
#include <fmt/format.h>

#include "input/model_builder.h"

namespace pprof_trend {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string_view NextWord(std::string_view& s) {
  s = Trim(s);
  size_t n = 0;
  while (n < s.size() && !std::isspace(static_cast<unsigned char>(s[n]))) ++n;
  std::string_view w = s.substr(0, n);
  s.remove_prefix(n);
  return w;
}

bool IsHeaderLine(std::string_view line) {
  std::string_view s = line;
  return NextWord(s) == "MT" && NextWord(s) == "Count" && NextWord(s) == "TotalSize" && NextWord(s) == "Class" &&
         NextWord(s) == "Name";
}

bool ParseMethodTable(std::string_view w) {
  if (w.starts_with("0x") || w.starts_with("0X")) w.remove_prefix(2);
  if (w.empty()) return false;
  for (char c : w)
    if (!std::isxdigit(static_cast<unsigned char>(c)) && c != '`') return false;
  return true;
}

// "412,553" -> 412553; separators must group by three.
bool ParseCount(std::string_view w, int64_t* out) {
  if (w.empty() || w.front() == ',' || w.back() == ',') return false;
  int64_t v = 0;
  size_t digits_since_comma = 0;
  bool saw_comma = false;
  for (char c : w) {
    if (c == ',') {
      if (saw_comma && digits_since_comma != 3) return false;
      if (!saw_comma && digits_since_comma > 3) return false;
      saw_comma = true;
      digits_since_comma = 0;
      continue;
    }
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    if (v > (INT64_MAX - 9) / 10) return false;
    v = v * 10 + (c - '0');
    ++digits_since_comma;
  }
  if (saw_comma && digits_since_comma != 3) return false;
  *out = v;
  return true;
}

}  // namespace

bool IsDumpheapStat(std::string_view data) {
  size_t pos = 0;
  for (int i = 0; i < 200 && pos < data.size(); ++i) {
    size_t end = data.find('\n', pos);
    if (end == std::string_view::npos) end = data.size();
    if (IsHeaderLine(data.substr(pos, end - pos))) return true;
    pos = end + 1;
  }
  return false;
}

StatusOr<Profile> ParseDumpheapStat(std::string_view data, const std::string& source, const Limits& limits) {
  ModelBuilder model(source);
  model.SetSampleTypes({{"inuse_objects", "count"}, {"inuse_space", "bytes"}});
  size_t pos = 0, line_number = 0;
  bool in_table = false, saw_total = false;
  while (pos < data.size()) {
    size_t end = data.find('\n', pos);
    if (end == std::string_view::npos) end = data.size();
    std::string_view line = data.substr(pos, end - pos);
    pos = end + 1;
    ++line_number;
    auto error = [&](std::string what) {
      return Status::InputError(fmt::format("{}:{}: {}", source, line_number, what));
    };
    std::string_view trimmed = Trim(line);
    if (!in_table) {
      in_table = IsHeaderLine(trimmed);
      continue;
    }
    if (trimmed.empty()) continue;
    if (trimmed.starts_with("Total ")) {
      saw_total = true;
      break;
    }
    std::string_view rest = trimmed;
    std::string_view mt = NextWord(rest), count_word = NextWord(rest), size_word = NextWord(rest);
    std::string_view name = Trim(rest);
    int64_t count = 0, size = 0;
    if (!ParseMethodTable(mt) || !ParseCount(count_word, &count) || !ParseCount(size_word, &size) || name.empty())
      return error(fmt::format("expected a row \"MT Count TotalSize Class Name\", got \"{}\"",
                               trimmed.substr(0, std::min<size_t>(trimmed.size(), 60))));
    if (name.size() > limits.max_string_length)
      return error(fmt::format("a type name over the limit of {} bytes (--max-string-length raises it)",
                               limits.max_string_length));
    if (model.num_samples() >= limits.max_samples)
      return error(fmt::format("more than {} rows (--max-samples raises it)", limits.max_samples));
    uint32_t location = model.FrameLocation(name, "", 0);
    std::optional<int64_t> each;
    if (count > 0 && size % count == 0) each = size / count;
    model.AddSample({location}, {count, size}, each);
  }
  if (!in_table)
    return Status::InputError(fmt::format("{}: no \"MT Count TotalSize Class Name\" header found", source));
  if (!saw_total)
    return Status::InputError(fmt::format("{}: truncated heap statistics: no \"Total N objects\" line", source));
  Profile profile = std::move(model).Finish();
  if (!ValueTotalsFit(profile))
    return Status::InputError(fmt::format("{}: counts or sizes too large (their totals overflow 64 bits)", source));
  return profile;
}

}  // namespace pprof_trend
