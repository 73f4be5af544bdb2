// Builds a Profile from parsed text formats (legacy Go heap text, .NET heap
// statistics), so every input format ends in the same model.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/id_table.h"
#include "model/profile.h"

namespace pprof_trend {

class ModelBuilder {
 public:
  explicit ModelBuilder(std::string source) { profile_.source = std::move(source); }

  void SetSampleTypes(const std::vector<std::pair<std::string, std::string>>& types);
  void SetPeriod(std::string_view type, std::string_view unit, int64_t period);
  void SetTime(int64_t unix_nanos) { profile_.time_nanos = unix_nanos; }
  void AddComment(std::string_view comment) { comments_.push_back(Intern(comment)); }

  // A location with one frame; the same (function, file, line, address) is
  // one location.
  uint32_t FrameLocation(std::string_view function, std::string_view file, int64_t line, uint64_t address = 0);
  // Room for `frames` distinct frames (a heap table's rows), so that the
  // lookup tables are not grown again and again.
  void ReserveFrames(size_t frames);

  // A location without symbols: an address only (pprof names such code by
  // its mapping; alignment by the address). Finish gives it the mapping that
  // holds the address, if any.
  uint32_t AddressLocation(uint64_t address);

  // A mapped file of the process (a /proc/self/maps line): addresses in
  // [start, limit) are `offset` + (address - start) in `file`.
  void AddMapping(uint64_t start, uint64_t limit, uint64_t offset, std::string_view file);
  size_t num_mappings() const { return mappings_.size(); }

  // `locations` leaf first; one value per sample type; `object_size` becomes
  // the numeric "bytes" label Go heap profiles carry.
  void AddSample(const std::vector<uint32_t>& locations, const std::vector<int64_t>& values,
                 std::optional<int64_t> object_size);

  size_t num_samples() const { return profile_.samples.size(); }
  size_t num_locations() const { return profile_.locations.size(); }
  Profile Finish() &&;

 private:
  uint32_t Intern(std::string_view s);

  // Copies `s` into the arena: the strings' only copy until Finish.
  std::string_view Store(std::string_view s);

  Profile profile_;
  // Each distinct string once, in chunks that never move (a heap table's
  // two million type names were a std::string each, twice: in the list and
  // as the lookup's key, ~130 bytes of overhead per name); the lookup is
  // keyed by views into them.
  std::vector<std::unique_ptr<char[]>> arena_;
  size_t arena_left_ = 0;
  char* arena_next_ = nullptr;
  // The lookups keep ids only (base/id_table.h); the keys are the
  // strings, functions and locations themselves.
  std::vector<std::string_view> strings_;
  IdTable string_ids_;
  struct PendingFunction {
    uint32_t name, file;
  };
  std::vector<PendingFunction> functions_;
  IdTable function_ids_;  // keyed by (name, file)
  IdTable location_ids_;  // keyed by (function, line, address) of frame locations
  std::unordered_map<uint64_t, uint32_t> address_locations_;
  std::vector<std::pair<uint32_t, uint32_t>> types_;  // string ids
  std::pair<uint32_t, uint32_t> period_type_{UINT32_MAX, UINT32_MAX};
  std::vector<uint32_t> comments_;
  uint32_t bytes_key_ = UINT32_MAX;
  struct PendingMapping {
    uint64_t start, limit, offset;
    uint32_t file;
  };
  std::vector<PendingMapping> mappings_;
  std::vector<std::pair<size_t, int64_t>> size_labels_;  // sample index, size
};

}  // namespace pprof_trend
