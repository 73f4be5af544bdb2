// What the text readers (legacy heap text, .NET heap tables, Java class
// histograms) share to walk their input: lines, and words within a line.
#pragma once

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace pprof_trend {

inline std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// The next whitespace-separated word of `s`, removed from it ("" at the end).
inline std::string_view NextWord(std::string_view& s) {
  s = Trim(s);
  size_t n = 0;
  while (n < s.size() && !std::isspace(static_cast<unsigned char>(s[n]))) ++n;
  std::string_view w = s.substr(0, n);
  s.remove_prefix(n);
  return w;
}

// A line someone put in place of rows of a pasted table: "...", "…",
// "// Abbreviated", "<snip>", "[...]". `t` is trimmed.
inline bool IsElision(std::string_view t) {
  if (t.empty()) return false;
  if (t.find_first_not_of(". ") == std::string_view::npos && t.size() >= 2) return true;
  return t == "\xE2\x80\xA6" || t.starts_with("//") || t.starts_with("<snip") || t.starts_with("[...") ||
         t.starts_with("(...") || t.starts_with("[snip") || t.starts_with("# ...");
}

// The lines of a text, one per call (a trailing '\r' removed), counted from 1
// for error messages: `Lines lines{data}; while (lines(&line)) ...`.
struct Lines {
  std::string_view data;
  size_t pos = 0, number = 0;
  bool operator()(std::string_view* line) {
    if (pos >= data.size()) return false;
    size_t end = data.find('\n', pos);
    if (end == std::string_view::npos) end = data.size();
    *line = data.substr(pos, end - pos);
    if (!line->empty() && line->back() == '\r') line->remove_suffix(1);
    pos = end + 1;
    ++number;
    return true;
  }
};

// Whether one of the first `max_lines` lines satisfies `pred`: how a reader
// tells its format by a header that may come after other text, bounded since
// every input (binary ones too) is asked.
template <typename Pred>
bool AnyOfFirstLines(std::string_view data, size_t max_lines, Pred pred) {
  Lines lines{data};
  std::string_view line;
  while (lines.number < max_lines && lines(&line))
    if (pred(line)) return true;
  return false;
}

// A count as .NET prints it in the machine's culture (SOS, dotnet-gcdump): "412553", "412,553"
// (en-US), "412.553" (de-DE), "412 553" with a no-break or narrow no-break
// space (fr-FR), "412'553" (de-CH). One separator per number, groups of three.
inline bool ParseGroupedCount(std::string_view w, int64_t* out) {
  if (w.empty()) return false;
  std::string_view separator;
  int64_t v = 0;
  size_t digits_in_group = 0;
  bool grouped = false;
  for (size_t i = 0; i < w.size();) {
    const char c = w[i];
    if (std::isdigit(static_cast<unsigned char>(c))) {
      if (v > (INT64_MAX - 9) / 10) return false;
      v = v * 10 + (c - '0');
      ++digits_in_group;
      ++i;
      continue;
    }
    std::string_view sep;
    for (std::string_view candidate : {",", ".", "'", "\xC2\xA0", "\xE2\x80\xAF"})
      if (w.substr(i).starts_with(candidate)) sep = candidate;
    if (sep.empty() || digits_in_group == 0) return false;
    if (separator.empty()) separator = sep;
    if (sep != separator) return false;
    if (grouped ? digits_in_group != 3 : digits_in_group > 3) return false;
    grouped = true;
    digits_in_group = 0;
    i += sep.size();
  }
  if (digits_in_group == 0 || (grouped && digits_in_group != 3)) return false;
  *out = v;
  return true;
}

}  // namespace pprof_trend
