// `pprof-trend push`: a capture's rows (analysis/fleet_rows) into a
// ClickHouse server over its HTTP interface (libcurl, through HttpSession),
// in the tables src/capture/FLEET.md describes. Idempotent per capture: a
// capture whose content hash the server already holds for the instance is
// not stored twice.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_set>

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
  // already holds it.
  StatusOr<bool> Push(const Capture& capture, const FleetCapture& rows) const;
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
  // One try of Push.
  StatusOr<bool> PushOnce(const Capture& capture, const FleetCapture& rows) const;
  // Adds the columns of `columns` (a table's definition) that `table` lacks.
  Status AddMissingColumns(const std::string& table, const char* columns) const;
  // A statement (the body of a POST); `data` follows it for an INSERT.
  StatusOr<std::string> Run(const std::string& statement, const std::string& data = "") const;

  PushTarget target_;
  const HttpSession& http_;
  FetchOptions fetch_;
  // The site keys this run has stored the frames of.
  mutable std::unordered_set<uint64_t> sites_sent_;
};

}  // namespace pprof_trend
