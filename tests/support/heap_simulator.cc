#include "support/heap_simulator.h"

#include <algorithm>
#include <cmath>

#include "input/model_builder.h"

namespace pprof_trend::sim {
namespace {

int64_t TrueAlive(const SiteSpec& s, int k, int captures) {
  const double b = s.base, l = s.step;
  double n = b;
  switch (s.pattern) {
    case Pattern::kLeak: n = b + l * k; break;
    case Pattern::kPlateau: n = b + l * std::min(k, static_cast<int>(std::ceil(2.0 * (captures - 1) / 3.0))); break;
    case Pattern::kSpike: n = (k == std::max(1, captures / 2)) ? b + l : b; break;
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
};

int64_t Binomial(std::mt19937_64& rng, int64_t n, double p) {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  return std::binomial_distribution<int64_t>(n, p)(rng);
}

// Of `alive` objects, `sampled` sampled, `freed` are freed at random: how
// many sampled ones go (hypergeometric; drawn one by one when small).
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
  return std::min(sampled, Binomial(rng, sampled, static_cast<double>(freed) / static_cast<double>(alive)));
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
      const int64_t target = TrueAlive(site, k_in_process, spec.captures);
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
      out.alive[i].push_back(st.alive);
      if (st.sampled_allocs == 0) continue;
      auto [alloc_objects, alloc_space] = Scale(st.sampled_allocs, st.sampled_allocs * site.size, spec.rate);
      auto [inuse_objects, inuse_space] = Scale(st.sampled_alive, st.sampled_alive * site.size, spec.rate);
      const uint32_t loc = model.FrameLocation("sim.site" + std::to_string(i), "sim.go", static_cast<int64_t>(i + 1));
      model.AddSample({loc}, {alloc_objects, alloc_space, inuse_objects, inuse_space}, site.size);
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
  for (Pattern pattern : {Pattern::kLeak, Pattern::kLeak, Pattern::kPlateau, Pattern::kSpike, Pattern::kChurn,
                          Pattern::kFlat, Pattern::kShrink, Pattern::kChurn}) {
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
    if (pattern == Pattern::kChurn) {
      site.turnover = 0.5 + unit(rng) * 2.5;
    } else if (pattern != Pattern::kFlat && unit(rng) < 0.3) {
      site.turnover = unit(rng) * 0.3;
    }
    spec.sites.push_back(site);
  }
  return spec;
}

}  // namespace pprof_trend::sim
