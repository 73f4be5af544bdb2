// Whether neighbouring captures can be one program's, one build's, one
// process's: how much of their memory sits at sites both hold, and what their
// runtimes and mappings say.
//
// The share: for captures a and b, the part of a's in-use |bytes| at sites b
// also holds, and the part of b's at sites a holds; the larger of the two.
// Taking the larger keeps a leak that starts between them (most of b is new,
// but a's sites are all still there) and a heap that shrank from one capture
// to the next aligned; two programs share only their runtime's own sites.
// Measured on real pairs (README "What may be compared"): neighbours of one
// program share all of it (100%), Go services across restarts and rebuilds
// too (their frames keep their names); two small Go programs built with one
// toolchain share 6-12% (the runtime's own sites); Go programs of different
// toolchains 0%. An unsymbolized native rebuild shares ~0% (its frames are
// named by offsets into a binary that changed): told apart by its binary's
// name. Heap tables of types (.NET, Java) of two programs share 80%+: types
// like System.String are in every program, so tables cannot be told apart.
#pragma once

#include <cstddef>
#include <vector>

#include "analysis/align.h"

namespace pprof_trend {

// Below this share, neighbours of different (or unnamed) main binaries are
// taken for two programs: twice the most two different programs were seen to
// share, a quarter of what one program's neighbours did.
inline constexpr double kDifferentProgramsShare = 0.25;

struct NeighbourEvidence {
  // The larger of the two captures' shares (see above); 1 when either holds
  // nothing (then it says nothing).
  double shared = 1;
  bool measured = false;       // both captures hold memory: `shared` is a measurement
  bool other_runtime = false;  // the formats belong to different runtimes (Java, .NET)
  bool same_binary = false;    // both name their main binary, and the same one
  bool rebuilt = false;        // the main binary's build id changed: another build
  bool moved = false;          // every file both map moved (ASLR): another process of the build
  bool different_programs = false;
};

// [i] compares captures i-1 and i; [0] is default (nothing before it).
std::vector<NeighbourEvidence> CompareNeighbours(const AlignedProfiles& aligned);

}  // namespace pprof_trend
