#include "analysis/ranking.h"

#include <algorithm>
#include <bit>

#include "base/parallel_sort.h"

namespace pprof_trend {

// Total order on stacks by their frames' names (function, file, line), root
// first: the last tie-break of the ranking, so output never depends on
// hash-map order.
std::vector<uint32_t> FrameOrder(const AlignedProfiles& aligned) {
  std::vector<uint32_t> by_name(aligned.frames.size());
  for (uint32_t f = 0; f < by_name.size(); ++f) by_name[f] = f;
  std::sort(by_name.begin(), by_name.end(), [&](uint32_t a, uint32_t b) {
    const AlignedFrame& x = aligned.frames[a];
    const AlignedFrame& y = aligned.frames[b];
    if (int c = x.function.compare(y.function); c != 0) return c < 0;
    if (int c = x.file.compare(y.file); c != 0) return c < 0;
    return x.line < y.line;
  });
  std::vector<uint32_t> order(by_name.size());
  for (uint32_t i = 0; i < by_name.size(); ++i) order[by_name[i]] = i;
  return order;
}

// Each node's position when the nodes are sorted by stack, root first,
// frame by frame in frame_order, a stack before the longer ones it begins:
// Rank's last tie-break. A radix sort from the root: the nodes are sorted by
// their first few frames packed into one integer (as many as fit in 64
// bits), each group that shares them by the next few, and so on until every
// group holds one node. Each pass reads the stacks still in groups in memory
// order into one key array, so every comparison is of integers in cache.
// (Comparing whole stacks read two stacks per comparison, and most stacks
// share their first frames: main, runtime.)
std::vector<uint32_t> StackPositions(const std::vector<TrendNode>& nodes, const AlignedProfiles& aligned,
                                     const std::vector<uint32_t>& frame_order) {
  const size_t n = nodes.size();
  std::vector<std::span<const uint32_t>> stacks(n);
  for (size_t i = 0; i < n; ++i) stacks[i] = NodeStack(aligned, nodes[i]);
  // A frame's digit is its rank + 1; 0: the stack has ended.
  const int bits = std::max(1, static_cast<int>(std::bit_width(frame_order.size())));
  const size_t per_pass = static_cast<size_t>(64 / bits);
  struct Keyed {
    uint64_t key;
    uint32_t node;
    bool operator<(const Keyed& o) const { return key != o.key ? key < o.key : node < o.node; }
  };
  std::vector<Keyed> keyed(n);
  for (uint32_t i = 0; i < n; ++i) keyed[i].node = i;
  struct Group {
    size_t begin, end;
  };
  std::vector<Group> groups, next_groups;
  if (n > 1) groups.push_back({0, n});
  std::vector<char> grouped(n, 1);  // in a group of two or more at this depth
  std::vector<uint64_t> key(n);
  for (size_t depth = 0; !groups.empty(); depth += per_pass) {
    for (size_t i = 0; i < n; ++i) {
      if (!grouped[i]) continue;
      uint64_t k = 0;
      for (size_t d = depth; d < depth + per_pass; ++d)
        k = k << bits | (d < stacks[i].size() ? frame_order[stacks[i][d]] + 1 : 0);
      key[i] = k;
    }
    next_groups.clear();
    for (const Group& g : groups) {
      for (size_t i = g.begin; i < g.end; ++i) keyed[i].key = key[keyed[i].node];
      std::sort(keyed.begin() + static_cast<std::ptrdiff_t>(g.begin),
                keyed.begin() + static_cast<std::ptrdiff_t>(g.end));
      for (size_t run = g.begin; run < g.end;) {
        size_t next = run + 1;
        while (next < g.end && keyed[next].key == keyed[run].key) ++next;
        // The same frames, and the stacks go on past them (a last digit of 0
        // means they ended: equal stacks, left in node order).
        if (next - run > 1 && (keyed[run].key & ((uint64_t{1} << bits) - 1)) != 0) next_groups.push_back({run, next});
        run = next;
      }
    }
    std::fill(grouped.begin(), grouped.end(), 0);
    for (const Group& g : next_groups)
      for (size_t i = g.begin; i < g.end; ++i) grouped[keyed[i].node] = 1;
    groups.swap(next_groups);
  }
  std::vector<uint32_t> position(n);
  for (uint32_t i = 0; i < n; ++i) position[keyed[i].node] = i;
  return position;
}

void Rank(std::vector<TrendNode>& nodes, const AlignedProfiles& aligned, const std::vector<uint32_t>& frame_order,
          size_t threads) {
  // Sort small keys rather than the nodes: the nodes that grew first (so the
  // text table's rows are a prefix of every output's list), then by score,
  // then growth, then the stack's frame names (its position among the
  // nodes' stacks).
  const std::vector<uint32_t> stack_position = StackPositions(nodes, aligned, frame_order);
  struct Key {
    double score, delta;
    uint32_t stack_position, index;
    bool grew;
  };
  std::vector<Key> keys(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i)
    keys[i] = {nodes[i].stats.score, nodes[i].stats.delta, stack_position[i], static_cast<uint32_t>(i), Grew(nodes[i])};
  // Stack positions are distinct, so this is a total order: one result
  // however the sort is split.
  ParallelSort(
      keys,
      [](const Key& a, const Key& b) {
        if (a.grew != b.grew) return a.grew;
        if (a.score != b.score) return a.score > b.score;
        if (a.delta != b.delta) return a.delta > b.delta;
        return a.stack_position < b.stack_position;
      },
      threads);
  // Apply the order in place, cycle by cycle (a second copy of the nodes
  // would be the largest allocation of the run).
  std::vector<size_t> source(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) source[i] = keys[i].index;
  keys = {};
  for (size_t start = 0; start < source.size(); ++start) {
    if (source[start] == start || source[start] == SIZE_MAX) continue;
    TrendNode held = std::move(nodes[start]);
    size_t at = start;
    while (source[at] != start) {
      nodes[at] = std::move(nodes[source[at]]);
      size_t next = source[at];
      source[at] = SIZE_MAX;
      at = next;
    }
    nodes[at] = std::move(held);
    source[at] = SIZE_MAX;
  }
  for (size_t i = 0; i < nodes.size(); ++i) nodes[i].rank = static_cast<int>(i + 1);
}

}  // namespace pprof_trend
