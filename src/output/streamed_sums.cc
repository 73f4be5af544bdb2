#include "output/streamed_sums.h"

#include <algorithm>
#include <cstdlib>
#include <unordered_set>

#include "input/wire_format.h"

namespace pprof_trend {

namespace {

using namespace wire::fields;  // the field numbers (wire_format.h)

// Go numbers locations and functions 1..n in the order it writes them (a
// location's new functions right after it): an id past twice the records
// read so far, give or take this, is not Go's, and the profile is summed as
// before. So the tables by id grow with the records read, never with what
// an id claims.
constexpr uint64_t kIdSlack = 1024;
bool PlausibleId(uint64_t id, uint64_t records) { return id != 0 && id <= 2 * records + kIdSlack; }

// A Go location's id and its lines' function ids (callee first), appended to
// `functions`; false when it is not a location Go writes (no lines, a
// function id 0, bytes that do not parse).
bool ReadLocationFields(std::string_view record, uint64_t* id, std::vector<uint32_t>& functions) {
  const size_t before = functions.size();
  wire::WireReader r(record);
  while (!r.done()) {
    uint32_t field, wire_type;
    if (!r.Tag(&field, &wire_type)) return false;
    if (field == location_field::kId) {
      if (!wire::ReadScalar(r, wire_type, id)) return false;
    } else if (field == location_field::kLine && wire_type == wire::kLengthDelimited) {
      std::string_view line;
      if (!r.Bytes(&line)) return false;
      uint64_t line_fields[line_field::kLine + 1] = {};
      if (!wire::ReadScalarFields(line, line_fields)) return false;
      functions.push_back(static_cast<uint32_t>(std::min<uint64_t>(line_fields[line_field::kFunctionId], UINT32_MAX)));
    } else if (!r.Skip(wire_type)) {
      return false;
    }
  }
  return functions.size() > before;
}

// wire::ParseSample's sink: one sample's parts, with what the decoder would
// refuse noted.
struct SampleParts {
  const std::vector<StreamedSums::LocationFrames>& locations;  // by id
  std::vector<StreamedSums::LocationFrames>& stack;            // the sample's locations, leaf first
  std::vector<int64_t>& values;                                // as many as there are sample types (more: refused)
  SampleCheck& check;
  size_t num_types;
  uint64_t& max_label_string;
  bool missing = false;
  size_t num_values = 0;

  void Location(uint64_t id) {
    if (id >= locations.size() || locations[id].count == 0) {
      missing = true;  // unknown, or not yet: summed as before
      return;
    }
    stack.push_back(locations[id]);
  }
  void Value(uint64_t v) {
    if (num_values < num_types) {
      check.AddValue(num_values, static_cast<int64_t>(v));
      values[num_values] = static_cast<int64_t>(v);
    }
    ++num_values;
  }
  void Label(const uint64_t (&fields)[wire::label_field::kNumUnit + 1]) {
    namespace lbf = wire::label_field;
    max_label_string = std::max({max_label_string, fields[lbf::kKey], fields[lbf::kStr], fields[lbf::kNumUnit]});
  }
};

}  // namespace

StreamedSums::~StreamedSums() { Abandon(); }

void StreamedSums::Abandon() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    stopping_.store(true, std::memory_order_relaxed);
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void StreamedSums::Grew(std::string_view so_far) {
  if (so_far.empty()) {
    Abandon();
    return;
  }
  {
    std::lock_guard lock(mu_);
    if (stop_ || ended_) return;
    shown_ = so_far;
    if (!thread_.joinable()) thread_ = std::thread([this] { Run(); });
  }
  changed_.notify_all();
}

void StreamedSums::Ended() {
  {
    std::lock_guard lock(mu_);
    ended_ = true;
  }
  changed_.notify_all();
}

void StreamedSums::Run() {
  std::string_view data;
  size_t at = 0;
  while (true) {
    bool ended;
    {
      std::unique_lock lock(mu_);
      changed_.wait(lock, [&] { return stop_ || ended_ || shown_.size() > data.size(); });
      if (stop_) {
        failed_ = true;
        return;
      }
      data = shown_;
      ended = ended_;
    }
    while (at < data.size() && !failed_ && !stopping_.load(std::memory_order_relaxed)) {
      const size_t used = ReadRecord(data.substr(at), ended);
      if (used == 0) break;
      at += used;
    }
    if (failed_) return;
    if (stopping_.load(std::memory_order_relaxed)) {
      failed_ = true;
      return;
    }
    if (ended) {
      done_ = at == data.size();
      return;
    }
  }
}

size_t StreamedSums::ReadRecord(std::string_view rest, bool ended) {
  // A record not all there yet: wait for more, unless none will come (or it
  // cannot be a partial one: a tag and a length take at most 20 bytes).
  auto partial = [&](bool could_be) {
    if (ended || !could_be) failed_ = true;
    return size_t{0};
  };
  wire::WireReader r(rest);
  uint32_t field, wire_type;
  if (!r.Tag(&field, &wire_type)) return partial(rest.size() < 20);
  std::string_view record;
  if (wire_type == wire::kLengthDelimited) {
    if (!r.Bytes(&record)) return partial(true);
  } else if (!r.Skip(wire_type)) {
    return partial(rest.size() < 20);
  }
  const auto used = static_cast<size_t>(r.position() - rest.data());
  if (wire_type != wire::kLengthDelimited) return used;
  switch (field) {
    case profile_field::kSampleType:
      if (num_samples_ != 0) failed_ = true;  // a type after a sample: its values were counted short
      ++num_types_;
      break;
    case profile_field::kSample: ReadSample(record); break;
    case profile_field::kLocation: ReadLocation(record); break;
    case profile_field::kFunction: ReadFunction(record); break;
    default: break;
  }
  return used;
}

void StreamedSums::ReadSample(std::string_view record) {
  if (num_samples_ == 0) {
    if (num_types_ == 0) {
      failed_ = true;
      return;
    }
    // Go's default type, the last: any other is summed as before.
    index_ = num_types_ - 1;
    totals_.assign(num_types_, 0);
    pprof_totals_.assign(num_types_, 0);
    check_ = SampleCheck(num_types_);
    values_.assign(num_types_, 0);
  }
  ++num_samples_;
  stack_.clear();
  SampleParts parts{locations_by_id_, stack_, values_, check_, num_types_, max_label_string_};
  if (!wire::ParseSample(record, parts) || parts.missing || parts.num_values != num_types_) {
    failed_ = true;
    return;
  }
  for (size_t t = 0; t < num_types_; ++t) {
    totals_[t] += static_cast<uint64_t>(values_[t]);
    pprof_totals_[t] += static_cast<uint64_t>(std::llabs(values_[t]));
  }
  if (stack_.empty()) {
    check_.any_without_stack = true;
    return;
  }
  const auto v = static_cast<uint64_t>(values_[index_]);
  flat_[*FunctionsOf(stack_.front())] += v;
  const uint64_t seen = num_samples_;
  uint64_t depth = 0;
  for (const LocationFrames& location : stack_) {
    depth += location.count;
    const uint32_t* frame = FunctionsOf(location);
    for (const uint32_t* end = frame + location.count; frame != end; ++frame) {
      Sum& sum = sums_[*frame];
      sum.cum += sum.last_sample != seen ? v : 0;  // recursion counts once
      sum.last_sample = seen;
    }
  }
  max_depth_ = std::max(max_depth_, depth);
}

void StreamedSums::ReadLocation(std::string_view record) {
  uint64_t id = 0;
  const size_t first = frames_.size();
  if (!ReadLocationFields(record, &id, frames_) || !PlausibleId(id, ++locations_)) {
    failed_ = true;
    return;
  }
  for (size_t f = first; f < frames_.size(); ++f)
    if (!PlausibleId(frames_[f], functions_ + (frames_.size() - first))) {
      failed_ = true;
      return;
    }
  if (id >= locations_by_id_.size())
    locations_by_id_.resize(std::max<uint64_t>(id + 1, 2 * locations_by_id_.size()), LocationFrames{});
  if (locations_by_id_[id].count != 0) {
    failed_ = true;  // the same id twice: the decoder's to refuse
    return;
  }
  const auto count = static_cast<uint32_t>(frames_.size() - first);
  locations_by_id_[id] = {count == 1 ? frames_[first] : static_cast<uint32_t>(first), count};
  const uint32_t most = *std::max_element(frames_.begin() + static_cast<std::ptrdiff_t>(first), frames_.end());
  if (most >= sums_.size()) {
    sums_.resize(std::max<size_t>(most + 1, 2 * sums_.size()));
    flat_.resize(sums_.size(), 0);
  }
}

void StreamedSums::ReadFunction(std::string_view record) {
  uint64_t fields[function_field::kId + 1] = {};
  if (!wire::ReadScalarFields(record, fields)) {
    failed_ = true;
    return;
  }
  const uint64_t id = fields[function_field::kId];
  if (!PlausibleId(id, functions_ + 1)) {
    failed_ = true;
    return;
  }
  if (id >= function_record_.size())
    function_record_.resize(std::max<uint64_t>(id + 1, 2 * function_record_.size()), 0);
  if (function_record_[id] != 0) {
    failed_ = true;
    return;
  }
  function_record_[id] = static_cast<uint32_t>(++functions_);
}

std::optional<StreamedSums::Sums> StreamedSums::For(const Profile& profile, size_t index) {
  {
    std::lock_guard lock(mu_);
    if (!ended_) return std::nullopt;  // (its inflate was abandoned, or never began)
  }
  if (thread_.joinable()) thread_.join();  // it reads to the end, then returns
  if (!done_ || failed_ || !profile.wire || index != index_ || num_samples_ != profile.num_samples() ||
      num_types_ != profile.sample_types.size() || functions_ != profile.functions.size() ||
      max_label_string_ >= profile.wire->strings.size() || max_depth_ > profile.wire->max_stack_depth)
    return std::nullopt;
  // Every location the decoder made is one read here, with frames (a
  // location without lines failed the reading): none is code without
  // symbols, and the symbolizer had nothing to add.
  if (locations_ != profile.locations.size()) return std::nullopt;
  Sums out;
  out.totals = totals_;
  out.pprof_totals = pprof_totals_;
  out.check = check_;
  std::unordered_set<std::string_view> names;
  names.reserve(profile.functions.size());
  std::vector<uint8_t> named(sums_.size(), 0);
  for (uint32_t id : frames_) {
    if (named[id] != 0) continue;
    named[id] = 1;
    if (id >= function_record_.size() || function_record_[id] == 0) return std::nullopt;
    const std::string_view name = profile.functions[function_record_[id] - 1].name;
    if (!names.insert(name).second) return std::nullopt;  // two functions of one name: one node
    out.nodes.push_back(Node{name, static_cast<int64_t>(flat_[id]), static_cast<int64_t>(sums_[id].cum)});
  }
  return out;
}

}  // namespace pprof_trend
