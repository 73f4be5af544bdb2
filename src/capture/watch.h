// `pprof-trend watch URL... --every 10m --dir captures/`: capture live
// services' heaps on a schedule and report, after each capture, what grows.
//
// Each URL is an instance with a series of its own. A capture is fetched,
// checked to be a heap profile (an error page or a truncated body is
// reported and not saved), folded into the instance's series (an Aligner
// that grows by one capture: no capture is decoded twice, and memory holds
// the sites' series, never the profiles) and saved atomically into the
// directory with the instance and the time in its name. Captures already in
// the directory from an earlier run start the series; --keep drops old ones
// from the directory and the series alike. Budgets are check's; the exit code is check's: 0 pass, 1 a budget
// exceeded, 2 an error (a full disk ends the watch with the captures so far
// intact).
#pragma once

#include <csignal>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "analysis/check.h"
#include "analysis/pipeline.h"
#include "capture/clickhouse.h"
#include "capture/http.h"

namespace pprof_trend {

struct WatchOptions {
  std::vector<std::string> urls;
  double every_seconds = 600;
  double for_seconds = 0;  // 0: until interrupted
  std::string dir = "captures";
  size_t keep = 0;  // 0: keep every capture; else the last N plus the first (the baseline)
  bool gc = false;  // ?gc=1: a garbage collection before each capture
  FetchOptions fetch;
  PipelineOptions pipeline;  // options of the analysis; its profiles are filled per instance
  Budgets budgets;           // empty: report only
  bool fail_fast = false;    // exit 1 as soon as a budget is exceeded
  bool jsonl = false;        // one JSON event per capture instead of text updates
  std::string html;          // rewritten after each capture (the first instance's series)
  int pid = 0;               // --pid: its RSS and memory cgroup at each capture (0: none)
  bool memstats = false;     // --memstats: ?debug=1 beside each capture, for Go's runtime.MemStats
  bool goroutines = false;   // --goroutines: /debug/pprof/goroutine beside each capture
  // --on-high-water: a capture besides the schedule when the in-use total
  // (RSS with --pid) passes its highest so far by the margin (a share),
  // looked at every poll_seconds (0: 1 s with --pid, else every/10, at least
  // 5 s); the keep_highest highest such captures are kept in DIR/highest/.
  bool on_high_water = false;
  double high_water_margin = 0.1;
  double poll_seconds = 0;
  size_t keep_highest = 3;
  // --clickhouse: each capture's rows pushed into ClickHouse as it is taken
  // (and the earlier captures a resumed watch starts from, once each: push
  // is idempotent), as `push` stores them. An empty instance is each
  // watched URL's name (InstanceName).
  std::optional<PushTarget> clickhouse;
};

// The file name prefix of an instance: "127.0.0.1_6060" for Go's default
// path, "127.0.0.1_6060_admin_heap_seconds_30" for another; never credentials.
std::string InstanceName(const std::string& url);

// Runs the watch. `stop_signals` are blocked by the caller; the loop waits
// for them between captures and ends cleanly (final report, no half-written
// file) when one arrives. Returns the exit code.
int RunWatch(const WatchOptions& options, const HttpSession& http, const sigset_t& stop_signals, std::ostream& out,
             std::ostream& err);

}  // namespace pprof_trend
