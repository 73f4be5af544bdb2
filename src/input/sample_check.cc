#include "input/sample_check.h"

#include <fmt/format.h>

#include <algorithm>

namespace pprof_trend {

std::string BadStringIndex(int64_t index, std::string_view field, size_t num_strings) {
  return fmt::format("string index {} in {} is out of range (string table has {} entries)", index, field, num_strings);
}

Status SampleError(const SampleRules& rules, size_t index, const SampleFaults& faults) {
  auto error = [&](std::string_view what) { return Status::InputError(fmt::format("{}: {}", rules.source, what)); };
  if (faults.corrupt) return error(kCorruptProtobuf);
  if (faults.bad_label) return error(BadStringIndex(faults.bad_string, "label", rules.num_strings));
  if (faults.values != rules.num_types)
    return error(fmt::format("sample {} has {} values but the profile has {} sample types", index, faults.values,
                             rules.num_types));
  if (faults.missing_location)
    return error(fmt::format("sample {} refers to location id {}, which does not exist", index, faults.bad_location));
  if (faults.depth > rules.max_stack_depth)
    return error(fmt::format("sample {} has a stack of {} frames, over the limit of {} (--max-stack-depth raises it)",
                             index, faults.depth, rules.max_stack_depth));
  return Status();
}

Status SampleCheckResult(const SampleCheck& check, std::string_view source) {
  RETURN_IF_ERROR(check.error);
  if (!check.totals_fit)
    return Status::InputError(fmt::format("{}: sample values too large (their totals overflow 64 bits)", source));
  return Status();
}

Status CheckMoreSamples(Profile& profile, size_t count) {
  if (profile.SamplesChecked()) return Status();
  WireSamples& w = *profile.wire;
  const SampleRules rules = WireSampleRules(profile);
  WireSampleChecker checker(rules, w.frames_of_id, w.check);
  const size_t end = std::min(w.records.size(), w.checked + count);
  for (; w.checked < end; ++w.checked)
    if (!checker.Check(w.records[w.checked], w.checked)) return w.check.error;
  return profile.SamplesChecked() ? SampleCheckResult(w.check, profile.source) : Status();
}

Status CompleteSampleCheck(Profile& profile, std::span<const SampleCheck> ranges) {
  if (profile.SamplesChecked()) return Status();
  WireSamples& w = *profile.wire;
  for (const SampleCheck& range : ranges) w.check.AddAfter(range);
  RETURN_IF_ERROR(SampleCheckResult(w.check, profile.source));
  w.checked = w.records.size();
  return Status();
}

}  // namespace pprof_trend
