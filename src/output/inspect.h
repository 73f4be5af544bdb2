// `pprof-trend inspect`: what one profile holds, checked against what
// `go tool pprof -top` prints for it.
//
//   day1.pb.gz
//     sample types  alloc_objects/count, alloc_space/bytes, inuse_objects/count, inuse_space/bytes (default)
//     ...
//     top 10 functions by flat inuse_space
//           flat  flat%   sum%        cum   cum%
//         144MiB 92.99% 92.99%     144MiB 92.99%  github.com/Shopify/sarama.(*asyncProducer).newPartitionProducer
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/profile.h"

namespace pprof_trend {

class StreamedSums;

inline constexpr double kDefaultNodeFraction = 0.005;  // pprof's default -nodefraction

struct FunctionTotals {
  std::string name;  // a function; "[libfoo.so]" or "<unknown>" for code without symbols, as pprof names it
  int64_t flat = 0;  // value of samples whose leaf frame is this function
  int64_t cum = 0;   // value of samples with this function anywhere in the stack (counted once)
};

struct InspectSummary {
  std::string source;
  std::vector<ValueType> sample_types;
  int default_index = 0;                // the sample type pprof shows by default
  bool summed_while_inflating = false;  // the sums streamed_sums.h made (not rendered: PPROF_TREND_TIMING)
  ValueType period_type;
  int64_t period = 0;
  int64_t time_nanos = 0;
  bool time_from_mtime = false;
  int64_t free_bytes = -1;  // .NET heap tables: SOS's "Free" bytes, left out  // time_nanos is only the file's
                            // modification time: not shown
  int64_t duration_nanos = 0;
  std::vector<std::string> comments;
  size_t samples = 0, locations = 0, functions = 0, mappings = 0;
  std::vector<int64_t> totals;        // one per sample type: the sum of the values
  std::vector<int64_t> pprof_totals;  // one per sample type: the sum of |values|, pprof's "total"
  std::vector<FunctionTotals> top;    // by flat of default_index, as pprof -top orders
  // The smallest |flat| (else |cum|) of the nodes pprof -top keeps at its
  // default -nodefraction (0.005): it picks the output unit.
  int64_t min_node_value = 0;
  size_t dropped_nodes = 0;    // functions under pprof's -nodefraction cutoff, left out
  int64_t dropped_cutoff = 0;  // that cutoff: node_fraction of the total
  double node_fraction = kDefaultNodeFraction;
  std::string difference;  // what the profile is when it is no snapshot (a delta, a diff); empty otherwise
};

// pprof's rule: the profile's default_sample_type, else the last sample type
// (inuse_space for Go heap profiles).
int DefaultSampleIndex(const Profile& profile);

// Up to this many samples, one thread sums a profile's (a thread costs more).
inline constexpr size_t kSummedOnOneThreadUpTo = 99999;

// Totals and the `top_n` functions by flat value (ties: name), keyed by
// function name as pprof does at its default granularity; locations without
// symbols are grouped by their mapping, "[libc.so.6]", or "<unknown>".
// `node_fraction`: pprof's -nodefraction, functions whose |cum| is under
// that share of the total are left out. Samples the decoder left unchecked
// (LoadOptions::check_samples_in_fold) are checked as they are summed (each
// record is parsed once), and the profile is then as one the decoder
// checked: the first bad sample's error, as the decoder says it.
// `streamed`: sums made while the profile's file inflated (streamed_sums.h),
// taken instead of summing again when they hold for it.
StatusOr<InspectSummary> Summarize(Profile& profile, size_t top_n, double node_fraction = kDefaultNodeFraction,
                                   StreamedSums* streamed = nullptr);

std::string RenderInspect(const InspectSummary& summary);

}  // namespace pprof_trend
