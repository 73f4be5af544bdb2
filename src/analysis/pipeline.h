// The analysis pipeline: profiles -> load -> align -> trend.
//
// What the trend command, `check` and `export` share. It takes plain options
// of its own (the command line maps its flags onto them) and returns the
// trend with the notes a reader should see (e.g. that the captures were
// reordered by time); it prints nothing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analysis/align.h"
#include "analysis/trend.h"
#include "base/diagnostic.h"
#include "base/status.h"
#include "input/load.h"
#include "symbolize/symbolizer.h"

namespace pprof_trend {

struct PipelineOptions {
  std::vector<std::string> profiles;  // paths, "-" for standard input (once)
  LoadOptions load;
  SymbolizeOptions symbolize;  // native profiles' addresses -> names
  Granularity granularity = Granularity::kFunctions;
  std::string sample_index;    // empty: inuse_space with inuse_objects
  std::string focus, ignore;   // regular expressions; empty: none
  std::vector<int64_t> times;  // capture times (Unix ns) per profile in argument order; empty: from the inputs
  bool keep_order = false;     // keep the argument order even when capture times disagree
  // The user says the captures are one program's, even where neighbours look
  // like two (program_identity.h); else such a series is refused.
  bool same_program = false;
};

struct Analysis {
  TrendResult trend;
  Diagnostics notes;
};

StatusOr<Analysis> Analyze(const PipelineOptions& options);

// The parts of Analyze, for a series that is aligned as it grows (watch):
// the alignment options of `options` (its regular expressions compiled), and
// the trend of an aligned table with the notes on its captures.
StatusOr<AlignOptions> MakeAlignOptions(const PipelineOptions& options);
Analysis AnalyzeAligned(AlignedProfiles aligned, bool keep_order);

}  // namespace pprof_trend
