// `pprof-trend push`: a capture's rows (analysis/fleet_rows) into a
// ClickHouse server over its HTTP interface (libcurl, through HttpSession),
// in the tables src/capture/FLEET.md describes. Idempotent per capture: a
// capture whose content hash the server already holds for the instance is
// not stored twice.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "analysis/fleet.h"
#include "analysis/fleet_rows.h"
#include "base/status.h"
#include "capture/http.h"
#include "model/capture.h"

namespace pprof_trend {

struct PushTarget {
  std::string url;  // the server's HTTP interface: http://127.0.0.1:8123 (user info and ?user= allowed)
  std::string service, instance, version;
};

class ClickHouse {
 public:
  ClickHouse(PushTarget target, const HttpSession& http, FetchOptions fetch)
      : target_(std::move(target)), http_(http), fetch_(std::move(fetch)) {}

  // Creates the tables where they are missing (push --init); with a
  // cluster (push --init --cluster NAME, run against every shard), each as
  // NAME_local with a Distributed table over the shards' (src/capture/FLEET.md).
  Status Init(const std::string& cluster = "") const;

  // The tables are there with every column push stores (watch --clickhouse
  // checks before its first capture); else what is wrong, and that push
  // --init makes them.
  Status CheckTables() const;

  // Stores one capture's rows; false (and nothing stored) when the server
  // already holds it. (Queue, then Flush.)
  StatusOr<bool> Push(const Capture& capture, const FleetCapture& rows) const;

  // push's way, a batch of captures at a time: one INSERT of many captures'
  // rows costs the server a fraction of one per capture (1.44 million rows
  // of 72 captures: 8.4 s in 72 inserts, 3.2 s in one). Queue stores the
  // capture's new sites' frames and holds its rows; false (nothing held)
  // when the server or the batch holds the capture already. Flush stores the
  // batch's rows, then the captures' own rows (what makes them held), and
  // gives each queued capture, in order, once all are stored.
  StatusOr<bool> Queue(const Capture& capture, const FleetCapture& rows) const;
  // Bytes of rows held from which a batch is worth storing.
  static constexpr size_t kBatchBytes = size_t{32} << 20;
  size_t queued_bytes() const { return queued_samples_.size(); }
  struct Stored {
    std::string path;
    size_t rows = 0, new_sites = 0;  // its rows; the sites whose frames it stored
  };
  StatusOr<std::vector<Stored>> Flush() const;
  // The site keys whose frames this run has stored: FleetRowsOf leaves
  // their frames out.
  const std::unordered_set<uint64_t>& sites_sent() const { return sites_sent_; }
  const PushTarget& target() const { return target_; }

  // fleet: the prefilter in the server (per site and instance, the first
  // and last bytes of the window; per site, the growth summed over the
  // instances), then the `max_sites` candidates' per-instance series, each
  // instance's captures with the site's bytes (0 where a capture does not
  // list it). `since_seconds` (0: all) counts back from the service's newest
  // capture.
  StatusOr<std::vector<FleetSiteInput>> FleetInputs(double since_seconds, size_t max_sites) const;
  // The paths the instance's captures were pushed from, in time order.
  StatusOr<std::vector<std::string>> CapturePaths(const std::string& instance, double since_seconds) const;

 private:
  // One try of Queue and of Flush.
  StatusOr<bool> QueueOnce(const Capture& capture, const FleetCapture& rows) const;
  StatusOr<std::vector<Stored>> FlushOnce(int attempt) const;
  // Whether the server holds capture `id` (taken at `time`), after removing
  // the rows a cut push left of it.
  StatusOr<bool> HeldOrCleared(uint64_t id, const std::string& time) const;
  // Adds the columns of `columns` (a table's definition) that `table` lacks.
  Status AddMissingColumns(const std::string& table, const char* columns) const;
  // A statement (the body of a POST); `data` follows it for an INSERT.
  StatusOr<std::string> Run(const std::string& statement, const std::string& data = "") const;

  PushTarget target_;
  const HttpSession& http_;
  FetchOptions fetch_;
  // The site keys this run has stored the frames of.
  mutable std::unordered_set<uint64_t> sites_sent_;
  // The batch: its captures, and their rows (TSV) one after another.
  struct Queued {
    uint64_t id = 0;
    std::string time, captures_row;
    size_t begin = 0, end = 0;  // its rows in queued_samples_
    Stored stored;              // what Flush gives of it
  };
  mutable std::vector<Queued> queued_;
  mutable std::string queued_samples_;
};

}  // namespace pprof_trend
