#include "capture/clickhouse.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <map>
#include <unordered_map>
#include <unordered_set>

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
     "alloc_objects Int64, samples UInt64",
     "MergeTree() PARTITION BY toYYYYMMDD(time) ORDER BY (service, site, time)", "site"},
    {"pprof_trend_sites", "site UInt64, functions Array(String), files Array(String)",
     "ReplacingMergeTree() ORDER BY site", "site"},
    {"pprof_trend_captures",
     "service String, instance String, capture_id UInt64, time DateTime, path String, rows UInt64, "
     "version String, process_id String, period Int64",
     "ReplacingMergeTree() ORDER BY (service, instance, capture_id)", "capture_id"},
};

// A table's column definitions, "name Type" each.
std::vector<std::string_view> Columns(std::string_view columns) {
  std::vector<std::string_view> out;
  while (!columns.empty()) {
    const size_t comma = std::min(columns.find(", "), columns.size());
    out.push_back(columns.substr(0, comma));
    columns.remove_prefix(std::min(comma + 2, columns.size()));
  }
  return out;
}

// A column definition's name.
std::string_view ColumnName(std::string_view column) { return column.substr(0, column.find(' ')); }

// A table's column names, "a, b, c".
std::string ColumnNames(const Table& t) {
  std::string names;
  for (std::string_view column : Columns(t.columns))
    names += (names.empty() ? "" : ", ") + std::string(ColumnName(column));
  return names;
}

// "INSERT INTO t (a, b, ...) FORMAT TabSeparated": the columns named, so a
// table an earlier version made says which one it lacks.
std::string InsertInto(const Table& t) {
  return fmt::format("INSERT INTO {} ({}) FORMAT TabSeparated", t.name, ColumnNames(t));
}

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

// A site's function names (`files`: file names), root first, appended as
// one TSV field holding an SQL array of string literals.
void AppendNames(std::string& out, const FleetCapture& rows, const FleetSite& site, bool files) {
  out += '[';
  for (size_t i = 0; i < site.frames.size(); ++i) {
    const AlignedFrame& frame = (*rows.frames)[site.frames[i]];
    if (i != 0) out += ',';
    out += Tsv(Quoted(files ? frame.file : frame.function));
  }
  out += ']';
}

// The sites' rows go in INSERTs of about this many bytes: a capture's first
// push names every site (250,000 Go-shaped sites of 56 frames: 1.5 GB of
// names), and none is held whole.
constexpr size_t kSiteRowsPerInsertBytes = size_t{8} << 20;

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

// A TabSeparated answer's lines, each split at its tabs, escapes undone,
// given to `visit` a row at a time (one row's strings reused: answers of a
// million rows).
template <typename Visit>
void ForEachTsvRow(const std::string& text, Visit visit) {
  std::vector<std::string> row(1);
  size_t fields = 1;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\t') {
      if (++fields > row.size()) row.emplace_back();
      row[fields - 1].clear();
    } else if (c == '\n') {
      row.resize(fields);
      visit(row);
      fields = 1;
      row[0].clear();
    } else if (c == '\\' && i + 1 < text.size()) {
      const char e = text[++i];
      row[fields - 1] += e == 't' ? '\t' : e == 'n' ? '\n' : e == '0' ? '\0' : e;
    } else {
      row[fields - 1] += c;
    }
  }
}

// The same, kept: for small answers.
std::vector<std::vector<std::string>> TsvRows(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  ForEachTsvRow(text, [&](const std::vector<std::string>& row) { rows.push_back(row); });
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
  fetch.post_body = &statement;
  if (!data.empty()) {
    // An INSERT's statement goes in the query string, its rows in the body
    // (not copied: a body can be megabytes).
    url += (url.find('?') == std::string::npos ? (url.ends_with('/') ? "?" : "/?") : "&");
    // insert_distributed_sync: on a cluster the rows are on their shards when it answers.
    url += "insert_distributed_sync=1&query=" + PercentEncode(statement);
    fetch.post_body = &data;
  }
  auto answer = http_.Fetch(url, fetch);
  // An INSERT's error names the server and the statement, not the URL that
  // carried it percent-encoded.
  const std::string shown = RedactUrl(url);
  if (!answer.ok() && answer.status().message().find("Table ") != std::string::npos &&
      answer.status().message().find("doesn't exist") != std::string::npos)
    return Status::InputError(answer.status().message() + " (push --init creates the tables)");
  if (!answer.ok() && !data.empty() && answer.status().message().starts_with(shown))
    return Status::InputError(fmt::format("{} ({}){}", RedactUrl(target_.url),
                                          statement.substr(0, statement.find(" (")),
                                          answer.status().message().substr(shown.size())));
  return answer;
}

Status ClickHouse::AddMissingColumns(const std::string& table, const char* columns) const {
  ASSIGN_OR_RETURN(std::string held,
                   Run(fmt::format("SELECT name FROM system.columns WHERE database = currentDatabase() AND table = {}",
                                   Quoted(table))));
  std::unordered_set<std::string> names;
  for (const auto& row : TsvRows(held)) names.insert(row[0]);
  for (std::string_view column : Columns(columns))
    if (names.count(std::string(ColumnName(column))) == 0)
      RETURN_IF_ERROR(Run(fmt::format("ALTER TABLE {} ADD COLUMN {}", table, column)).status());
  return Status();
}

Status ClickHouse::CheckTables() const {
  for (const Table& t : kTables) {
    Status held = Run(fmt::format("SELECT {} FROM {} LIMIT 0", ColumnNames(t), t.name)).status();
    if (!held.ok() && held.message().find("Missing columns") != std::string::npos)
      return Status::InputError(held.message() +
                                " (tables made by an earlier pprof-trend: push --init adds the "
                                "columns they lack)");
    RETURN_IF_ERROR(held);
  }
  return Status();
}

Status ClickHouse::Init(const std::string& cluster) const {
  for (const Table& t : kTables) {
    // A table an earlier version made gains the columns added since
    // (18.16 has no ADD COLUMN IF NOT EXISTS).
    if (cluster.empty()) {
      RETURN_IF_ERROR(
          Run(fmt::format("CREATE TABLE IF NOT EXISTS {} ({}) ENGINE = {}", t.name, t.columns, t.engine)).status());
      RETURN_IF_ERROR(AddMissingColumns(t.name, t.columns));
      continue;
    }
    // On a cluster (run on every shard): the data in NAME_local, and NAME a
    // Distributed table over every shard's, which push and fleet use.
    RETURN_IF_ERROR(
        Run(fmt::format("CREATE TABLE IF NOT EXISTS {}_local ({}) ENGINE = {}", t.name, t.columns, t.engine)).status());
    RETURN_IF_ERROR(AddMissingColumns(std::string(t.name) + "_local", t.columns));
    RETURN_IF_ERROR(Run(fmt::format("CREATE TABLE IF NOT EXISTS {0} AS {0}_local ENGINE = Distributed({1}, "
                                    "currentDatabase(), {0}_local, {2})",
                                    t.name, Quoted(cluster), t.shard_by))
                        .status());
    RETURN_IF_ERROR(AddMissingColumns(t.name, t.columns));
  }
  return Status();
}

StatusOr<bool> ClickHouse::Push(const Capture& capture, const FleetCapture& rows) const {
  ASSIGN_OR_RETURN(bool queued, Queue(capture, rows));
  if (queued) RETURN_IF_ERROR(Flush().status());
  return queued;
}

namespace {

// A push cut off by the network (the server may hold part of it) is done
// again from the start, which removes what the cut one left; a server
// that answered with a refusal is not asked again.
template <typename Try>
auto WithTries(Try try_once) {
  constexpr int kTries = 3;
  for (int attempt = 1;; ++attempt) {
    auto done = try_once(attempt);
    if (done.ok() || attempt == kTries || done.status().message().find(": HTTP ") != std::string::npos) return done;
  }
}

}  // namespace

StatusOr<bool> ClickHouse::Queue(const Capture& capture, const FleetCapture& rows) const {
  for (const Queued& q : queued_)
    if (q.id == capture.content_hash) return false;  // the same capture twice in one batch
  return WithTries([&](int) { return QueueOnce(capture, rows); });
}

// Deletes what a push cut short between a capture's rows and its own row
// left behind, so the capture is never twice; true when the server holds
// the capture (its own row) already. (The capture's time bounds the search
// to its day's partition: a scan of the whole table per capture made a
// month's push quadratic.)
StatusOr<bool> ClickHouse::HeldOrCleared(uint64_t id, const std::string& time) const {
  const std::string where = fmt::format("service = {} AND instance = {} AND capture_id = {}", Quoted(target_.service),
                                        Quoted(target_.instance), id);
  ASSIGN_OR_RETURN(std::string held, Run("SELECT count() FROM pprof_trend_captures WHERE " + where));
  if (std::strtoll(held.c_str(), nullptr, 10) > 0) return true;
  const std::string rows_where = fmt::format("{} AND time = '{}'", where, time);
  ASSIGN_OR_RETURN(std::string partial, Run("SELECT count() FROM pprof_trend_samples WHERE " + rows_where));
  if (std::strtoll(partial.c_str(), nullptr, 10) > 0)
    RETURN_IF_ERROR(Run("ALTER TABLE pprof_trend_samples DELETE WHERE " + rows_where).status());
  return false;
}

StatusOr<bool> ClickHouse::QueueOnce(const Capture& capture, const FleetCapture& rows) const {
  const std::string time = DateTime(capture.time_nanos);
  ASSIGN_OR_RETURN(bool held, HeldOrCleared(capture.content_hash, time));
  if (held) return false;
  // --version, else the main binary's build id where the capture has one.
  const std::string& version = target_.version.empty() ? capture.build_id : target_.version;
  // Each key's frames once per run (a month of one service's captures has
  // the same sites again and again; the table keeps one row per key), a
  // batch of rows at a time, stored now. (Marked sent once stored: a cut
  // insert is sent again by the next try.)
  size_t new_sites = 0;
  std::string sites;
  std::vector<uint64_t> keys;
  auto send_sites = [&]() -> Status {
    if (sites.empty()) return Status();
    RETURN_IF_ERROR(Run(InsertInto(kTables[1]), sites).status());
    sites_sent_.insert(keys.begin(), keys.end());
    new_sites += keys.size();
    sites.clear();
    keys.clear();
    return Status();
  };
  for (const FleetSite& s : rows.sites) {
    if (sites_sent_.count(s.key) != 0) continue;
    sites += std::to_string(s.key);
    sites += '\t';
    AppendNames(sites, rows, s, false);
    sites += '\t';
    AppendNames(sites, rows, s, true);
    sites += '\n';
    keys.push_back(s.key);
    if (sites.size() >= kSiteRowsPerInsertBytes) RETURN_IF_ERROR(send_sites());
  }
  RETURN_IF_ERROR(send_sites());
  // The rows, held for Flush.
  const std::string fixed =
      fmt::format("{}\t{}\t{}\t{}\t{}\t{}\t{}", Tsv(target_.service), Tsv(target_.instance), Tsv(version),
                  Tsv(ProcessId(capture)), capture.content_hash, time, capture.period);
  // Room for a batch and its last capture at once: a string doubling as it
  // grows would hold two copies of the batch while it moves. (Pages never
  // written are not taken.)
  if (queued_samples_.capacity() < kBatchBytes) queued_samples_.reserve(kBatchBytes + kBatchBytes / 4);
  Queued q{capture.content_hash,   time, {},
           queued_samples_.size(), 0,    Stored{capture.path, rows.rows.size(), new_sites}};
  for (const FleetRow& r : rows.rows)
    queued_samples_ += fmt::format("{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n", fixed, r.site, r.object_size, r.inuse_bytes,
                                   r.inuse_objects, r.alloc_bytes, r.alloc_objects, r.samples);
  q.end = queued_samples_.size();
  q.captures_row = fmt::format("{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n", Tsv(target_.service), Tsv(target_.instance),
                               capture.content_hash, time, Tsv(capture.path), rows.rows.size(), Tsv(version),
                               Tsv(ProcessId(capture)), capture.period);
  queued_.push_back(std::move(q));
  return true;
}

StatusOr<std::vector<ClickHouse::Stored>> ClickHouse::Flush() const {
  auto stored = WithTries([&](int attempt) { return FlushOnce(attempt); });
  queued_.clear();
  queued_samples_.clear();
  return stored;
}

StatusOr<std::vector<ClickHouse::Stored>> ClickHouse::FlushOnce(int attempt) const {
  // After a cut try, what the server holds of each capture is asked again:
  // a capture stored whole is left as it is; one stored in part is cleared.
  std::vector<char> held(queued_.size(), 0);
  for (size_t i = 0; attempt > 1 && i < queued_.size(); ++i) {
    ASSIGN_OR_RETURN(bool stored, HeldOrCleared(queued_[i].id, queued_[i].time));
    held[i] = stored ? 1 : 0;
  }
  // The rows of those not held (all of them on a first try: sent as held,
  // not copied).
  std::string some_samples, captures;
  std::vector<Stored> out;
  for (size_t i = 0; i < queued_.size(); ++i) {
    const Queued& q = queued_[i];
    // (Held after a cut try: stored by that try of this batch.)
    out.push_back(q.stored);
    if (held[i]) continue;
    if (attempt > 1) some_samples.append(queued_samples_, q.begin, q.end - q.begin);
    captures += q.captures_row;
  }
  const std::string& samples = attempt > 1 ? some_samples : queued_samples_;
  if (!samples.empty()) {
    Status inserted = Run(InsertInto(kTables[0]), samples).status();
    // Tables an earlier version made lack the columns added since.
    if (!inserted.ok() && inserted.message().find("No such column") != std::string::npos)
      return Status::InputError(inserted.message() +
                                " (tables made by an earlier pprof-trend: push --init adds the "
                                "columns they lack)");
    RETURN_IF_ERROR(inserted);
  }
  if (!captures.empty()) RETURN_IF_ERROR(Run(InsertInto(kTables[2]), captures).status());
  return out;
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
  // The prefilter: only sites whose bytes rose from an instance's first
  // capture of the window to its last, in some instance; the largest rises
  // summed over the instances first. One group per site and instance (the
  // instances' first and last times from the small captures table).
  ASSIGN_OR_RETURN(
      std::string candidates,
      Run(fmt::format(
          "SELECT site FROM (SELECT site, instance, sumIf(inuse_bytes, time = last) - sumIf(inuse_bytes, time = first) "
          "AS g FROM pprof_trend_samples GLOBAL ANY INNER JOIN (SELECT instance, min(time) AS first, max(time) AS last "
          "FROM pprof_trend_captures WHERE {0} GROUP BY instance) USING instance WHERE {0} GROUP BY site, instance) "
          "GROUP BY site HAVING sumIf(g, g > 0) > 0 ORDER BY sumIf(g, g > 0) DESC, site LIMIT {1}",
          where, max_sites)));
  std::string in_list;
  std::vector<uint64_t> keys;
  for (const auto& row : TsvRows(candidates)) {
    keys.push_back(Uint(row[0]));
    in_list += (in_list.empty() ? "" : ",") + row[0];
  }
  std::vector<FleetSiteInput> sites;
  if (keys.empty()) return sites;
  // Each instance's captures in the window (the small captures table):
  // time, version, process, period.
  struct Instance {
    std::string name, version;
    int64_t period = 0;
    std::vector<int64_t> times;
    std::vector<std::string> processes;
  };
  std::vector<Instance> instances;
  std::unordered_map<std::string, size_t> instance_index;
  ASSIGN_OR_RETURN(
      std::string points,
      Run(fmt::format("SELECT instance, toUnixTimestamp(time), any(version), any(process_id), any(period) "
                      "FROM pprof_trend_captures FINAL WHERE {} GROUP BY instance, time ORDER BY instance, "
                      "time",
                      where)));
  for (const auto& row : TsvRows(points)) {
    if (row.size() != 5) continue;
    auto [it, added] = instance_index.try_emplace(row[0], instances.size());
    if (added) instances.push_back(Instance{row[0], "", 0, {}, {}});
    Instance& in = instances[it->second];
    in.times.push_back(Int(row[1]));
    in.processes.push_back(row[3]);
    in.version = row[2];  // the latest capture's
    in.period = Int(row[4]);
  }
  // The candidates' bytes per instance and capture, read line by line (a
  // million rows for 200 candidates of 200 instances of 24 captures).
  std::unordered_map<uint64_t, size_t> site_index;
  for (size_t i = 0; i < keys.size(); ++i) site_index.emplace(keys[i], i);
  std::vector<std::vector<std::vector<double>>> bytes(keys.size(), std::vector<std::vector<double>>(instances.size()));
  ASSIGN_OR_RETURN(std::string values,
                   Run(fmt::format("SELECT site, instance, toUnixTimestamp(time), sum(inuse_bytes) FROM "
                                   "pprof_trend_samples WHERE {} AND site IN ({}) GROUP BY site, instance, time",
                                   where, in_list)));
  ForEachTsvRow(values, [&](const std::vector<std::string>& row) {
    if (row.size() != 4) return;
    auto site = site_index.find(Uint(row[0]));
    auto instance = instance_index.find(row[1]);
    if (site == site_index.end() || instance == instance_index.end()) return;
    const Instance& in = instances[instance->second];
    const auto at = std::lower_bound(in.times.begin(), in.times.end(), Int(row[2]));
    if (at == in.times.end() || *at != Int(row[2])) return;  // a capture without its captures row
    std::vector<double>& series = bytes[site->second][instance->second];
    if (series.empty()) series.assign(in.times.size(), 0);
    series[static_cast<size_t>(at - in.times.begin())] = static_cast<double>(Int(row[3]));
  });
  std::unordered_map<uint64_t, std::pair<std::vector<std::string>, std::vector<std::string>>> frames;
  ASSIGN_OR_RETURN(std::string names,
                   Run(fmt::format("SELECT site, i, functions[i], files[i] FROM pprof_trend_sites FINAL ARRAY JOIN "
                                   "arrayEnumerate(functions) AS i WHERE site IN ({}) ORDER BY site, i",
                                   in_list)));
  for (const auto& row : TsvRows(names))
    if (row.size() == 4) {
      frames[Uint(row[0])].first.push_back(row[2]);
      frames[Uint(row[0])].second.push_back(row[3]);
    }
  for (size_t k = 0; k < keys.size(); ++k) {
    FleetSiteInput site;
    site.site = keys[k];
    site.functions = frames[keys[k]].first;
    site.files = frames[keys[k]].second;
    for (size_t i = 0; i < instances.size(); ++i) {
      if (bytes[k][i].empty()) continue;  // never listed by this instance
      const Instance& in = instances[i];
      site.instances.push_back(
          FleetInstanceSeries{in.name, in.version, in.times, in.processes, std::move(bytes[k][i]), in.period});
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
