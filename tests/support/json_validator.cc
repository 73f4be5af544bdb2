#include "support/json_validator.h"

#include <vector>

#include "base/utf8.h"

namespace pprof_trend::testing {
namespace {

class Validator {
 public:
  explicit Validator(std::string_view s) : s_(s) {}

  std::string Run() {
    // Iterative over containers: an explicit stack of what is open.
    SkipSpace();
    if (!Value()) return Error();
    SkipSpace();
    if (i_ != s_.size()) return Error("trailing characters");
    return "";
  }

 private:
  std::string Error(std::string what = "") { return (what.empty() ? error_ : what) + " at byte " + std::to_string(i_); }
  void SkipSpace() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }
  bool Fail(const char* what) {
    error_ = what;
    return false;
  }

  bool Value() {
    std::vector<char> open;  // '{' or '['
    while (true) {
      SkipSpace();
      if (i_ >= s_.size()) return Fail("unexpected end");
      char c = s_[i_];
      bool scalar_done = false;
      if (c == '{' || c == '[') {
        ++i_;
        SkipSpace();
        if (i_ < s_.size() && s_[i_] == (c == '{' ? '}' : ']')) {
          ++i_;
          scalar_done = true;
        } else {
          open.push_back(c);
          if (c == '{') {
            if (!String()) return false;
            SkipSpace();
            if (i_ >= s_.size() || s_[i_] != ':') return Fail("expected ':'");
            ++i_;
          }
          continue;
        }
      } else if (c == '"') {
        if (!String()) return false;
        scalar_done = true;
      } else if (c == '-' || (c >= '0' && c <= '9')) {
        if (!Number()) return false;
        scalar_done = true;
      } else if (s_.substr(i_, 4) == "true" || s_.substr(i_, 4) == "null") {
        i_ += 4;
        scalar_done = true;
      } else if (s_.substr(i_, 5) == "false") {
        i_ += 5;
        scalar_done = true;
      } else {
        return Fail("unexpected character");
      }
      // After a value: close containers or expect a separator.
      while (scalar_done) {
        SkipSpace();
        if (open.empty()) return true;
        if (i_ >= s_.size()) return Fail("unexpected end");
        char close = open.back() == '{' ? '}' : ']';
        if (s_[i_] == close) {
          ++i_;
          open.pop_back();
          continue;
        }
        if (s_[i_] != ',') return Fail("expected ',' or a closing bracket");
        ++i_;
        if (open.back() == '{') {
          SkipSpace();
          if (!String()) return false;
          SkipSpace();
          if (i_ >= s_.size() || s_[i_] != ':') return Fail("expected ':'");
          ++i_;
        }
        scalar_done = false;
      }
    }
  }

  bool String() {
    if (i_ >= s_.size() || s_[i_] != '"') return Fail("expected a string");
    ++i_;
    while (i_ < s_.size()) {
      unsigned char c = static_cast<unsigned char>(s_[i_]);
      if (c == '"') {
        ++i_;
        return true;
      }
      if (c < 0x20) return Fail("control character in a string");
      if (c == '\\') {
        if (++i_ >= s_.size()) return Fail("unexpected end");
        char e = s_[i_];
        if (e == 'u') {
          for (int k = 1; k <= 4; ++k)
            if (i_ + k >= s_.size() || !std::isxdigit(static_cast<unsigned char>(s_[i_ + k]))) return Fail("bad \\u");
          i_ += 5;
          continue;
        }
        if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) return Fail("bad escape");
        ++i_;
        continue;
      }
      size_t len = Utf8SequenceLength(s_, i_);
      if (len == 0) return Fail("invalid UTF-8 in a string");
      i_ += len;
    }
    return Fail("unterminated string");
  }

  bool Number() {
    size_t start = i_;
    if (s_[i_] == '-') ++i_;
    if (i_ >= s_.size()) return Fail("bad number");
    if (s_[i_] == '0') {
      ++i_;
    } else if (s_[i_] >= '1' && s_[i_] <= '9') {
      while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
    } else {
      return Fail("bad number");
    }
    if (i_ < s_.size() && s_[i_] == '.') {
      ++i_;
      size_t digits = i_;
      while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
      if (i_ == digits) return Fail("bad fraction");
    }
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      ++i_;
      if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
      size_t digits = i_;
      while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
      if (i_ == digits) return Fail("bad exponent");
    }
    return i_ > start;
  }

  std::string_view s_;
  size_t i_ = 0;
  std::string error_;
};

}  // namespace

std::string ValidateJson(std::string_view text) { return Validator(text).Run(); }

}  // namespace pprof_trend::testing
