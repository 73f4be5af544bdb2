// `check`: budgets over a trend result -> verdicts, for CI.
//
// Budgets (each optional):
//   max-growth SIZE        total growth first -> last of the sites not allowed
//   max-rate SIZE/DURATION Theil-Sen growth rate of that total
//   max-node-growth SIZE   growth of any single site
//   forbid REGEX           no site whose frames match may be classed growing
//   allow REGEX            sites whose frames match are left out of every budget
//   limit SIZE             the memory limit the in-use total is projected to (analysis/projection)
//   min-time-to-limit DURATION  the projection's 95% interval may not begin sooner
// A site matches a REGEX when any frame of its path (function or file name)
// contains a match. Budgets come from flags and from a rules file (one
// `key value` per line, `#` comments); flags override the file's limits,
// forbid/allow lists add up.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analysis/trend.h"
#include "base/status.h"

namespace pprof_trend {

struct SizeLimit {
  double bytes = 0;
  std::string text;  // as written: "64MiB"
};

struct RateLimit {
  double bytes = 0;
  double seconds = 0;  // per this many seconds
  std::string text;    // "10MiB/day"
};

struct DurationLimit {
  double seconds = 0;
  std::string text;  // "7d"
};

struct Budgets {
  std::optional<SizeLimit> max_growth;
  std::optional<RateLimit> max_rate;
  std::optional<SizeLimit> max_node_growth;
  std::vector<std::string> forbid;
  std::vector<std::string> allow;
  std::optional<SizeLimit> limit;  // --limit: what min-time-to-limit projects to
  std::optional<DurationLimit> min_time_to_limit;

  bool empty() const { return !max_growth && !max_rate && !max_node_growth && forbid.empty() && !min_time_to_limit; }
};

StatusOr<SizeLimit> ParseSizeLimit(const std::string& text, std::string_view where);
StatusOr<RateLimit> ParseRateLimit(const std::string& text, std::string_view where);
StatusOr<DurationLimit> ParseDurationLimit(const std::string& text, std::string_view where);

// Parses a rules file's text into `budgets` (limits set only where the file
// has them). Errors name `path` and the line: "rules.txt:3: unknown key ...".
Status ParseRules(std::string_view text, const std::string& path, Budgets* budgets);

struct Verdict {
  std::string budget;  // "max-growth", "max-rate", "max-node-growth", "forbid"
  std::string limit;   // as written; for forbid, the regex
  double limit_value = 0;
  double measured = 0;  // bytes, bytes per `rate_seconds`, or matching sites (forbid)
  bool passed = true;
  std::vector<const TrendNode*> offenders;  // biggest first; what to look at
  // forbid: matching sites that grew but are not classed growing (within
  // the sampling noise, plateaued, fluctuating): not failures, but said.
  std::vector<const TrendNode*> grew_unclassed;
  // forbid: the pattern matches no function or file of any capture (a
  // typo, or code that is gone): the check cannot hold, so it fails, and
  // the name it most likely meant is said ("" when none is close).
  bool matched_nothing = false;
  std::string closest_name;
};

// An --allow pattern that matches no function or file of any capture: it
// leaves nothing out (the budgets still cover every site), so it fails
// nothing, but it is said.
struct UnmatchedPattern {
  std::string pattern;
  std::string closest_name;  // "" when none is close
};

struct CheckResult {
  std::vector<Verdict> verdicts;
  bool passed = true;
  size_t allowed_sites = 0;
  double total_growth = 0;  // of the sites not allowed
  std::vector<UnmatchedPattern> unmatched_allow;
};

// Needs capture times for max-rate (a usage error otherwise).
StatusOr<CheckResult> RunCheck(const TrendResult& trend, const Budgets& budgets);

}  // namespace pprof_trend
