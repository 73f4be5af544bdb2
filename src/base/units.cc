#include "base/units.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <ctime>

namespace pprof_trend {
namespace {

constexpr const char* kByteUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};

// pprof's number style: two decimals, a trailing ".00" dropped.
std::string TwoDecimals(double v) {
  std::string s = fmt::format("{:.2f}", v);
  if (s.ends_with(".00")) s.resize(s.size() - 3);
  if (s == "-0") s = "0";
  return s;
}

}  // namespace

int ByteUnitFor(double bytes) {
  double a = std::fabs(bytes);
  int unit = 0;
  while (unit < 5 && a >= 1024.0) {
    a /= 1024.0;
    ++unit;
  }
  return unit;
}

std::string FormatBytesIn(double bytes, int unit) {
  std::string s = TwoDecimals(bytes / std::pow(1024.0, unit));
  if (s == "0") return s;
  return s + kByteUnits[unit];
}

std::string FormatBytes(double bytes) { return FormatBytesIn(bytes, ByteUnitFor(bytes)); }

std::string FormatSignedBytes(double bytes) {
  std::string s = FormatBytes(bytes);
  return (bytes > 0 && s != "0") ? "+" + s : s;
}

namespace {

// pprof's time units, in nanoseconds, and the sample units it reads as time.
struct TimeUnit {
  const char* suffix;
  double nanos;
};
constexpr TimeUnit kTimeUnits[] = {{"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"hrs", 3.6e12}};

// Nanoseconds in one `unit`, or 0 when it is no time unit (pprof's
// sniffUnit: lower case, a plural "s" dropped).
double NanosPer(std::string_view unit) {
  std::string u(unit);
  std::transform(u.begin(), u.end(), u.begin(), [](unsigned char c) { return std::tolower(c); });
  if (u.size() > 2 && u.back() == 's') u.pop_back();
  if (u == "ns" || u == "nanosecond") return 1;
  if (u == "us" || u == "\u03bcs" || u == "microsecond") return 1e3;
  if (u == "ms" || u == "millisecond") return 1e6;
  if (u == "s" || u == "sec" || u == "second") return 1e9;
  if (u == "hour" || u == "hr") return 3.6e12;
  return 0;
}

bool IsByteUnit(std::string_view unit) {
  std::string u(unit);
  std::transform(u.begin(), u.end(), u.begin(), [](unsigned char c) { return std::tolower(c); });
  return u == "bytes" || u == "byte" || u == "b";
}

}  // namespace

DisplayUnit PprofUnitFor(double value, std::string_view sample_unit) {
  if (IsByteUnit(sample_unit)) {
    const int unit = ByteUnitFor(value);
    return DisplayUnit{std::pow(1024.0, unit), kByteUnits[unit]};
  }
  if (const double nanos = NanosPer(sample_unit); nanos > 0) {
    const double v = std::fabs(value) * nanos;
    const TimeUnit* best = nullptr;
    for (const TimeUnit& u : kTimeUnits)
      if (v / u.nanos >= 1.0) best = &u;
    if (best == nullptr) best = &kTimeUnits[3];  // pprof's default time unit: s
    return DisplayUnit{best->nanos / nanos, best->suffix};
  }
  return DisplayUnit{};
}

std::string FormatIn(double value, const DisplayUnit& unit) {
  std::string s = TwoDecimals(value / unit.factor);
  if (s == "0") return s;
  return s + unit.suffix;
}

RateUnit RateUnitForSpan(double span_seconds) {
  if (span_seconds <= 0) return RateUnit{};
  if (span_seconds < 120) return RateUnit{1, "s"};
  if (span_seconds < 2 * 3600) return RateUnit{60, "min"};
  if (span_seconds < 2 * kSecondsPerDay) return RateUnit{3600, "h"};
  return RateUnit{};
}

std::string Plural(int64_t n, std::string_view noun) { return fmt::format("{} {}{}", n, noun, n == 1 ? "" : "s"); }

std::string FormatValue(double value, std::string_view unit) {
  if (unit == "bytes") return FormatBytes(value);
  if (NanosPer(unit) > 0) return FormatIn(value, PprofUnitFor(value, unit));
  if (unit == "count" || unit.empty()) return FormatCount(value);
  return fmt::format("{} {}", TwoDecimals(value), unit);
}

std::string FormatGrouped(int64_t n) {
  std::string digits = fmt::format("{}", n), out;
  const size_t sign = n < 0 ? 1 : 0;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > sign && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string FormatCount(double count) {
  double a = std::fabs(count);
  if (a < 1e6) {
    // Whole numbers with thousands separators; fractions only below 10.
    if (a < 10 && std::fabs(count - std::round(count)) > 0.005) return TwoDecimals(count);
    return FormatGrouped(std::llround(count));
  }
  if (a < 1e9) return fmt::format("{:.2f}M", count / 1e6);
  return fmt::format("{:.2f}G", count / 1e9);
}

std::string FormatSignedCount(double count) {
  std::string s = FormatCount(count);
  return (count > 0 && s != "0") ? "+" + s : s;
}

namespace {
std::tm UtcTime(int64_t unix_nanos) {
  std::time_t secs = static_cast<std::time_t>(unix_nanos / kNanosPerSecond);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return tm;
}
}  // namespace

std::string FormatTimeUtc(int64_t unix_nanos) {
  if (unix_nanos == 0) return "unknown";
  std::tm tm = UtcTime(unix_nanos);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::string FormatTimeRfc3339(int64_t unix_nanos) {
  std::tm tm = UtcTime(unix_nanos);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min, tm.tm_sec);
}

std::string FormatSpan(double seconds) {
  if (seconds >= kSecondsPerDay) return fmt::format("{:.2f} days", SecondsToDays(seconds));
  if (seconds >= 3600) return fmt::format("{:.2f} h", seconds / 3600);
  if (seconds >= 60) return fmt::format("{:.2f} min", seconds / 60);
  return fmt::format("{:.3g} s", seconds);
}

namespace {

// Splits "1.5GiB" into 1.5 and "GiB"; the number part is optional when
// `number_optional` ("day" means one day).
bool SplitNumber(std::string_view text, bool number_optional, double* number, std::string* unit) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
  std::string digits(text.substr(0, i));
  if (digits.empty()) {
    if (!number_optional) return false;
    *number = 1;
  } else {
    if (std::count(digits.begin(), digits.end(), '.') > 1 || digits == "." || digits.front() == '.' ||
        digits.back() == '.')
      return false;
    *number = std::strtod(digits.c_str(), nullptr);
  }
  std::string_view rest = text.substr(i);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  unit->clear();
  for (char c : rest) unit->push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return std::isfinite(*number);
}

}  // namespace

std::optional<double> ParseSize(std::string_view text) {
  double number = 0;
  std::string unit;
  if (!SplitNumber(text, false, &number, &unit)) return std::nullopt;
  static const std::pair<const char*, double> kUnits[] = {
      {"", 1},     {"b", 1},    {"kib", 1024.0}, {"mib", 1048576.0}, {"gib", 1073741824.0}, {"tib", 1099511627776.0},
      {"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9},     {"tb", 1e12}};
  for (const auto& [name, factor] : kUnits)
    if (unit == name) return number * factor;
  return std::nullopt;
}

std::optional<double> ParseDuration(std::string_view text) {
  double number = 0;
  std::string unit;
  if (!SplitNumber(text, true, &number, &unit)) return std::nullopt;
  static const std::pair<const char*, double> kUnits[] = {
      {"ms", 0.001}, {"s", 1},       {"sec", 1},      {"second", 1}, {"seconds", 1},   {"m", 60},
      {"min", 60},   {"minute", 60}, {"minutes", 60}, {"h", 3600},   {"hour", 3600},   {"hours", 3600},
      {"d", 86400},  {"day", 86400}, {"days", 86400}, {"w", 604800}, {"week", 604800}, {"weeks", 604800}};
  for (const auto& [name, factor] : kUnits)
    if (unit == name) {
      if (number <= 0) return std::nullopt;
      return number * factor;
    }
  return std::nullopt;
}

std::optional<int64_t> ParseTime(std::string_view text) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  size_t i = 0;
  auto number = [&](size_t digits, int* out) {
    if (i + digits > text.size()) return false;
    int v = 0;
    for (size_t k = 0; k < digits; ++k) {
      char c = text[i + k];
      if (!std::isdigit(static_cast<unsigned char>(c))) return false;
      v = v * 10 + (c - '0');
    }
    i += digits;
    *out = v;
    return true;
  };
  auto literal = [&](char c) {
    if (i < text.size() && text[i] == c) {
      ++i;
      return true;
    }
    return false;
  };
  if (!number(4, &year) || !literal('-') || !number(2, &month) || !literal('-') || !number(2, &day))
    return std::nullopt;
  if (i < text.size() && (text[i] == 'T' || text[i] == ' ')) {
    ++i;
    if (!number(2, &hour) || !literal(':') || !number(2, &minute)) return std::nullopt;
    if (literal(':') && !number(2, &second)) return std::nullopt;
  }
  int offset_minutes = 0;
  if (literal('Z')) {
  } else if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    int sign = text[i] == '-' ? -1 : 1;
    ++i;
    int oh = 0, om = 0;
    if (!number(2, &oh)) return std::nullopt;
    literal(':');
    if (!number(2, &om)) return std::nullopt;
    offset_minutes = sign * (oh * 60 + om);
  }
  if (i != text.size() || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
    return std::nullopt;
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  int64_t seconds = static_cast<int64_t>(timegm(&tm)) - offset_minutes * 60;
  return seconds * 1000000000;
}

std::string FormatShare(double share) {
  const double percent = share * 100;
  if (percent == 0) return "0%";
  if (percent > 0 && percent < 0.1) return "<0.1%";
  if (percent < 10) return fmt::format("{:.1f}%", percent);
  return fmt::format("{:.0f}%", std::min(percent, 100.0));
}

}  // namespace pprof_trend
