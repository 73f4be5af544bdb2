// A simulator of Go heap profiles with known truth, for measuring the trend
// engine: each allocation site holds objects of one size; between captures
// objects are allocated and freed; every allocation is sampled as Go's
// runtime does it (a byte countdown drawn from an exponential with mean
// MemProfileRate: memoryless, so each object of size s is sampled
// independently with probability 1 - exp(-s/rate)); a sampled object stays
// in the in-use profile until it is freed, and in the cumulative alloc
// counts for ever; values are scaled as runtime/pprof scales them.
//
// Used by tests/accuracy_test.cc (floors on recall, false alarms, interval
// coverage) and by tools/sim_accuracy.cc (the README's table).
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "model/profile.h"

namespace pprof_trend::sim {

enum class Pattern {
  kLeak,     // N_k = B + L*k: objects kept and never freed
  kPlateau,  // a leak that stops for the last third of the steps (at least one)
  kSpike,    // B, then B + X at one capture inside a process only, then B again
  kChurn,    // B, with a turnover of T objects freed and allocated per step
  kFlat,     // B, nothing allocated or freed
  kShrink,   // N_k = max(B - L*k, B/4): a cache trimmed over time
};
const char* PatternName(Pattern p);

struct SiteSpec {
  Pattern pattern = Pattern::kFlat;
  int64_t size = 64;    // bytes per object
  double base = 1000;   // B: objects alive at the first capture
  double step = 100;    // L (or X for a spike): objects per step
  double turnover = 0;  // T: share of the alive objects freed and replaced per step
  // Objects of another size at the same site, alive from the start and
  // never freed (one stray 288-byte object beside 4 KiB leaks): 0, none.
  int64_t stray_size = 0;
  int64_t stray_objects = 0;
};

struct SeriesSpec {
  uint64_t seed = 1;
  int captures = 3;
  double interval_seconds = 86400;
  int restart_at = -1;        // a new process from this capture on (-1: one process)
  int64_t rate = 512 * 1024;  // MemProfileRate
  std::vector<SiteSpec> sites;
};

struct Series {
  std::vector<Profile> profiles;            // one per capture
  std::vector<std::vector<int64_t>> alive;  // per site, per capture: the true number of objects (strays included)
  std::vector<std::vector<int64_t>> bytes;  // per site, per capture: their true bytes
};

// Site i is the function "sim.site<i>" (one stack of its own).
Series Simulate(const SeriesSpec& spec);

// A random series of the mix the accuracy is measured on: 3 to 30
// captures, minutes to days apart, sizes 16 B to 1 MiB, leaks of 1% to 30%
// of the level per step, turnover 0 to 300%, one restart in 1 of 10.
// Since the second round of statistics: a third leak churning 50% to 300%
// of its level per step.
SeriesSpec RandomSeries(std::mt19937_64& rng, uint64_t seed);

// A series in which nothing leaks: `sites` flat, churning, spiking and
// shrinking sites (a quarter each), 3 to 10 captures, one process.
SeriesSpec RandomNullSeries(std::mt19937_64& rng, uint64_t seed, size_t sites);

}  // namespace pprof_trend::sim
