// UTF-8 validation shared by every output that must stay well-formed (JSON,
// XML, HTML) whatever bytes a profile's strings hold.
#pragma once

#include <string>
#include <string_view>

namespace pprof_trend {

// Length of the valid UTF-8 sequence starting at s[i] (1 for ASCII), or 0
// when the bytes there are not valid UTF-8 (overlong, surrogate, > U+10FFFF,
// truncated).
inline size_t Utf8SequenceLength(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
  if (len == 0 || i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k)
    if ((byte(i + k) & 0xc0) != 0x80) return 0;
  if (len == 2 && c < 0xc2) return 0;                                          // overlong
  if (len == 3 && c == 0xe0 && byte(i + 1) < 0xa0) return 0;                   // overlong
  if (len == 3 && c == 0xed && byte(i + 1) >= 0xa0) return 0;                  // surrogates
  if (len == 4 && c == 0xf0 && byte(i + 1) < 0x90) return 0;                   // overlong
  if (len == 4 && (c > 0xf4 || (c == 0xf4 && byte(i + 1) >= 0x90))) return 0;  // > U+10FFFF
  return len;
}

// A profile's string made safe for a terminal or a one-line message: invalid
// UTF-8 becomes U+FFFD and control characters (C0, DEL, C1; newlines and
// escape sequences included) become '?', so a hostile name can neither break
// a line nor move the cursor.
inline std::string TerminalSafe(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    size_t len = Utf8SequenceLength(s, i);
    if (len == 0) {
      out += "\xef\xbf\xbd";
      ++i;
      continue;
    }
    unsigned char c = static_cast<unsigned char>(s[i]);
    bool c1 = len == 2 && c == 0xc2 && static_cast<unsigned char>(s[i + 1]) < 0xa0;  // U+0080..U+009F
    if ((len == 1 && (c < 0x20 || c == 0x7f)) || c1) {
      out += '?';
    } else {
      out.append(s.substr(i, len));
    }
    i += len;
  }
  return out;
}

// Text for HTML and XML element content and attribute values: the markup
// characters as entities, invalid UTF-8 as U+FFFD, control characters other
// than tab and newline (not allowed in XML 1.0) as '?'.
inline std::string MarkupEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    size_t len = Utf8SequenceLength(s, i);
    if (len == 0) {
      out += "\xef\xbf\xbd";
      ++i;
      continue;
    }
    if (len > 1) {
      out.append(s.substr(i, len));
      i += len;
      continue;
    }
    char c = s[i++];
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      case '\n':
      case '\t': out += c; break;
      default: out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
    }
  }
  return out;
}

}  // namespace pprof_trend
