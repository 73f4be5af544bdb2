#include "input/heap_text.h"

#include <fmt/format.h>

#include <cmath>

namespace pprof_trend {

bool Unsample(int64_t count, int64_t bytes, int64_t rate, int64_t* out_count, int64_t* out_bytes) {
  *out_count = count;
  *out_bytes = bytes;
  if (count == 0 || bytes == 0) {
    *out_count = *out_bytes = 0;
    return true;
  }
  if (rate <= 1) return true;
  double average = static_cast<double>(bytes) / static_cast<double>(count);
  double scale = 1 / (1 - std::exp(-average / static_cast<double>(rate)));
  double c = static_cast<double>(count) * scale, b = static_cast<double>(bytes) * scale;
  constexpr double kMax = 4611686018427387904.0;  // 2^62, as ValueTotalsFit
  if (!(c < kMax) || !(b < kMax)) return false;
  *out_count = static_cast<int64_t>(c);
  *out_bytes = static_cast<int64_t>(b);
  return true;
}

bool AddMapsLine(std::string_view line, ModelBuilder& model) {
  Scanner s(line);
  std::string_view range = s.Word(), perms = s.Word(), offset = s.Word();
  s.Word();  // device
  s.Word();  // inode
  std::string_view path = s.Rest();
  const size_t dash = range.find('-');
  if (dash == std::string_view::npos || perms.size() < 4) return false;
  uint64_t start = 0, limit = 0, off = 0;
  auto hex = [](std::string_view t, uint64_t* v) {
    auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), *v, 16);
    return ec == std::errc() && ptr == t.data() + t.size() && !t.empty();
  };
  if (!hex(range.substr(0, dash), &start) || !hex(range.substr(dash + 1), &limit) || !hex(offset, &off) ||
      limit <= start)
    return false;
  if (perms[2] != 'x' || path.empty() || path.front() == '[') return true;  // a well-formed line, not code of a file
  model.AddMapping(start, limit, off, path);
  return true;
}

Status ParseMaps(TextInput& input, ModelBuilder& model) {
  std::string_view line;
  while (input.Next(&line)) {
    if (Scanner(line).AtEnd()) continue;
    if (!AddMapsLine(line, model)) continue;
    RETURN_IF_ERROR(input.CheckCount(model.num_mappings(), "mapped files"));
  }
  return Status();
}

StatusOr<Profile> FinishHeapProfile(ModelBuilder&& model, const TextInput& input) {
  Profile profile = std::move(model).Finish();
  if (!ValueTotalsFit(profile)) return input.FileError("sample values too large (their totals overflow 64 bits)");
  return profile;
}

}  // namespace pprof_trend
