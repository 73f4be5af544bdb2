#include "json_writer.h"

#include <cmath>
#include <fmt/format.h>

#include "utf8.h"

namespace pprof_trend {


std::string JsonWriter::Escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      size_t len = Utf8SequenceLength(s, i);
      if (len == 0) {
        out += "\\ufffd";
        ++i;
      } else {
        out.append(s.substr(i, len));
        i += len;
      }
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '<': out += "\\u003c"; break;  // keeps "</script>" inert when JSON is embedded in HTML
      default:
        if (c < 0x20 || c == 0x7f) {
          out += fmt::format("\\u{:04x}", c);
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  out += '"';
  return out;
}

void JsonWriter::NewLine() {
  if (indent_ <= 0 || inline_) return;
  out_ += '\n';
  out_.append(has_items_.size() * static_cast<size_t>(indent_), ' ');
}

void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!has_items_.empty()) {
    if (has_items_.back()) out_ += inline_ ? ", " : ",";
    has_items_.back() = true;
    NewLine();
  }
}

void JsonWriter::BeginObject() {
  BeforeValue();
  out_ += '{';
  has_items_.push_back(false);
}

void JsonWriter::EndObject() {
  bool any = has_items_.back();
  has_items_.pop_back();
  if (any) NewLine();
  out_ += '}';
  if (has_items_.empty()) out_ += '\n';
}

void JsonWriter::BeginArray() {
  BeforeValue();
  out_ += '[';
  has_items_.push_back(false);
}

void JsonWriter::EndArray() {
  bool any = has_items_.back();
  has_items_.pop_back();
  if (any) NewLine();
  out_ += ']';
}

void JsonWriter::Key(std::string_view key) {
  BeforeValue();
  out_ += Escape(key);
  out_ += indent_ > 0 ? ": " : ":";
  after_key_ = true;
}

void JsonWriter::String(std::string_view s) {
  BeforeValue();
  out_ += Escape(s);
}

void JsonWriter::Int(int64_t v) {
  BeforeValue();
  out_ += fmt::format("{}", v);
}

void JsonWriter::Double(double v) {
  BeforeValue();
  if (!std::isfinite(v)) {
    out_ += "null";
    return;
  }
  if (v == std::floor(v) && std::fabs(v) < 9.007199254740992e15) {
    out_ += fmt::format("{}", static_cast<int64_t>(v));
  } else {
    out_ += fmt::format("{}", v);  // shortest round-trip representation
  }
}

void JsonWriter::Bool(bool v) {
  BeforeValue();
  out_ += v ? "true" : "false";
}

void JsonWriter::Null() {
  BeforeValue();
  out_ += "null";
}

void JsonWriter::IntArray(const std::vector<int64_t>& v) {
  BeginArray();
  inline_ = true;
  for (int64_t x : v) Int(x);
  has_items_.pop_back();
  out_ += ']';
  inline_ = false;
}

void JsonWriter::DoubleArray(const std::vector<double>& v) {
  BeginArray();
  inline_ = true;
  for (double x : v) Double(x);
  has_items_.pop_back();
  out_ += ']';
  inline_ = false;
}

}  // namespace pprof_trend
