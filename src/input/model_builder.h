// Builds a Profile from parsed text formats (legacy Go heap text, .NET heap
// statistics), so every input format ends in the same model.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

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

  Profile profile_;
  std::vector<std::string> strings_;
  std::unordered_map<std::string, uint32_t> string_ids_;
  struct PendingFunction {
    uint32_t name, file;
  };
  std::vector<PendingFunction> functions_;
  std::unordered_map<uint64_t, uint32_t> function_ids_;  // (name << 32 | file) -> function
  std::unordered_map<std::string, uint32_t> location_ids_;
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
