// Printing and parsing of byte sizes, counts, times and durations.
//
// Sizes print the way `go tool pprof` prints them (two decimals, ".00"
// trimmed: "280MiB", "36.51MiB") but with IEC names, since pprof's "MB" is
// in fact 2^20 bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pprof_trend {

inline constexpr int64_t kSecondsPerDay = 86400;
inline constexpr int64_t kNanosPerSecond = 1000000000;
// Seconds -> days, for rates per day.
inline constexpr double SecondsToDays(double seconds) { return seconds / static_cast<double>(kSecondsPerDay); }
// Unix or relative nanoseconds -> seconds.
inline constexpr double NanosToSeconds(int64_t nanos) {
  return static_cast<double>(nanos) / static_cast<double>(kNanosPerSecond);
}

// The largest power of 1024 (0 = B ... 5 = PiB) that |bytes| reaches.
int ByteUnitFor(double bytes);
// `bytes` scaled to 1024^unit, e.g. FormatBytesIn(524288, 2) == "0.50MiB".
std::string FormatBytesIn(double bytes, int unit);
// `bytes` in its own best unit: "8MiB", "256B", "1.50KiB"; 0 prints "0".
std::string FormatBytes(double bytes);
// Like FormatBytes with a sign: "+8MiB", "-16MiB", "0".
std::string FormatSignedBytes(double bytes);
// The unit a value is shown in, as pprof scales it (internal/measurement):
// sizes in B, KiB ... PiB (pprof's "MB" is MiB), times in ns, us, ms, s,
// hrs; any other unit unscaled and without a suffix. `factor` is how many
// of the sample type's own unit make one of the display unit.
struct DisplayUnit {
  double factor = 1;
  std::string suffix;
};
// The largest unit in which |value| (in `sample_unit`) is at least 1, as
// pprof's "minimum" scaling; the base unit for 0.
DisplayUnit PprofUnitFor(double value, std::string_view sample_unit);
// `value` in `unit`, two decimals with ".00" trimmed: "1.28s", "3MiB", "305"; "0" for zero.
std::string FormatIn(double value, const DisplayUnit& unit);

// A value of a sample type with unit `unit` ("bytes", "count", "nanoseconds", ...).
std::string FormatValue(double value, std::string_view unit);
// Counts: "17", "1,234", "162,634", "1.21M".
std::string FormatCount(double count);
// Exact, with thousands separators whatever the size: "11,400,232".
std::string FormatGrouped(int64_t n);
// A share in [0, 1] as a percentage a reader can compare: "0.4%", "37%",
// "<0.1%", "100%".
std::string FormatShare(double share);
std::string FormatSignedCount(double count);

// "2022-02-11 02:00:00 UTC"; "unknown" for 0.
std::string FormatTimeUtc(int64_t unix_nanos);
// "2022-02-11T02:00:00Z" (RFC 3339), for JSON.
std::string FormatTimeRfc3339(int64_t unix_nanos);
// A span in the largest fitting unit: "4.00 days", "3.50 h", "12 s".
std::string FormatSpan(double seconds);

// The unit rates are shown in, chosen from the span of the series so that a
// 30-second soak test reads "/s" and a week of captures "/day".
struct RateUnit {
  double seconds = kSecondsPerDay;
  std::string_view name = "day";  // "s", "min", "h", "day"
};
// Under 2 minutes: per second; under 2 hours: per minute; under 2 days: per
// hour; else per day (also when there is no span).
RateUnit RateUnitForSpan(double span_seconds);

// "1 site", "2 sites": `noun` with an "s" unless `n` is 1.
std::string Plural(int64_t n, std::string_view noun);

// Parses a byte size: a number and an optional unit. KiB, MiB, GiB, TiB are
// powers of 1024; kB/KB, MB, GB, TB powers of 1000 (write MiB for what
// pprof prints as MB); B or no unit is bytes. Case-insensitive units.
// "64MiB", "500KB", "1.5GiB", "4096". None for anything else or a negative.
std::optional<double> ParseSize(std::string_view text);
// Parses a duration in seconds: an optional number and a unit of s, m/min,
// h, d/day, w/week (plurals too): "day", "12h", "30min", "2w".
std::optional<double> ParseDuration(std::string_view text);

// Parses a capture time: "2022-02-11", "2022-02-11T10:00", "2022-02-11 10:00:00",
// with an optional "Z" or "+08:00"/"-0500" offset (none: UTC), to Unix nanoseconds.
std::optional<int64_t> ParseTime(std::string_view text);

}  // namespace pprof_trend
