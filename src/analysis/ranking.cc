#include "analysis/ranking.h"

#include <algorithm>
#include <bit>

#include "base/id_table.h"
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

namespace {
// The stacks are read in sort order, not memory order: each read is fetched
// a few nodes ahead.
constexpr std::ptrdiff_t kAhead = 8;
void Prefetch(IdSpan stack, size_t depth) {
  if (depth < stack.size())
    __builtin_prefetch(static_cast<const char*>(stack.data()) + depth * (stack.narrow() ? 2 : 4));
}

// A node and the key it is sorted by.
struct Keyed {
  uint64_t key;
  uint32_t node;
  bool operator<(const Keyed& o) const { return key != o.key ? key < o.key : node < o.node; }
};

// Groups from this size on are sorted by numbering their keys, not by
// comparing them.
constexpr size_t kNumberedFrom = 1024;

// Sorts a group of nodes, which come in node order, by key and node: a
// small group by comparison; a large one by its keys' ranks. A large group
// holds few distinct keys (the next frames of stacks that agree so far: on
// three Go-shaped profiles, 1,014,000 nodes in 98 groups of 1,024 or more
// held 24,900): each key is numbered through an IdTable, the distinct keys
// are sorted, and the nodes are moved to their key's place in one stable
// pass, which keeps node order among equal keys.
class GroupSorter {
 public:
  void Sort(std::span<Keyed> group) {
    if (group.size() < kNumberedFrom) {
      std::sort(group.begin(), group.end());
      return;
    }
    table_.Empty();
    keys_.clear();
    ids_.resize(group.size());
    // A key's hash is one multiply: its high 32 bits are the table's tag,
    // which the table mixes again to place it.
    for (size_t i = 0; i < group.size(); ++i) {
      const uint64_t key = group[i].key;
      ids_[i] = table_.FindOrInsert(key * 0x9e3779b97f4a7c15ull, static_cast<uint32_t>(keys_.size()),
                                    [&](uint32_t id) { return keys_[id] == key; });
      if (ids_[i] == keys_.size()) keys_.push_back(key);
    }
    // rank_[id]: the key's position among the distinct keys.
    by_key_.resize(keys_.size());
    for (uint32_t id = 0; id < by_key_.size(); ++id) by_key_[id] = id;
    std::sort(by_key_.begin(), by_key_.end(), [&](uint32_t a, uint32_t b) { return keys_[a] < keys_[b]; });
    rank_.resize(keys_.size());
    for (uint32_t r = 0; r < by_key_.size(); ++r) rank_[by_key_[r]] = r;
    // Each key's first place, then every node to the next place of its key.
    place_.assign(keys_.size() + 1, 0);
    for (uint32_t id : ids_) ++place_[rank_[id] + 1];
    for (size_t r = 1; r < place_.size(); ++r) place_[r] += place_[r - 1];
    moved_.resize(group.size());
    for (size_t i = 0; i < group.size(); ++i) moved_[place_[rank_[ids_[i]]]++] = group[i];
    std::copy(moved_.begin(), moved_.end(), group.begin());
  }

 private:
  IdTable table_;               // key -> its id, the index into keys_
  std::vector<uint64_t> keys_;  // by id
  std::vector<uint32_t> ids_, by_key_, rank_, place_;
  std::vector<Keyed> moved_;
};
}  // namespace

// Each node's position when the nodes are sorted by stack, root first,
// frame by frame in frame_order, a stack before the longer ones it begins:
// Rank's last tie-break. A radix sort from the root over groups of nodes
// whose stacks agree up to a depth: each group first skips the frames all
// its stacks share (read once, in order, from each stack), then is sorted
// by its next few frames packed into one integer (as many as fit in 64
// bits), and each run that shares them becomes a group at the depth past
// them, until every group holds one node or stacks that are equal. (Stacks
// of real programs share long prefixes: runtime, main, a framework's
// dispatch, then tens of frames that differ only near the leaf; a pass per
// few frames over every stack read each stack's memory again per pass.)
std::vector<uint32_t> StackPositions(std::span<const IdSpan> stacks, const std::vector<uint32_t>& frame_order) {
  const size_t n = stacks.size();
  // A frame's digit is its rank + 1; 0: the stack has ended.
  const int bits = std::max(1, static_cast<int>(std::bit_width(frame_order.size())));
  const size_t per_pass = static_cast<size_t>(64 / bits);
  std::vector<Keyed> keyed(n);
  for (uint32_t i = 0; i < n; ++i) keyed[i] = {0, i};
  struct Group {
    size_t begin, end, depth;  // keyed[begin, end): stacks equal in their first `depth` frames
  };
  std::vector<Group> groups;
  GroupSorter sorter;
  if (n > 1) groups.push_back({0, n, 0});
  while (!groups.empty()) {
    const Group g = groups.back();
    groups.pop_back();
    const auto first = keyed.begin() + static_cast<std::ptrdiff_t>(g.begin);
    const auto last = keyed.begin() + static_cast<std::ptrdiff_t>(g.end);
    // The frames past g.depth that every stack of the group shares.
    const IdSpan lead = stacks[first->node];
    size_t shared = lead.size() - g.depth;
    bool same_length = true;
    for (auto it = first + 1; it != last && (shared > 0 || same_length); ++it) {
      if (last - it > kAhead) Prefetch(stacks[(it + kAhead)->node], g.depth);
      const IdSpan s = stacks[it->node];
      size_t d = 0;
      while (d < shared && g.depth + d < s.size() && s[g.depth + d] == lead[g.depth + d]) ++d;
      shared = d;
      same_length = same_length && s.size() == lead.size();
    }
    const size_t depth = g.depth + shared;
    if (same_length && depth == lead.size()) {  // equal stacks: node order
      std::sort(first, last);
      continue;
    }
    for (auto it = first; it != last; ++it) {
      if (last - it > kAhead) Prefetch(stacks[(it + kAhead)->node], depth);
      const IdSpan s = stacks[it->node];
      uint64_t k = 0;
      for (size_t d = depth; d < depth + per_pass; ++d) k = k << bits | (d < s.size() ? frame_order[s[d]] + 1 : 0);
      it->key = k;
    }
    // The group's nodes are in node order: each group is a run of its
    // parent's sorted by (key, node).
    sorter.Sort({first, last});
    for (auto run = first; run != last;) {
      auto next = run + 1;
      while (next != last && next->key == run->key) ++next;
      // The same frames, and the stacks go on past them (a last digit of 0
      // means they ended: equal stacks, left in node order).
      if (next - run > 1 && (run->key & ((uint64_t{1} << bits) - 1)) != 0)
        groups.push_back(
            {static_cast<size_t>(run - keyed.begin()), static_cast<size_t>(next - keyed.begin()), depth + per_pass});
      run = next;
    }
  }
  std::vector<uint32_t> position(n);
  for (uint32_t i = 0; i < n; ++i) position[keyed[i].node] = i;
  return position;
}

std::vector<uint32_t> StackPositions(const std::vector<TrendNode>& nodes, const AlignedProfiles& aligned,
                                     const std::vector<uint32_t>& frame_order) {
  std::vector<IdSpan> stacks(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) stacks[i] = NodeStack(aligned, nodes[i]);
  return StackPositions(stacks, frame_order);
}

std::vector<uint32_t> SiteStackPositions(const AlignedProfiles& aligned, const std::vector<uint32_t>& frame_order) {
  std::vector<IdSpan> stacks(aligned.sites.size());
  for (size_t i = 0; i < stacks.size(); ++i) stacks[i] = aligned.sites[i].frames;
  return StackPositions(stacks, frame_order);
}

void Rank(std::vector<TrendNode>& nodes, const AlignedProfiles& aligned, const std::vector<uint32_t>& frame_order,
          size_t threads) {
  Rank(nodes, StackPositions(nodes, aligned, frame_order), threads);
}

void Rank(std::vector<TrendNode>& nodes, const std::vector<uint32_t>& stack_position, size_t threads) {
  // Sort small keys rather than the nodes: the nodes that grew first (so the
  // text table's rows are a prefix of every output's list), then by score,
  // then growth, then the stack's frame names (its position among the
  // nodes' stacks).
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
  // would be the largest allocation of the run). Each step reads a node
  // from a random place: the node two steps on is fetched meanwhile (on
  // 250,000 sites the steps waited for memory: 27-38 ms, 15 ms with it).
  constexpr uint32_t kDone = UINT32_MAX;
  std::vector<uint32_t> source(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) source[i] = keys[i].index;
  keys = {};
  auto prefetch = [&](uint32_t i) {
    const char* p = reinterpret_cast<const char*>(&nodes[i]);
    for (size_t line = 0; line < sizeof(TrendNode); line += 64) __builtin_prefetch(p + line);
  };
  for (uint32_t start = 0; start < source.size(); ++start) {
    if (source[start] == start || source[start] == kDone) continue;
    TrendNode held = std::move(nodes[start]);
    uint32_t at = start;
    while (source[at] != start) {
      const uint32_t from = source[at];
      if (source[from] != start) prefetch(source[from]);
      nodes[at] = std::move(nodes[from]);
      source[at] = kDone;
      at = from;
    }
    nodes[at] = std::move(held);
    source[at] = kDone;
  }
  for (size_t i = 0; i < nodes.size(); ++i) nodes[i].rank = static_cast<int>(i + 1);
}

}  // namespace pprof_trend
