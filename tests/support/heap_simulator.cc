#include "support/heap_simulator.h"

#include <algorithm>
#include <cmath>

#include "input/model_builder.h"

namespace pprof_trend::sim {
namespace {

// The capture a spike is at: inside one process, never its first or last
// capture (there it would be a step, or growth).
int SpikeAt(int captures, int restart_at) {
  const int middle = std::max(1, captures / 2);
  if (restart_at < 0 || (middle < restart_at - 1) || middle > restart_at) return middle;
  return restart_at >= 3 ? restart_at / 2 : (restart_at + captures - 1) / 2;
}

// k: the capture; k_in_process: its index within its process.
int64_t TrueAlive(const SiteSpec& s, int k, int k_in_process, int captures, int restart_at) {
  const double b = s.base, l = s.step;
  double n = b;
  // A plateau grows until the last third of the steps (at least one), then stays.
  const int stop = captures - 1 - std::max(1, (captures - 1) / 3);
  switch (s.pattern) {
    case Pattern::kLeak: n = b + l * k_in_process; break;
    case Pattern::kPlateau: n = b + l * std::min(k_in_process, stop); break;
    case Pattern::kSpike: n = (k == SpikeAt(captures, restart_at)) ? b + l : b; break;
    case Pattern::kChurn:
    case Pattern::kFlat: n = b; break;
    case Pattern::kShrink: n = std::max(b - l * k, b / 4); break;
  }
  return static_cast<int64_t>(std::llround(n));
}

// runtime/pprof's scaleHeapSample.
std::pair<int64_t, int64_t> Scale(int64_t count, int64_t bytes, int64_t rate) {
  if (count == 0 || bytes == 0) return {0, 0};
  const double avg = static_cast<double>(bytes) / static_cast<double>(count);
  const double scale = 1 / (1 - std::exp(-avg / static_cast<double>(rate)));
  return {static_cast<int64_t>(static_cast<double>(count) * scale),
          static_cast<int64_t>(static_cast<double>(bytes) * scale)};
}

struct SiteState {
  int64_t alive = 0, sampled_alive = 0, sampled_allocs = 0;
  int64_t sampled_strays = 0;
};

int64_t Binomial(std::mt19937_64& rng, int64_t n, double p) {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  return std::binomial_distribution<int64_t>(n, p)(rng);
}

// Of `alive` objects, `sampled` sampled, `freed` are freed at random: how
// many sampled ones go (hypergeometric; drawn one by one when few are sampled).
int64_t FreedSampled(std::mt19937_64& rng, int64_t alive, int64_t sampled, int64_t freed) {
  if (freed <= 0 || sampled <= 0) return 0;
  if (freed >= alive) return sampled;
  if (sampled <= 64) {  // exact: each sampled object survives with (alive-freed)/alive, without replacement
    int64_t gone = 0, a = alive, f = freed;
    for (int64_t i = 0; i < sampled; ++i) {
      if (std::bernoulli_distribution(static_cast<double>(f) / static_cast<double>(a))(rng)) {
        ++gone;
        --f;
      }
      --a;
      if (f == 0) break;
    }
    return gone;
  }
  // Hypergeometric, by its normal approximation (a binomial would ignore
  // that the draws are without replacement: with most objects sampled, it
  // would free more or fewer sampled ones than exist), kept within its range.
  const double n = static_cast<double>(alive), k = static_cast<double>(sampled), f = static_cast<double>(freed);
  const double mean = k * f / n, variance = mean * (1 - k / n) * (n - f) / std::max(1.0, n - 1);
  const auto draw =
      static_cast<int64_t>(std::llround(std::normal_distribution<double>(mean, std::sqrt(variance))(rng)));
  return std::clamp(draw, std::max<int64_t>(0, freed - (alive - sampled)), std::min(sampled, freed));
}

}  // namespace

const char* PatternName(Pattern p) {
  switch (p) {
    case Pattern::kLeak: return "leak";
    case Pattern::kPlateau: return "plateau";
    case Pattern::kSpike: return "spike";
    case Pattern::kChurn: return "churn";
    case Pattern::kFlat: return "flat";
    case Pattern::kShrink: return "shrink";
  }
  return "?";
}

Series Simulate(const SeriesSpec& spec) {
  std::mt19937_64 rng(spec.seed);
  Series out;
  std::vector<SiteState> state(spec.sites.size());
  out.alive.assign(spec.sites.size(), {});
  out.bytes.assign(spec.sites.size(), {});
  for (int k = 0; k < spec.captures; ++k) {
    const bool fresh = k == 0 || k == spec.restart_at;  // a process starts: everything allocated anew
    const int k_in_process = spec.restart_at >= 0 && k >= spec.restart_at ? k - spec.restart_at : k;
    ModelBuilder model("sim" + std::to_string(k));
    model.SetSampleTypes(
        {{"alloc_objects", "count"}, {"alloc_space", "bytes"}, {"inuse_objects", "count"}, {"inuse_space", "bytes"}});
    model.SetPeriod("space", "bytes", spec.rate);
    model.SetTime(int64_t{1700000000} * 1000000000 + static_cast<int64_t>(k * spec.interval_seconds * 1e9));
    for (size_t i = 0; i < spec.sites.size(); ++i) {
      const SiteSpec& site = spec.sites[i];
      SiteState& st = state[i];
      const double p = 1 - std::exp(-static_cast<double>(site.size) / static_cast<double>(spec.rate));
      const int64_t target = TrueAlive(site, k, k_in_process, spec.captures, spec.restart_at);
      if (fresh) {
        st = SiteState{};
        // The first process ran a while (10 steps' churn) before its first
        // capture; a restarted one is captured soon after it starts (1 step).
        const double history = k == 0 ? 10 : 1;
        const int64_t before =
            Binomial(rng, static_cast<int64_t>(site.turnover * static_cast<double>(target) * history), p);
        st.alive = target;
        st.sampled_alive = Binomial(rng, target, p);
        st.sampled_allocs = st.sampled_alive + before;
        if (site.stray_objects > 0)
          st.sampled_strays =
              Binomial(rng, site.stray_objects,
                       1 - std::exp(-static_cast<double>(site.stray_size) / static_cast<double>(spec.rate)));
      } else {
        // Turnover: old objects freed and new ones allocated; past 100% some
        // of the new ones are freed again before the capture.
        const int64_t turnover = static_cast<int64_t>(std::llround(site.turnover * static_cast<double>(st.alive)));
        const int64_t freed_old = std::min(st.alive, turnover + std::max<int64_t>(0, st.alive - target));
        const int64_t allocated = turnover + std::max<int64_t>(0, target - st.alive);
        const int64_t kept_new = target - (st.alive - freed_old);  // 0 <= kept_new <= allocated
        const int64_t freed_sampled = FreedSampled(rng, st.alive, st.sampled_alive, freed_old);
        const int64_t new_sampled = Binomial(rng, allocated, p);
        const int64_t kept_sampled = new_sampled - FreedSampled(rng, allocated, new_sampled, allocated - kept_new);
        st.alive = target;
        st.sampled_alive += kept_sampled - freed_sampled;
        st.sampled_allocs += new_sampled;
      }
      out.alive[i].push_back(st.alive + site.stray_objects);
      out.bytes[i].push_back(st.alive * site.size + site.stray_objects * site.stray_size);
      if (st.sampled_allocs == 0 && st.sampled_strays == 0) continue;
      const uint32_t loc = model.FrameLocation("sim.site" + std::to_string(i), "sim.go", static_cast<int64_t>(i + 1));
      if (st.sampled_allocs > 0) {
        auto [alloc_objects, alloc_space] = Scale(st.sampled_allocs, st.sampled_allocs * site.size, spec.rate);
        auto [inuse_objects, inuse_space] = Scale(st.sampled_alive, st.sampled_alive * site.size, spec.rate);
        model.AddSample({loc}, {alloc_objects, alloc_space, inuse_objects, inuse_space}, site.size);
      }
      if (st.sampled_strays > 0) {  // Go's bucket of the other size: same stack, its own `bytes` label
        auto [objects, space] = Scale(st.sampled_strays, st.sampled_strays * site.stray_size, spec.rate);
        model.AddSample({loc}, {objects, space, objects, space}, site.stray_size);
      }
    }
    out.profiles.push_back(std::move(model).Finish());
  }
  return out;
}

SeriesSpec RandomSeries(std::mt19937_64& rng, uint64_t seed) {
  SeriesSpec spec;
  spec.seed = seed;
  std::uniform_int_distribution<int> captures(3, 30);
  spec.captures = std::uniform_int_distribution<int>(0, 2)(rng) == 0 ? captures(rng)
                                                                     : std::uniform_int_distribution<int>(3, 6)(rng);
  const double intervals[] = {30, 60, 600, 3600, 86400};
  spec.interval_seconds = intervals[std::uniform_int_distribution<int>(0, 4)(rng)];
  if (spec.captures >= 5 && std::uniform_int_distribution<int>(0, 9)(rng) == 0)
    spec.restart_at = std::uniform_int_distribution<int>(2, spec.captures - 2)(rng);
  const int64_t sizes[] = {16, 32, 64, 256, 1024, 4096, 65536, 1 << 20};
  std::uniform_int_distribution<int> size_index(0, 7);
  std::uniform_real_distribution<double> unit(0, 1);
  int leaks = 0;
  for (Pattern pattern : {Pattern::kLeak, Pattern::kLeak, Pattern::kPlateau, Pattern::kSpike, Pattern::kChurn,
                          Pattern::kFlat, Pattern::kShrink, Pattern::kChurn, Pattern::kLeak}) {
    SiteSpec site;
    site.pattern = pattern;
    site.size = sizes[size_index(rng)];
    // A level of 4 MiB to 256 MiB of these objects (at least 20 of them).
    const double bytes = std::exp(std::log(4.0 * (1 << 20)) + unit(rng) * std::log(64.0));
    site.base = std::max(20.0, std::round(bytes / static_cast<double>(site.size)));
    const double growth = 0.01 + unit(rng) * 0.29;  // per step, of the level
    site.step = std::max(1.0, std::round(site.base * growth));
    if (pattern == Pattern::kSpike) site.step = std::max(1.0, std::round(site.base * (0.2 + unit(rng))));
    if (pattern == Pattern::kShrink) site.step = std::max(1.0, std::round(site.base * 0.75 / spec.captures));
    // Turnover: none on flat sites; 50% to 300% per step on churn; on the
    // others none in 7 of 10 sites (an allocation site that leaks usually
    // only leaks) and up to 30% otherwise.
    const bool churning_leak = pattern == Pattern::kLeak && ++leaks == 3;
    if (pattern == Pattern::kChurn || churning_leak) {
      site.turnover = 0.5 + unit(rng) * 2.5;
    } else if (pattern != Pattern::kFlat && unit(rng) < 0.3) {
      site.turnover = unit(rng) * 0.3;
    }
    spec.sites.push_back(site);
  }
  return spec;
}

SeriesSpec RandomNullSeries(std::mt19937_64& rng, uint64_t seed, size_t sites) {
  SeriesSpec spec;
  spec.seed = seed;
  spec.captures = std::uniform_int_distribution<int>(3, 10)(rng);
  spec.interval_seconds = 3600;
  const int64_t sizes[] = {16, 32, 64, 256, 1024, 4096, 65536, 1 << 20};
  std::uniform_int_distribution<int> size_index(0, 7);
  std::uniform_real_distribution<double> unit(0, 1);
  const Pattern patterns[] = {Pattern::kFlat, Pattern::kChurn, Pattern::kSpike, Pattern::kShrink};
  for (size_t i = 0; i < sites; ++i) {
    SiteSpec site;
    site.pattern = patterns[i % 4];
    site.size = sizes[size_index(rng)];
    // A real profile's many sites are small: 64 KiB to 64 MiB each.
    const double bytes = std::exp(std::log(64.0 * 1024) + unit(rng) * std::log(1024.0));
    site.base = std::max(1.0, std::round(bytes / static_cast<double>(site.size)));
    if (site.pattern == Pattern::kSpike) site.step = std::max(1.0, std::round(site.base * (0.2 + unit(rng))));
    if (site.pattern == Pattern::kShrink) site.step = std::max(1.0, std::round(site.base * 0.75 / spec.captures));
    if (site.pattern == Pattern::kChurn) site.turnover = 0.5 + unit(rng) * 2.5;
    spec.sites.push_back(site);
  }
  return spec;
}

}  // namespace pprof_trend::sim
