// What the text readers (legacy heap text, .NET heap tables, Java class
// histograms) share to walk their input: lines, and words within a line.
#pragma once

#include <cctype>
#include <cstddef>
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

}  // namespace pprof_trend
