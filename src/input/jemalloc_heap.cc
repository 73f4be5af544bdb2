// jemalloc's prof.dump (legacy_heap.h describes it).
#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "input/heap_text.h"

namespace pprof_trend {

StatusOr<Profile> ParseJemallocHeap(TextInput& input, std::string_view header_line) {
  std::string_view line;
  Scanner header(header_line);
  std::string_view sampling = header.Word();
  int64_t rate = 0;
  {
    std::string_view number = sampling.substr(sampling.find('/') + 1);
    auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), rate);
    if (ec != std::errc() || ptr != number.data() + number.size() || rate < 1 || !header.AtEnd())
      return input.Error(fmt::format("bad sampling rate \"{}\" (expected heap_v2/RATE)", sampling));
  }
  // "t*: N: B [N: B]": the process's totals, then each stack's.
  auto counts = [](Scanner& s, int64_t v[4]) {
    return s.Literal("t*:") && s.Int(&v[0]) && s.Literal(":") && s.Int(&v[1]) && s.Literal("[") && s.Int(&v[2]) &&
           s.Literal(":") && s.Int(&v[3]) && s.Literal("]") && s.AtEnd() && v[0] >= 0 && v[1] >= 0 && v[2] >= 0 &&
           v[3] >= 0 && !(v[0] == 0 && v[1] != 0) && !(v[2] == 0 && v[3] != 0);
  };
  int64_t totals[4];
  input.NextNonBlank(&line);
  Scanner total_line(line);
  if (!counts(total_line, totals)) return input.Error("expected the totals \"t*: N: B [N: B]\"");
  // Accumulated counts only with prof_accum:true; without, they read 0.
  const bool accumulated = totals[2] != 0;
  ModelBuilder model(input.source());
  if (accumulated)
    model.SetSampleTypes(
        {{"alloc_objects", "count"}, {"alloc_space", "bytes"}, {"inuse_objects", "count"}, {"inuse_space", "bytes"}});
  else
    model.SetSampleTypes({{"inuse_objects", "count"}, {"inuse_space", "bytes"}});
  model.SetPeriod("space", "bytes", rate);
  std::vector<uint64_t> pcs;
  std::vector<uint32_t> locations;
  bool have_stack = false, have_counts = false;
  while (input.Next(&line)) {
    Scanner s(line);
    if (s.AtEnd()) continue;
    std::string_view trimmed = s.Rest();
    if (trimmed.starts_with("MAPPED_LIBRARIES:")) {
      if (have_stack && !have_counts) return input.Error("a stack without its \"t*:\" line");
      RETURN_IF_ERROR(ParseMaps(input, model));
      break;
    }
    if (trimmed.starts_with("@")) {
      if (have_stack && !have_counts) return input.Error("a stack without its \"t*:\" line");
      Scanner stack(trimmed.substr(1));
      pcs.clear();
      uint64_t pc;
      while (stack.Hex(&pc)) pcs.push_back(pc);
      if (!stack.AtEnd() || pcs.empty()) return input.Error("expected \"@ 0xADDRESS...\"");
      RETURN_IF_ERROR(input.CheckStackDepth(pcs.size()));
      have_stack = true;
      have_counts = false;
      continue;
    }
    if (trimmed.starts_with("t*:")) {
      int64_t v[4];
      if (!counts(s, v)) return input.Error("expected \"t*: N: B [N: B]\"");
      if (!have_stack || have_counts) return input.Error("a \"t*:\" line without its stack");
      RETURN_IF_ERROR(input.CheckCount(model.num_samples() + 1, "samples"));
      int64_t scaled[4];
      if (!Unsample(v[2], v[3], rate, &scaled[0], &scaled[1]) || !Unsample(v[0], v[1], rate, &scaled[2], &scaled[3]))
        return input.Error("values too large once unsampled");
      locations.clear();
      // Return addresses, as in the other legacy records: the call is the
      // byte before (pprof's rule).
      for (uint64_t pc : pcs) locations.push_back(model.AddressLocation(pc - 1));
      if (accumulated)
        model.AddSample(locations, {scaled[0], scaled[1], scaled[2], scaled[3]}, std::nullopt);
      else
        model.AddSample(locations, {scaled[2], scaled[3]}, std::nullopt);
      have_counts = true;
      continue;
    }
    if (trimmed.starts_with("t") && trimmed.find(':') != std::string_view::npos) continue;  // one thread's counts
    return input.Error(fmt::format("expected \"@ 0x...\", \"t*:\" or MAPPED_LIBRARIES, got \"{}\"",
                                   line.substr(0, std::min<size_t>(line.size(), 60))));
  }
  if (have_stack && !have_counts) return input.Error("a stack without its \"t*:\" line (truncated?)");
  return FinishHeapProfile(std::move(model), input);
}

}  // namespace pprof_trend
