// pprof protobuf -> Profile, read straight from the wire format (no
// generated message objects: one pass over the bytes, no per-field
// allocation). proto/profile.proto defines the schema it reads.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "model/input_limits.h"
#include "model/profile.h"

namespace pprof_trend {

// Decodes an uncompressed perftools.profiles.Profile message and validates
// everything later stages rely on: string indices in range, string_table[0]
// empty, ids non-zero, unique and resolvable, one value per sample type.
// Errors are one line starting with `source`; a profile past `limits` is an
// error naming the limit and its flag.
StatusOr<Profile> DecodePprof(std::string_view bytes, std::string source, const Limits& limits = {});

// The same checks and tables, the samples left on the wire: the profile keeps
// `bytes` and each sample's record in Profile::wire (its samples, values,
// stack_locations and labels stay empty), for a stage that reads each sample
// once (input/sample_reader.h). A profile whose location ids are not Go's
// dense 1..n is decoded whole instead. The samples of a large profile are
// checked on up to `threads` threads (the errors and results those of one).
// With `check_samples` false, they are left to check later (WireSamples::
// checked: by the loader while it waits, CheckMoreSamples, and by the fold
// of a series as it reads them, with the same errors), so that no sample is
// parsed twice on the way to the fold.
StatusOr<Profile> DecodePprofOnWire(std::string bytes, std::string source, const Limits& limits = {},
                                    unsigned threads = 1, bool check_samples = true);
// The same, `bytes` moved from only into a profile that keeps them: after
// an error, or when the profile is decoded whole, they are still the
// caller's (a reader on another thread may be reading them: load.h's
// InflateObserver).
StatusOr<Profile> DecodePprofOnWireFrom(std::string& bytes, std::string source, const Limits& limits, unsigned threads,
                                        bool check_samples);

}  // namespace pprof_trend
