#include "input/sniff.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <vector>

#include "base/utf8.h"
#include "input/text_scan.h"

namespace pprof_trend {
namespace {

constexpr size_t kSniffBytes = 4096;

// Printable UTF-8 and ordinary white space throughout the first bytes. A
// pprof protobuf starts with a length-delimited field whose length and
// varints are control bytes, so it never passes.
bool LooksLikeText(std::string_view head) {
  size_t i = 0;
  while (i < head.size()) {
    const auto c = static_cast<unsigned char>(head[i]);
    if (c < 0x80) {
      if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f') return false;
      if (c == 0x7f) return false;
      ++i;
      continue;
    }
    const size_t n = Utf8SequenceLength(head, i);
    if (n == 0) return head.size() - i < 4 && head.size() == kSniffBytes;  // cut mid-character at the end
    i += n;
  }
  return true;
}

}  // namespace

bool LooksBinary(std::string_view data) {
  return std::any_of(data.begin(), data.begin() + static_cast<ptrdiff_t>(std::min(data.size(), kSniffBytes)),
                     [](char ch) {
                       const auto c = static_cast<unsigned char>(ch);
                       return (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f') || c == 0x7f;
                     });
}

namespace {

// gperftools' and Go's legacy binary CPU profile: a header of words
// 0, 3, 0 (Java's: 0, 3, 1), then the period; 32- or 64-bit, either order.
std::optional<std::string> DescribeLegacyCpuProfile(std::string_view data) {
  auto word = [&](size_t width, size_t index, bool big_endian) {
    uint64_t v = 0;
    for (size_t b = 0; b < width; ++b) {
      const auto byte = static_cast<unsigned char>(data[index * width + (big_endian ? b : width - 1 - b)]);
      v = (v << 8) | byte;
    }
    return v;
  };
  for (size_t width : {size_t{4}, size_t{8}}) {
    if (data.size() < 5 * width) continue;
    for (bool big_endian : {false, true})
      if (word(width, 0, big_endian) == 0 && word(width, 1, big_endian) == 3 && word(width, 2, big_endian) <= 1)
        return std::string(word(width, 2, big_endian) == 1
                               ? "a Java CPU profile (pprof's legacy binary form), not a heap profile"
                               : "a legacy binary CPU profile (gperftools or an old Go), not a heap profile");
  }
  return std::nullopt;
}

std::string_view FirstLine(std::string_view text) {
  size_t start = text.find_first_not_of(" \t\r\n\f");
  if (start == std::string_view::npos) return {};
  text.remove_prefix(start);
  return text.substr(0, std::min(text.find_first_of("\r\n"), text.size()));
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// A short, terminal-safe quotation: at most 60 characters.
std::string Quote(std::string_view s) {
  std::string safe = TerminalSafe(s);
  if (safe.size() > 60) {
    size_t cut = 57;
    while (cut > 0 && (static_cast<unsigned char>(safe[cut]) & 0xc0) == 0x80) --cut;  // not inside a character
    safe = safe.substr(0, cut) + "...";
  }
  return "\"" + safe + "\"";
}

// A number as heap tables print it: digits, grouped by ',', '.' or spaces.
bool TableNumber(std::string_view w) {
  return !w.empty() && std::isdigit(static_cast<unsigned char>(w.front())) &&
         std::all_of(w.begin(), w.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == ',' || c == '.'; });
}

// Rows of a heap table pasted without the header line its reader looks for:
// "MT Count TotalSize Class Name" rows (a method table in hex, two numbers,
// a type), or a Java histogram's "N: instances bytes class" rows.
std::optional<std::string> DescribeHeadlessTable(std::string_view line) {
  std::vector<std::string_view> words;
  for (std::string_view w = NextWord(line); !w.empty() && words.size() < 4; w = NextWord(line)) words.push_back(w);
  if (words.size() < 4) return std::nullopt;
  std::string_view mt = words[0];
  if (mt.starts_with("0x")) mt.remove_prefix(2);
  const bool hex = mt.size() >= 8 && mt.size() <= 16 && std::all_of(mt.begin(), mt.end(), [](char c) {
                     return std::isxdigit(static_cast<unsigned char>(c));
                   });
  if (hex && TableNumber(words[1]) && TableNumber(words[2]))
    return std::string(
        "rows of a \"dumpheap -stat\" table without its header line (\"MT Count TotalSize Class Name\"): paste the "
        "table with its header and its \"Total N objects\" line");
  if (words[0].size() > 1 && words[0].back() == ':' && TableNumber(words[0].substr(0, words[0].size() - 1)) &&
      TableNumber(words[1]) && TableNumber(words[2]))
    return std::string(
        "rows of a Java class histogram without its header line (\" num #instances #bytes class name\"): paste the "
        "histogram with its header and its \"Total\" line");
  return std::nullopt;
}

std::optional<std::string> DescribeText(std::string_view text) {
  const std::string_view line = FirstLine(text);
  if (line.empty()) return std::string("blank text, not a profile");
  auto starts = [&](std::string_view prefix) { return line.starts_with(prefix); };
  const std::string head = Lower(text.substr(0, kSniffBytes));
  if (starts("--- heapz"))  // "--- heapz 1 ---" is read (legacy_heap)
    return fmt::format(
        "a legacy heap profile of a version pprof-trend does not read ({}; it reads \"--- heapz 1 ---\")", Quote(line));
  if (starts("--- contention") || starts("--- contentionz") || starts("--- mutex"))
    return fmt::format("a contention profile in legacy text ({}), not a heap profile", Quote(line));
  if (starts("--- threadz"))
    return std::string("a thread profile in legacy text (\"--- threadz\"), not a heap profile");
  if (starts("threadcreate profile:"))
    return std::string("a Go threadcreate profile (debug=1 text), not a heap profile");
  if (starts("goroutine profile:")) return std::string("a Go goroutine profile (debug=1 text), not a heap profile");
  if (starts("--- ")) return fmt::format("a legacy text profile ({}), not a heap profile", Quote(line));
  if (head.find("<!doctype html") != std::string::npos || head.find("<html") != std::string::npos) {
    std::string title;
    const size_t open = head.find("<title>");
    if (open != std::string::npos) {
      const size_t close = head.find("</title>", open);
      if (close != std::string::npos) title = " (" + Quote(text.substr(open + 7, close - open - 7)) + ")";
    }
    return fmt::format("an HTML page{}, not a profile (an error or index page from a server?)", title);
  }
  if (starts("{") || starts("[")) return std::string("JSON text, not a profile");
  if (auto rows = DescribeHeadlessTable(line)) return rows;
  return fmt::format("text, not a profile; it begins {}", Quote(line));
}

}  // namespace

std::optional<std::string> DescribeNonProtobuf(std::string_view data) {
  if (auto cpu = DescribeLegacyCpuProfile(data)) return cpu;
  if (LooksLikeText(data.substr(0, kSniffBytes))) return DescribeText(data);
  return std::nullopt;
}

}  // namespace pprof_trend
