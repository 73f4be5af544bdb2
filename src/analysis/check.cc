#include "analysis/check.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "analysis/projection.h"
#include "base/closest_name.h"
#include "base/units.h"

namespace pprof_trend {

StatusOr<SizeLimit> ParseSizeLimit(const std::string& text, std::string_view where) {
  auto bytes = ParseSize(text);
  if (!bytes)
    return Status::UsageError(fmt::format("{}: \"{}\" is not a size (examples: 64MiB, 500KB, 1.5GiB)", where, text));
  return SizeLimit{*bytes, text};
}

StatusOr<DurationLimit> ParseDurationLimit(const std::string& text, std::string_view where) {
  auto seconds = ParseDuration(text);
  if (!seconds || *seconds <= 0)
    return Status::UsageError(fmt::format("{}: \"{}\" is not a duration (examples: 7d, 36h, 90m)", where, text));
  return DurationLimit{*seconds, text};
}

StatusOr<RateLimit> ParseRateLimit(const std::string& text, std::string_view where) {
  size_t slash = text.find('/');
  auto bytes = slash == std::string::npos ? std::nullopt : ParseSize(text.substr(0, slash));
  auto seconds = slash == std::string::npos ? std::nullopt : ParseDuration(text.substr(slash + 1));
  if (!bytes || !seconds)
    return Status::UsageError(fmt::format("{}: \"{}\" is not a rate (examples: 10MiB/day, 200KiB/h)", where, text));
  return RateLimit{*bytes, *seconds, text};
}

Status ParseRules(std::string_view text, const std::string& path, Budgets* budgets) {
  size_t line_number = 0;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string line(text.substr(start, end - start));
    start = end + 1;
    ++line_number;
    if (size_t hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    auto trim = [](std::string s) {
      size_t b = s.find_first_not_of(" \t\r");
      size_t e = s.find_last_not_of(" \t\r");
      return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
    };
    line = trim(line);
    if (line.empty()) {
      if (end == text.size()) break;
      continue;
    }
    size_t space = line.find_first_of(" \t");
    std::string key = line.substr(0, space);
    std::string value = space == std::string::npos ? "" : trim(line.substr(space));
    const std::string where = fmt::format("{}:{}", path, line_number);
    if (value.empty()) return Status::UsageError(fmt::format("{}: \"{}\" needs a value", where, key));
    if (key == "max-growth") {
      ASSIGN_OR_RETURN(budgets->max_growth, ParseSizeLimit(value, where));
    } else if (key == "max-rate") {
      ASSIGN_OR_RETURN(budgets->max_rate, ParseRateLimit(value, where));
    } else if (key == "max-node-growth") {
      ASSIGN_OR_RETURN(budgets->max_node_growth, ParseSizeLimit(value, where));
    } else if (key == "forbid") {
      budgets->forbid.push_back(value);
    } else if (key == "allow") {
      budgets->allow.push_back(value);
    } else if (key == "limit") {
      ASSIGN_OR_RETURN(budgets->limit, ParseSizeLimit(value, where));
    } else if (key == "min-time-to-limit") {
      ASSIGN_OR_RETURN(budgets->min_time_to_limit, ParseDurationLimit(value, where));
    } else {
      return Status::UsageError(
          fmt::format("{}: unknown key \"{}\" (keys: max-growth, max-rate, max-node-growth, forbid, allow, limit, "
                      "min-time-to-limit)",
                      where, key));
    }
    if (end == text.size()) break;
  }
  return Status();
}

namespace {

StatusOr<std::vector<Regex>> Compile(const std::vector<std::string>& patterns, std::string_view flag) {
  std::vector<Regex> out;
  for (const auto& p : patterns) {
    ASSIGN_OR_RETURN(Regex re, Regex::Compile(p, flag));
    out.push_back(std::move(re));
  }
  return out;
}

bool Matches(const AlignedProfiles& aligned, const TrendNode& node, const Regex& re) {
  const IdSpan stack = NodeStack(aligned, node);
  return std::any_of(stack.begin(), stack.end(), [&](uint32_t f) { return FrameMatches(aligned.frames[f], re); });
}

bool MatchesAny(const AlignedProfiles& aligned, const TrendNode& node, const std::vector<Regex>& res) {
  return std::any_of(res.begin(), res.end(), [&](const Regex& re) { return Matches(aligned, node, re); });
}

// Whether `re` matches any function or file name of the series, and if not,
// the name it most likely meant (a pattern read as a word).
bool MatchesAnyFrame(const AlignedProfiles& aligned, const Regex& re) {
  return std::any_of(aligned.frames.begin(), aligned.frames.end(),
                     [&](const AlignedFrame& f) { return FrameMatches(f, re); });
}

std::string ClosestFunction(const AlignedProfiles& aligned, const std::string& pattern) {
  std::vector<std::string_view> names;
  names.reserve(aligned.frames.size());
  for (const AlignedFrame& f : aligned.frames)
    if (f.function != kNoStackName) names.push_back(f.function);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return ClosestContaining(pattern, names);
}

constexpr size_t kMaxOffenders = 5;

// The offenders to show, biggest first by the figure the table prints
// (Growth: within each process after a restart), or by rate.
std::vector<const TrendNode*> Biggest(const TrendResult& trend, std::vector<const TrendNode*> nodes, bool by_rate) {
  std::stable_sort(nodes.begin(), nodes.end(), [&](const TrendNode* a, const TrendNode* b) {
    double x = by_rate ? a->stats.per_day.value_or(0) : Growth(trend, *a);
    double y = by_rate ? b->stats.per_day.value_or(0) : Growth(trend, *b);
    return x > y;
  });
  if (nodes.size() > kMaxOffenders) nodes.resize(kMaxOffenders);
  return nodes;
}

// min-time-to-limit: fails when the in-use total may reach --limit sooner
// (the lower end of the projection's 95% interval), or has reached it.
StatusOr<Verdict> TimeToLimitVerdict(const TrendResult& trend, const Budgets& budgets) {
  if (!budgets.limit) return Status::UsageError("--min-time-to-limit needs --limit SIZE (the memory limit)");
  if (std::string why = NotProjectable(trend.aligned); !why.empty()) return Status::UsageError(why);
  const Projection p = ProjectToLimit(trend, budgets.limit->bytes);
  // As --max-rate: a CI gate on when files were written, not captured, would pass or fail by chance.
  if (p.outcome == Projection::Outcome::kNoTimes || p.times_guessed)
    return Status::UsageError(
        "--min-time-to-limit needs a capture time in every profile, in increasing order (--times T1,T2,...; "
        "files' modification times say when they were written, not captured)");
  if (p.outcome == Projection::Outcome::kTooFew)
    return Status::UsageError(
        fmt::format("--min-time-to-limit needs at least {} captures of the last process; it has {}",
                    Projection::kMinCaptures, p.captures));
  Verdict v;
  v.budget = "min-time-to-limit";
  v.limit = budgets.min_time_to_limit->text;
  v.limit_value = budgets.min_time_to_limit->seconds;
  v.measured = p.outcome == Projection::Outcome::kReaches ? p.seconds_low
               : p.outcome == Projection::Outcome::kOver  ? 0
                                                          : INFINITY;  // not reached at the current trend
  v.passed = v.measured >= v.limit_value;
  if (!v.passed)
    for (const Projection::Contributor& c : p.contributors) v.offenders.push_back(c.site);
  return v;
}

}  // namespace

// A series of counts (goroutines, JFR live objects): a budget is a number
// of them; one with a byte unit is a mistake, not bytes.
Status RefuseByteBudgetsForCounts(const AlignedProfiles& aligned, const Budgets& budgets) {
  if (aligned.value_unit == "bytes") return Status();
  auto in_bytes = [](const std::string& text) {
    return !text.empty() &&
           std::any_of(text.begin(), text.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)); });
  };
  const std::pair<const char*, const std::optional<SizeLimit>*> sizes[] = {
      {"--max-growth", &budgets.max_growth}, {"--max-node-growth", &budgets.max_node_growth}};
  for (const auto& [flag, limit] : sizes)
    if (*limit && in_bytes((*limit)->text))
      return Status::UsageError(fmt::format("{} {}: the series counts {} ({}), not bytes: give a number ({} 100)", flag,
                                            (*limit)->text, aligned.value_type_name, aligned.value_unit, flag));
  if (budgets.max_rate && in_bytes(budgets.max_rate->text.substr(0, budgets.max_rate->text.find('/'))))
    return Status::UsageError(
        fmt::format("--max-rate {}: the series counts {} ({}), not bytes: give a number per "
                    "time (--max-rate 100/h)",
                    budgets.max_rate->text, aligned.value_type_name, aligned.value_unit));
  return Status();
}

StatusOr<CheckResult> RunCheck(const TrendResult& trend, const Budgets& budgets) {
  const AlignedProfiles& aligned = trend.aligned;
  ASSIGN_OR_RETURN(std::vector<Regex> allow, Compile(budgets.allow, "--allow"));
  ASSIGN_OR_RETURN(std::vector<Regex> forbid, Compile(budgets.forbid, "--forbid"));

  RETURN_IF_ERROR(RefuseByteBudgetsForCounts(aligned, budgets));
  CheckResult result;
  for (size_t i = 0; i < allow.size(); ++i)
    if (!MatchesAnyFrame(aligned, allow[i]))
      result.unmatched_allow.push_back({budgets.allow[i], ClosestFunction(aligned, budgets.allow[i])});
  std::vector<const TrendNode*> counted;  // sites not allowed, in rank order
  for (const TrendNode& site : trend.sites) {
    if (MatchesAny(aligned, site, allow)) {
      ++result.allowed_sites;
    } else {
      counted.push_back(&site);
    }
  }
  const size_t n = aligned.captures.size();
  std::vector<double> total(n, 0);
  for (const TrendNode* site : counted)
    for (size_t i = 0; i < n; ++i) total[i] += static_cast<double>(aligned.sites[site->site_index].values[i]);
  result.total_growth = total.back() - total.front();
  std::vector<const TrendNode*> grew;
  for (const TrendNode* site : counted)  // growth within the noise, or a move, is no offender
    if (Growth(trend, *site) > 0 && Grew(*site)) grew.push_back(site);

  if (budgets.max_growth) {
    Verdict v{"max-growth",
              budgets.max_growth->text,
              budgets.max_growth->bytes,
              result.total_growth,
              true,
              {},
              {},
              false,
              {}};
    v.passed = v.measured <= v.limit_value;
    if (!v.passed) v.offenders = Biggest(trend, grew, false);
    result.verdicts.push_back(std::move(v));
  }
  if (budgets.max_rate) {
    std::vector<std::string> guessed;
    for (const Capture& c : trend.aligned.captures)
      if (c.time_from_mtime) guessed.push_back(c.path);
    if (!guessed.empty())
      return Status::UsageError(fmt::format(
          "--max-rate needs capture times: --times T1,T2,... ({}{} only {}, which says when a file was written, "
          "not captured; or use --max-growth)",
          guessed.front(), guessed.size() > 1 ? fmt::format(" and {} more have", guessed.size() - 1) : " has",
          guessed.size() > 1 ? "their files' modification times" : "its file's modification time"));
    if (trend.seconds.empty())
      return Status::UsageError(
          "--max-rate needs a capture time in every profile, in increasing order (use --max-growth instead)");
    std::vector<double> days(n);
    for (size_t i = 0; i < n; ++i) days[i] = SecondsToDays(trend.seconds[i]);
    SeriesStats stats = ComputeSeriesStats(total, days, true, NoiseModel{});
    double per_limit_period = stats.per_day.value_or(0) * SecondsToDays(budgets.max_rate->seconds);
    Verdict v{"max-rate", budgets.max_rate->text, budgets.max_rate->bytes, per_limit_period, true, {}, {}, false, {}};
    v.passed = v.measured <= v.limit_value;
    if (!v.passed) v.offenders = Biggest(trend, grew, true);
    result.verdicts.push_back(std::move(v));
  }
  if (budgets.max_node_growth) {
    std::vector<const TrendNode*> over;
    double largest = 0;
    for (const TrendNode* site : counted) {
      // The site's growth as the table shows it (within each process).
      const double growth = Growth(trend, *site);
      largest = std::max(largest, growth);
      if (growth > budgets.max_node_growth->bytes) over.push_back(site);
    }
    Verdict v{"max-node-growth",
              budgets.max_node_growth->text,
              budgets.max_node_growth->bytes,
              largest,
              true,
              {},
              {},
              false,
              {}};
    v.passed = over.empty();
    v.offenders = Biggest(trend, over, false);
    result.verdicts.push_back(std::move(v));
  }
  for (size_t i = 0; i < forbid.size(); ++i) {
    std::vector<const TrendNode*> matching;
    for (const TrendNode* site : counted)
      if (site->stats.trend_class == TrendClass::kGrowing && Matches(aligned, *site, forbid[i]))
        matching.push_back(site);
    Verdict v{"forbid", budgets.forbid[i], 0, static_cast<double>(matching.size()), matching.empty(), {}, {}, false,
              {}};
    v.offenders = Biggest(trend, matching, false);
    std::vector<const TrendNode*> unclassed;
    for (const TrendNode* site : counted)
      if (site->stats.trend_class != TrendClass::kGrowing && site->stats.within > 0 &&
          Matches(aligned, *site, forbid[i]))
        unclassed.push_back(site);
    v.grew_unclassed = Biggest(trend, unclassed, false);
    if (!MatchesAnyFrame(aligned, forbid[i])) {
      v.matched_nothing = true;
      v.passed = false;
      v.closest_name = ClosestFunction(aligned, budgets.forbid[i]);
    }
    result.verdicts.push_back(std::move(v));
  }
  if (budgets.min_time_to_limit) {
    ASSIGN_OR_RETURN(Verdict v, TimeToLimitVerdict(trend, budgets));
    result.verdicts.push_back(std::move(v));
  }
  for (const auto& v : result.verdicts) result.passed = result.passed && v.passed;
  return result;
}

}  // namespace pprof_trend
