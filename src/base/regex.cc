#include "base/regex.h"

#include <fmt/format.h>
#include <re2/re2.h>

namespace pprof_trend {

struct Regex::Compiled {
  explicit Compiled(std::string_view pattern, const RE2::Options& options) : re(pattern, options) {}
  RE2 re;
};

StatusOr<Regex> Regex::Compile(std::string_view pattern, std::string_view flag) {
  RE2::Options options;  // Go's defaults: UTF-8, Perl classes, '.' does not match '\n'
  options.set_log_errors(false);
  auto compiled = std::make_shared<const Compiled>(pattern, options);
  if (!compiled->re.ok())
    return Status::UsageError(
        fmt::format("{} \"{}\" is not a valid regular expression: {}", flag, pattern, compiled->re.error()));
  return Regex(std::string(pattern), std::move(compiled));
}

bool Regex::Matches(std::string_view text) const {
  return RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), compiled_->re);
}

}  // namespace pprof_trend
