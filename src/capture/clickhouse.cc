#include "capture/clickhouse.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <map>

#include "base/url.h"

namespace pprof_trend {
namespace {

// The tables: name, columns, engine and order, and the key a Distributed
// table shards them by (a site's whole series on one shard; a capture's row
// and a site's frames where their duplicates land too, so FINAL merges them).
struct Table {
  const char* name;
  const char* columns;
  const char* engine;
  const char* shard_by;
};
constexpr Table kTables[] = {
    {"pprof_trend_samples",
     "service String, instance String, version String, process_id String, capture_id UInt64, time DateTime, "
     "period Int64, site UInt64, object_size Int64, inuse_bytes Int64, inuse_objects Int64, alloc_bytes Int64, "
     "alloc_objects Int64",
     "MergeTree() PARTITION BY toYYYYMMDD(time) ORDER BY (service, site, time)", "site"},
    {"pprof_trend_sites", "site UInt64, functions Array(String), files Array(String)",
     "ReplacingMergeTree() ORDER BY site", "site"},
    {"pprof_trend_captures",
     "service String, instance String, capture_id UInt64, time DateTime, path String, rows UInt64",
     "ReplacingMergeTree() ORDER BY (service, instance, capture_id)", "capture_id"},
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

// A TabSeparated answer's lines, each split at its tabs, escapes undone.
std::vector<std::vector<std::string>> TsvRows(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row(1);
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\t') {
      row.emplace_back();
    } else if (c == '\n') {
      rows.push_back(std::move(row));
      row.assign(1, "");
    } else if (c == '\\' && i + 1 < text.size()) {
      const char e = text[++i];
      row.back() += e == 't' ? '\t' : e == 'n' ? '\n' : e == '0' ? '\0' : e;
    } else {
      row.back() += c;
    }
  }
  if (row.size() > 1 || !row[0].empty()) rows.push_back(std::move(row));
  return rows;
}

int64_t Int(const std::string& s) {
  int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}
uint64_t Uint(const std::string& s) {
  uint64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

}  // namespace

StatusOr<std::string> ClickHouse::Run(const std::string& statement, const std::string& data) const {
  FetchOptions fetch = fetch_;
  std::string url = target_.url;
  std::string body = statement;
  if (!data.empty()) {
    // An INSERT's statement goes in the query string, its rows in the body.
    url += (url.find('?') == std::string::npos ? (url.ends_with('/') ? "?" : "/?") : "&");
    // insert_distributed_sync: on a cluster the rows are on their shards when it answers.
    url += "insert_distributed_sync=1&query=" + PercentEncode(statement);
    body = data;
  }
  fetch.post_body = &body;
  return http_.Fetch(url, fetch);
}

Status ClickHouse::Init(const std::string& cluster) const {
  for (const Table& t : kTables) {
    if (cluster.empty()) {
      RETURN_IF_ERROR(
          Run(fmt::format("CREATE TABLE IF NOT EXISTS {} ({}) ENGINE = {}", t.name, t.columns, t.engine)).status());
      continue;
    }
    // On a cluster (run on every shard): the data in NAME_local, and NAME a
    // Distributed table over every shard's, which push and fleet use.
    RETURN_IF_ERROR(
        Run(fmt::format("CREATE TABLE IF NOT EXISTS {}_local ({}) ENGINE = {}", t.name, t.columns, t.engine)).status());
    RETURN_IF_ERROR(Run(fmt::format("CREATE TABLE IF NOT EXISTS {0} AS {0}_local ENGINE = Distributed({1}, "
                                    "currentDatabase(), {0}_local, {2})",
                                    t.name, Quoted(cluster), t.shard_by))
                        .status());
  }
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

namespace {

// The window's condition on `time`: back from the service's newest capture.
std::string Window(const std::string& service, double since_seconds) {
  if (since_seconds <= 0) return "1";
  return fmt::format("time >= (SELECT max(time) FROM pprof_trend_captures WHERE service = {}) - {}", service,
                     static_cast<int64_t>(since_seconds));
}

}  // namespace

StatusOr<std::vector<FleetSiteInput>> ClickHouse::FleetInputs(double since_seconds, size_t max_sites) const {
  const std::string service = Quoted(target_.service);
  const std::string where = fmt::format("service = {} AND {}", service, Window(service, since_seconds));
  // The prefilter: only sites whose bytes rose, first -> last, in some instance.
  ASSIGN_OR_RETURN(std::string candidates,
                   Run(fmt::format("SELECT site FROM (SELECT site, instance, argMax(b, time) - argMin(b, time) AS g "
                                   "FROM (SELECT site, instance, time, sum(inuse_bytes) AS b FROM pprof_trend_samples "
                                   "WHERE {} GROUP BY site, instance, time) GROUP BY site, instance) "
                                   "GROUP BY site HAVING sumIf(g, g > 0) > 0 ORDER BY sumIf(g, g > 0) DESC LIMIT {}",
                                   where, max_sites)));
  std::string in_list;
  std::vector<uint64_t> keys;
  for (const auto& row : TsvRows(candidates)) {
    keys.push_back(Uint(row[0]));
    in_list += (in_list.empty() ? "" : ",") + row[0];
  }
  std::vector<FleetSiteInput> sites;
  if (keys.empty()) return sites;
  // Each instance's captures in the window: time, version, process, period.
  struct Point {
    int64_t time;
    std::string version, process;
    int64_t period;
  };
  std::map<std::string, std::vector<Point>> captures;
  ASSIGN_OR_RETURN(std::string points,
                   Run(fmt::format("SELECT instance, toUnixTimestamp(time), any(version), any(process_id), any(period) "
                                   "FROM pprof_trend_samples WHERE {} GROUP BY instance, time ORDER BY instance, time",
                                   where)));
  for (const auto& row : TsvRows(points))
    if (row.size() == 5) captures[row[0]].push_back(Point{Int(row[1]), row[2], row[3], Int(row[4])});
  // The candidates' bytes per instance and capture.
  std::map<uint64_t, std::map<std::string, std::map<int64_t, double>>> bytes;
  ASSIGN_OR_RETURN(std::string values,
                   Run(fmt::format("SELECT site, instance, toUnixTimestamp(time), sum(inuse_bytes) FROM "
                                   "pprof_trend_samples WHERE {} AND site IN ({}) GROUP BY site, instance, time",
                                   where, in_list)));
  for (const auto& row : TsvRows(values))
    if (row.size() == 4) bytes[Uint(row[0])][row[1]][Int(row[2])] = static_cast<double>(Int(row[3]));
  std::map<uint64_t, std::pair<std::vector<std::string>, std::vector<std::string>>> frames;
  ASSIGN_OR_RETURN(std::string names,
                   Run(fmt::format("SELECT site, i, functions[i], files[i] FROM pprof_trend_sites FINAL ARRAY JOIN "
                                   "arrayEnumerate(functions) AS i WHERE site IN ({}) ORDER BY site, i",
                                   in_list)));
  for (const auto& row : TsvRows(names))
    if (row.size() == 4) {
      frames[Uint(row[0])].first.push_back(row[2]);
      frames[Uint(row[0])].second.push_back(row[3]);
    }
  for (uint64_t key : keys) {
    FleetSiteInput site;
    site.site = key;
    site.functions = frames[key].first;
    site.files = frames[key].second;
    for (const auto& [instance, points_of] : captures) {
      const auto& values_of = bytes[key][instance];
      if (values_of.empty()) continue;  // never listed by this instance
      FleetInstanceSeries series;
      series.instance = instance;
      series.version = points_of.back().version;
      series.period = points_of.back().period;
      for (const Point& p : points_of) {
        series.times.push_back(p.time);
        series.processes.push_back(p.process);
        auto it = values_of.find(p.time);
        series.bytes.push_back(it == values_of.end() ? 0 : it->second);
      }
      site.instances.push_back(std::move(series));
    }
    sites.push_back(std::move(site));
  }
  return sites;
}

StatusOr<std::vector<std::string>> ClickHouse::CapturePaths(const std::string& instance, double since_seconds) const {
  const std::string service = Quoted(target_.service);
  ASSIGN_OR_RETURN(std::string text,
                   Run(fmt::format("SELECT path FROM pprof_trend_captures FINAL WHERE service = {} AND instance = {} "
                                   "AND {} ORDER BY time",
                                   service, Quoted(instance), Window(service, since_seconds))));
  std::vector<std::string> paths;
  for (const auto& row : TsvRows(text)) paths.push_back(row[0]);
  return paths;
}

}  // namespace pprof_trend
