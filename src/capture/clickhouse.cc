#include "capture/clickhouse.h"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>

#include "base/url.h"

namespace pprof_trend {
namespace {

constexpr const char* kTables[] = {
    "CREATE TABLE IF NOT EXISTS pprof_trend_samples (service String, instance String, version String, "
    "process_id String, capture_id UInt64, time DateTime, period Int64, site UInt64, object_size Int64, "
    "inuse_bytes Int64, inuse_objects Int64, alloc_bytes Int64, alloc_objects Int64) "
    "ENGINE = MergeTree() PARTITION BY toYYYYMMDD(time) ORDER BY (service, site, time)",
    "CREATE TABLE IF NOT EXISTS pprof_trend_sites (site UInt64, functions Array(String), files Array(String)) "
    "ENGINE = ReplacingMergeTree() ORDER BY site",
    "CREATE TABLE IF NOT EXISTS pprof_trend_captures (service String, instance String, capture_id UInt64, "
    "time DateTime, path String, rows UInt64) ENGINE = ReplacingMergeTree() ORDER BY (service, instance, capture_id)",
};

// A string as TabSeparated writes it: backslash, tab, newline escaped.
std::string Tsv(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\0': out += "\\0"; break;
      default: out += c;
    }
  }
  return out;
}

// A string as an SQL literal (and as an element of an array in TSV: the
// quotes, then TabSeparated's escapes on top).
std::string Quoted(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string Array(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i == 0 ? "" : ",") + Quoted(items[i]);
  return out + "]";
}

// "2026-12-06 10:00:00" (UTC), as ClickHouse reads a DateTime.
std::string DateTime(int64_t nanos) {
  const std::time_t seconds = static_cast<std::time_t>(nanos / 1000000000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min, tm.tm_sec);
}

std::string PercentEncode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

// The process a capture comes from, as far as the capture tells: its main
// binary's build and where it was mapped (a new process of a
// position-independent build maps it elsewhere); empty when unknown.
std::string ProcessId(const Capture& c) {
  if (c.placements.empty()) return c.build_id;
  return fmt::format("{}@{:x}", c.build_id.empty() ? c.placements.front().file : c.build_id,
                     c.placements.front().start);
}

}  // namespace

StatusOr<std::string> ClickHouse::Run(const std::string& statement, const std::string& data) const {
  FetchOptions fetch = fetch_;
  std::string url = target_.url;
  std::string body = statement;
  if (!data.empty()) {
    // An INSERT's statement goes in the query string, its rows in the body.
    url += (url.find('?') == std::string::npos ? (url.ends_with('/') ? "?" : "/?") : "&");
    url += "query=" + PercentEncode(statement);
    body = data;
  }
  fetch.post_body = &body;
  return http_.Fetch(url, fetch);
}

Status ClickHouse::Init() const {
  for (const char* table : kTables) RETURN_IF_ERROR(Run(table).status());
  return Status();
}

StatusOr<bool> ClickHouse::Push(const Capture& capture, const FleetCapture& rows) const {
  const std::string where = fmt::format("service = {} AND instance = {} AND capture_id = {}", Quoted(target_.service),
                                        Quoted(target_.instance), capture.content_hash);
  ASSIGN_OR_RETURN(std::string held, Run("SELECT count() FROM pprof_trend_captures WHERE " + where));
  if (std::strtoll(held.c_str(), nullptr, 10) > 0) return false;
  // A push cut short between the rows and the capture's own row left rows
  // behind: gone before these are stored, so the capture is never twice.
  ASSIGN_OR_RETURN(std::string partial, Run("SELECT count() FROM pprof_trend_samples WHERE " + where));
  if (std::strtoll(partial.c_str(), nullptr, 10) > 0)
    RETURN_IF_ERROR(Run("ALTER TABLE pprof_trend_samples DELETE WHERE " + where).status());
  const std::string time = DateTime(capture.time_nanos);
  const std::string fixed =
      fmt::format("{}\t{}\t{}\t{}\t{}\t{}\t{}", Tsv(target_.service), Tsv(target_.instance), Tsv(target_.version),
                  Tsv(ProcessId(capture)), capture.content_hash, time, capture.period);
  std::string samples;
  for (const FleetRow& r : rows.rows)
    samples += fmt::format("{}\t{}\t{}\t{}\t{}\t{}\t{}\n", fixed, r.site, r.object_size, r.inuse_bytes, r.inuse_objects,
                           r.alloc_bytes, r.alloc_objects);
  std::string sites;
  for (const FleetSite& s : rows.sites)
    sites += fmt::format("{}\t{}\t{}\n", s.key, Tsv(Array(s.functions)), Tsv(Array(s.files)));
  if (!sites.empty()) RETURN_IF_ERROR(Run("INSERT INTO pprof_trend_sites FORMAT TabSeparated", sites).status());
  if (!samples.empty()) RETURN_IF_ERROR(Run("INSERT INTO pprof_trend_samples FORMAT TabSeparated", samples).status());
  RETURN_IF_ERROR(Run("INSERT INTO pprof_trend_captures FORMAT TabSeparated",
                      fmt::format("{}\t{}\t{}\t{}\t{}\t{}\n", Tsv(target_.service), Tsv(target_.instance),
                                  capture.content_hash, time, Tsv(capture.path), rows.rows.size()))
                      .status());
  return true;
}

}  // namespace pprof_trend
