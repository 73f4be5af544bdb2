// A text input as every text reader walks it (legacy heap text, jemalloc,
// Java heapz, .NET tables, Java histograms): its lines, the input limits,
// and errors that name the file and the line ("day1.heap:7: what"). The
// limits' checks and their messages are written here once.
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>

#include "base/status.h"
#include "input/text_scan.h"
#include "model/input_limits.h"

namespace pprof_trend {

class TextInput {
 public:
  TextInput(std::string_view data, const std::string& source, const Limits& limits)
      : lines_{data}, source_(source), limits_(limits) {}

  // The next line (a trailing '\r' removed); false at the end.
  bool Next(std::string_view* line) { return lines_(line); }
  // The next line that is not blank; false at the end.
  bool NextNonBlank(std::string_view* line) {
    while (lines_(line))
      if (!Trim(*line).empty()) return true;
    return false;
  }
  size_t line_number() const { return lines_.number; }
  const std::string& source() const { return source_; }
  const Limits& limits() const { return limits_; }

  // "FILE:LINE: what", at the line read last.
  Status Error(std::string_view what) const {
    return Status::InputError(fmt::format("{}:{}: {}", source_, lines_.number, what));
  }
  // "FILE: what", for the input as a whole.
  Status FileError(std::string_view what) const { return Status::InputError(fmt::format("{}: {}", source_, what)); }

  // A stack of `depth` frames (--max-stack-depth).
  Status CheckStackDepth(size_t depth) const {
    if (depth <= limits_.max_stack_depth) return Status();
    return Error(fmt::format("a stack of {} frames is over the limit of {} (--max-stack-depth raises it)", depth,
                             limits_.max_stack_depth));
  }
  // `count` samples, rows or mapped files so far (--max-samples).
  Status CheckCount(size_t count, std::string_view what) const {
    if (count <= limits_.max_samples) return Status();
    return Error(fmt::format("more than {} {} (--max-samples raises it)", limits_.max_samples, what));
  }
  // A name (function, file, type) within --max-string-length.
  Status CheckName(std::string_view name, std::string_view what = "name") const {
    if (name.size() <= limits_.max_string_length) return Status();
    return Error(fmt::format("a {} over the limit of {} bytes (--max-string-length raises it)", what,
                             limits_.max_string_length));
  }

 private:
  Lines lines_;
  const std::string& source_;
  const Limits& limits_;
};

}  // namespace pprof_trend
