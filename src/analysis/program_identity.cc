#include "analysis/program_identity.h"

#include <algorithm>
#include <cmath>

namespace pprof_trend {
namespace {

// Every file both captures map, mapped elsewhere in the second: a new process
// (ASLR). False when they map no file in common, or any stayed put (a
// non-PIE binary's main mapping never moves, so a Go program says nothing).
bool EveryMappingMoved(const Capture& a, const Capture& b) {
  size_t common = 0;
  for (const Capture::Placement& p : a.placements)
    for (const Capture::Placement& q : b.placements)
      if (p.file == q.file) {
        if (p.start == q.start) return false;
        ++common;
      }
  return common > 0;
}

// Per neighbouring pair (i-1, i): the |bytes| of each capture at sites the
// other holds too, and each capture's |bytes| in all.
struct SharedBytes {
  std::vector<double> previous_shared, next_shared;  // [i]: capture i-1's, capture i's
  std::vector<double> totals;                        // [i]: capture i's
};

SharedBytes MeasureShared(const AlignedProfiles& aligned) {
  const size_t n = aligned.captures.size();
  SharedBytes s{std::vector<double>(n), std::vector<double>(n), std::vector<double>(n)};
  std::vector<int64_t> v(n);
  for (const AlignedSite& site : aligned.sites) {
    if (site.values.constant()) {  // the same value in every capture
      const double a = std::abs(static_cast<double>(site.values.front()));
      if (a == 0) continue;
      for (size_t i = 0; i < n; ++i) {
        s.totals[i] += a;
        if (i > 0) s.previous_shared[i] += a, s.next_shared[i] += a;
      }
      continue;
    }
    site.values.DecodeTo(v.data());
    for (size_t i = 0; i < n; ++i) {
      s.totals[i] += std::abs(static_cast<double>(v[i]));
      if (i > 0 && v[i] != 0 && v[i - 1] != 0) {
        s.previous_shared[i] += std::abs(static_cast<double>(v[i - 1]));
        s.next_shared[i] += std::abs(static_cast<double>(v[i]));
      }
    }
  }
  return s;
}

}  // namespace

std::vector<NeighbourEvidence> CompareNeighbours(const AlignedProfiles& aligned) {
  const size_t n = aligned.captures.size();
  std::vector<NeighbourEvidence> out(n);
  if (n < 2) return out;
  const SharedBytes shared = MeasureShared(aligned);
  for (size_t i = 1; i < n; ++i) {
    const Capture &a = aligned.captures[i - 1], &b = aligned.captures[i];
    NeighbourEvidence& e = out[i];
    e.measured = shared.totals[i - 1] > 0 && shared.totals[i] > 0;
    if (e.measured)
      e.shared = std::max(shared.previous_shared[i] / shared.totals[i - 1], shared.next_shared[i] / shared.totals[i]);
    e.other_runtime = !a.runtime.empty() && !b.runtime.empty() && a.runtime != b.runtime;
    e.same_binary = !a.main_binary.empty() && a.main_binary == b.main_binary;
    e.rebuilt = !a.build_id.empty() && !b.build_id.empty() && a.build_id != b.build_id;
    e.moved = EveryMappingMoved(a, b);
    // One binary (by name) is one program however little aligns: a rebuild of
    // an unsymbolized native program aligns nothing.
    e.different_programs = e.other_runtime || (e.measured && e.shared < kDifferentProgramsShare && !e.same_binary);
  }
  return out;
}

}  // namespace pprof_trend
