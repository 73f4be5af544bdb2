#include "input/legacy_heap.h"

#include "input/heap_text.h"
#include "input/text_input.h"

namespace pprof_trend {

bool IsLegacyHeapProfile(std::string_view data) {
  size_t i = 0;
  while (i < data.size() && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n')) ++i;
  data = data.substr(i);
  return data.starts_with("heap profile:") || data.starts_with("heap_v2/") || data.starts_with("--- heapz 1 ---");
}

StatusOr<Profile> ParseLegacyHeap(std::string_view data, const std::string& source, const Limits& limits) {
  TextInput input(data, source, limits);
  std::string_view header;
  input.NextNonBlank(&header);
  const std::string_view first = Scanner(header).Rest();
  if (first.starts_with("heap_v2/")) return ParseJemallocHeap(input, header);
  if (first == "--- heapz 1 ---") return ParseJavaHeapz(input);
  return ParseGoHeapText(input, header);
}

}  // namespace pprof_trend
