// Regular expressions as Go's pprof reads them (RE2 syntax: `(?i)`, `\d`,
// `[[:alpha:]]`, no backreferences), matched in linear time with no
// recursion, so a hostile name or pattern cannot blow the stack. The one
// file that sees RE2 is regex.cc.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

namespace pprof_trend {

class Regex {
 public:
  // Compiles `pattern`; a usage error naming `flag` ("--focus") when it is
  // not a valid RE2 expression.
  static StatusOr<Regex> Compile(std::string_view pattern, std::string_view flag);

  // True when the expression matches anywhere in `text`, as Go's
  // regexp.MatchString (pprof's -focus, -ignore, -show, -hide).
  bool Matches(std::string_view text) const;

  const std::string& pattern() const { return pattern_; }

 private:
  struct Compiled;
  Regex(std::string pattern, std::shared_ptr<const Compiled> compiled)
      : pattern_(std::move(pattern)), compiled_(std::move(compiled)) {}
  std::string pattern_;
  std::shared_ptr<const Compiled> compiled_;  // immutable: copies share it, and threads may match at once
};

}  // namespace pprof_trend
