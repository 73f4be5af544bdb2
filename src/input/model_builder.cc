#include "input/model_builder.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/splitmix.h"

namespace pprof_trend {

std::string_view ModelBuilder::Store(std::string_view s) {
  constexpr size_t kChunk = 1 << 20;
  if (s.size() > arena_left_) {
    const size_t size = std::max(kChunk, s.size());
    arena_.push_back(std::make_unique_for_overwrite<char[]>(size));
    arena_next_ = arena_.back().get();
    arena_left_ = size;
  }
  char* at = arena_next_;
  s.copy(at, s.size());
  arena_next_ += s.size();
  arena_left_ -= s.size();
  return {at, s.size()};
}

uint32_t ModelBuilder::Intern(std::string_view s) {
  const auto next = static_cast<uint32_t>(strings_.size());
  const uint32_t id = string_ids_.FindOrInsert(SplitMix64(std::hash<std::string_view>{}(s)), next,
                                               [&](uint32_t other) { return strings_[other] == s; });
  if (id == next) strings_.push_back(Store(s));
  return id;
}

void ModelBuilder::ReserveFrames(size_t frames) {
  string_ids_.Reserve(frames + 16);
  strings_.reserve(frames + 16);
  function_ids_.Reserve(frames);
  functions_.reserve(frames);
  location_ids_.Reserve(frames);
  profile_.locations.reserve(frames);
  profile_.lines.reserve(frames);
}

void ModelBuilder::SetSampleTypes(const std::vector<std::pair<std::string, std::string>>& types) {
  types_.clear();
  for (const auto& [type, unit] : types) types_.emplace_back(Intern(type), Intern(unit));
}

void ModelBuilder::SetPeriod(std::string_view type, std::string_view unit, int64_t period) {
  period_type_ = {Intern(type), Intern(unit)};
  profile_.period = period;
}

uint32_t ModelBuilder::FrameLocation(std::string_view function, std::string_view file, int64_t line, uint64_t address) {
  const uint32_t name = Intern(function), file_id = Intern(file);
  const auto next_function = static_cast<uint32_t>(functions_.size());
  const uint32_t f = function_ids_.FindOrInsert(
      SplitMix64((static_cast<uint64_t>(name) << 32) | file_id), next_function,
      [&](uint32_t other) { return functions_[other].name == name && functions_[other].file == file_id; });
  if (f == next_function) functions_.push_back({name, file_id});
  const auto next_location = static_cast<uint32_t>(profile_.locations.size());
  const uint32_t at =
      location_ids_.FindOrInsert(SplitMix64(SplitMix64(f ^ SplitMix64(static_cast<uint64_t>(line))) ^ address),
                                 next_location, [&](uint32_t other) {
                                   const Location& loc = profile_.locations[other];
                                   if (loc.num_lines != 1 || loc.address != address) return false;
                                   const Line& l = profile_.lines[loc.first_line];
                                   return l.function == f && l.line == line;
                                 });
  if (at == next_location) {
    Location loc;
    loc.address = address;
    loc.first_line = static_cast<uint32_t>(profile_.lines.size());
    loc.num_lines = 1;
    profile_.lines.push_back(Line{f, line});
    profile_.locations.push_back(loc);
  }
  return at;
}

uint32_t ModelBuilder::AddressLocation(uint64_t address) {
  auto [it, inserted] = address_locations_.try_emplace(address, static_cast<uint32_t>(profile_.locations.size()));
  if (inserted) {
    Location loc;
    loc.address = address;
    loc.first_line = static_cast<uint32_t>(profile_.lines.size());
    profile_.locations.push_back(loc);
  }
  return it->second;
}

void ModelBuilder::AddMapping(uint64_t start, uint64_t limit, uint64_t offset, std::string_view file) {
  mappings_.push_back(PendingMapping{start, limit, offset, Intern(file)});
}

void ModelBuilder::AddSample(const std::vector<uint32_t>& locations, const std::vector<int64_t>& values,
                             std::optional<int64_t> object_size) {
  Sample s;
  s.first_location = profile_.stack_locations.size();
  s.num_locations = static_cast<uint32_t>(locations.size());
  profile_.stack_locations.insert(profile_.stack_locations.end(), locations.begin(), locations.end());
  profile_.values.insert(profile_.values.end(), values.begin(), values.end());
  if (object_size) {
    if (bytes_key_ == UINT32_MAX) bytes_key_ = Intern("bytes");
    size_labels_.emplace_back(profile_.samples.size(), *object_size);
  }
  profile_.samples.push_back(s);
}

Profile ModelBuilder::Finish() && {
  // The lookup tables are done with: freed before the pool is made, so that
  // they, the strings and the pool are never all alive at once.
  string_ids_.Clear();
  function_ids_.Clear();
  location_ids_.Clear();
  address_locations_ = {};
  size_t total = 0;
  for (std::string_view s : strings_) total += s.size();
  profile_.pool.Reserve(total);
  std::vector<std::string_view> views;
  views.reserve(strings_.size());
  for (std::string_view s : strings_) views.push_back(profile_.pool.Add(s));
  strings_ = {};
  arena_.clear();
  for (const auto& [type, unit] : types_) profile_.sample_types.push_back(ValueType{views[type], views[unit]});
  if (period_type_.first != UINT32_MAX)
    profile_.period_type = ValueType{views[period_type_.first], views[period_type_.second]};
  for (uint32_t c : comments_) profile_.comments.push_back(views[c]);
  for (const auto& f : functions_)
    profile_.functions.push_back(Function{views[f.name], views[f.name], views[f.file], 0});
  // Mappings by start address; each address-only location gets the one
  // holding it (overlapping maps lines are a hostile input's: the first wins).
  std::sort(mappings_.begin(), mappings_.end(), [](const auto& a, const auto& b) { return a.start < b.start; });
  for (const auto& m : mappings_) profile_.mappings.push_back(Mapping{m.start, m.limit, m.offset, views[m.file], {}});
  if (!mappings_.empty()) {
    for (auto& loc : profile_.locations) {
      if (loc.num_lines != 0) continue;
      auto it = std::upper_bound(mappings_.begin(), mappings_.end(), loc.address,
                                 [](uint64_t a, const PendingMapping& m) { return a < m.start; });
      if (it == mappings_.begin()) continue;
      --it;
      if (loc.address < it->limit) loc.mapping = static_cast<uint32_t>(it - mappings_.begin());
    }
  }
  // Labels are laid out in sample order, one per labelled sample.
  for (const auto& [sample, size] : size_labels_) {
    Sample& s = profile_.samples[sample];
    s.first_label = profile_.labels.size();
    s.num_labels = 1;
    profile_.labels.push_back(Label{views[bytes_key_], {}, size, {}, true});
  }
  return std::move(profile_);
}

}  // namespace pprof_trend
