#include "base/closest_name.h"

#include <algorithm>

namespace pprof_trend {
namespace {

// Optimal string alignment over three rows; `free_start` lets the match
// begin anywhere in b at no cost, and the answer is then the best end.
size_t Distance(std::string_view a, std::string_view b, bool free_start) {
  const size_t m = b.size();
  std::vector<size_t> before(m + 1), previous(m + 1), row(m + 1);
  for (size_t j = 0; j <= m; ++j) previous[j] = free_start ? 0 : j;
  for (size_t i = 1; i <= a.size(); ++i) {
    row[0] = i;
    for (size_t j = 1; j <= m; ++j) {
      size_t d = std::min({previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d = std::min(d, before[j - 2] + 1);
      row[j] = d;
    }
    std::swap(before, previous);
    std::swap(previous, row);
  }
  if (!free_start) return previous[m];
  return *std::min_element(previous.begin(), previous.end());
}

}  // namespace

size_t EditDistance(std::string_view a, std::string_view b) { return Distance(a, b, false); }

size_t SubstringDistance(std::string_view word, std::string_view text) { return Distance(word, text, true); }

std::string ClosestMatch(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_distance = 3;
  for (const auto& c : candidates) {
    size_t d = EditDistance(word, c);
    if (word.size() >= 3 && c.starts_with(word)) d = std::min<size_t>(d, 1);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

std::string ClosestContaining(std::string_view word, const std::vector<std::string_view>& names) {
  const size_t limit = std::max<size_t>(1, word.size() / 4);
  std::string_view best;
  size_t best_distance = limit + 1;
  for (std::string_view name : names) {
    // A name shorter than the word less the edits allowed cannot hold it.
    if (name.size() + limit < word.size()) continue;
    size_t d = SubstringDistance(word, name);
    if (d == 0) return "";
    if (d < best_distance || (d == best_distance && name.size() < best.size())) {
      best_distance = d;
      best = name;
    }
  }
  return std::string(best);
}

}  // namespace pprof_trend
