// A minimal streaming JSON writer: objects, arrays, strings, numbers.
//
// Strings are escaped per RFC 8259; bytes that are not valid UTF-8 become
// U+FFFD, so output stays valid JSON whatever a hostile profile contains.
// Doubles print with up to 17 significant digits (round-trip exact);
// non-finite values print as null.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pprof_trend {

class JsonWriter {
 public:
  // Without a sink the document accumulates in str(). With one, it is
  // written there in pieces of about kFlushBytes as it grows (a large
  // report is never held whole in memory); Flush() writes the rest.
  explicit JsonWriter(int indent = 2, std::ostream* sink = nullptr) : indent_(indent), sink_(sink) {}
  static constexpr size_t kFlushBytes = size_t{1} << 16;
  void Flush();

  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();
  void Key(std::string_view key);

  void String(std::string_view s);
  void Int(int64_t v);
  void Double(double v);
  void Bool(bool v);
  void Null();
  void OptionalDouble(const std::optional<double>& v) { v ? Double(*v) : Null(); }

  // Writes a compact array of numbers on one line.
  void IntArray(std::span<const int64_t> v);
  void DoubleArray(const std::vector<double>& v);

  // A writer (without a sink) whose text goes where this one's next value
  // would: inside the same containers, after the items written there so far
  // or, with `after_items`, as if one had been. Values written into
  // fragments apart (on other threads) and appended in order give the text
  // writing them here in turn gives.
  JsonWriter Fragment(bool after_items) const;
  // Appends `fragment`'s text (made by Fragment); its items count as this
  // writer's.
  void AppendFragment(const JsonWriter& fragment);

  // The document so far (without a sink: all of it).
  const std::string& str() const { return out_; }

  static std::string Escape(std::string_view s);
  // Appends `s`, quoted and escaped, to `out` (no temporary string).
  static void AppendEscaped(std::string& out, std::string_view s);

 private:
  void BeforeValue();
  void NewLine();
  std::string out_;
  int indent_;
  std::ostream* sink_;
  std::vector<bool> has_items_;  // per open container
  bool after_key_ = false;
  bool inline_ = false;
};

}  // namespace pprof_trend
