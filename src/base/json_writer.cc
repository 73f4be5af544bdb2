#include "base/json_writer.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <iterator>

#include "base/utf8.h"

namespace pprof_trend {

void JsonWriter::AppendEscaped(std::string& out, std::string_view s) {
  out += '"';
  size_t i = 0;
  while (i < s.size()) {
    // Runs of plain printable ASCII are copied at once.
    size_t run = i;
    while (run < s.size()) {
      unsigned char c = static_cast<unsigned char>(s[run]);
      if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<') break;
      ++run;
    }
    out.append(s.data() + i, run - i);
    i = run;
    if (i >= s.size()) break;
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
      default: fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);  // other controls and DEL
    }
    ++i;
  }
  out += '"';
}

std::string JsonWriter::Escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  AppendEscaped(out, s);
  return out;
}

void JsonWriter::NewLine() {
  if (indent_ <= 0 || inline_) return;
  out_ += '\n';
  out_.append(has_items_.size() * static_cast<size_t>(indent_), ' ');
}

void JsonWriter::Flush() {
  if (sink_ == nullptr) return;
  sink_->write(out_.data(), static_cast<std::streamsize>(out_.size()));
  out_.clear();
}

void JsonWriter::BeforeValue() {
  if (sink_ != nullptr && out_.size() >= kFlushBytes) Flush();
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

JsonWriter JsonWriter::Fragment(bool after_items) const {
  JsonWriter fragment(indent_);
  fragment.has_items_ = has_items_;
  if (after_items && !fragment.has_items_.empty()) fragment.has_items_.back() = true;
  return fragment;
}

void JsonWriter::AppendFragment(const JsonWriter& fragment) {
  if (sink_ != nullptr) {  // written through, not copied
    Flush();
    sink_->write(fragment.out_.data(), static_cast<std::streamsize>(fragment.out_.size()));
  } else {
    out_ += fragment.out_;
  }
  if (!has_items_.empty() && !fragment.has_items_.empty() && fragment.has_items_.back()) has_items_.back() = true;
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
  AppendEscaped(out_, key);
  out_ += indent_ > 0 ? ": " : ":";
  after_key_ = true;
}

void JsonWriter::String(std::string_view s) {
  BeforeValue();
  AppendEscaped(out_, s);
}

void JsonWriter::Int(int64_t v) {
  BeforeValue();
  char buffer[24];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
  out_.append(buffer, static_cast<size_t>(end - buffer));
}

void JsonWriter::Double(double v) {
  BeforeValue();
  if (!std::isfinite(v)) {
    out_ += "null";
    return;
  }
  if (v == std::floor(v) && std::fabs(v) < 9.007199254740992e15) {
    char buffer[24];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, static_cast<int64_t>(v));
    out_.append(buffer, static_cast<size_t>(end - buffer));
  } else {
    fmt::format_to(std::back_inserter(out_), "{}", v);  // shortest round-trip representation
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

void JsonWriter::IntArray(std::span<const int64_t> v) {
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
