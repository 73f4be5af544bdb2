// Exit codes: a public interface (README "Exit codes and limits"), shared by every
// command and by watch.
//   0  success
//   1  `check` (or watch's budgets): a budget was exceeded
//   2  usage error, input error (unreadable, malformed or inconsistent
//      profiles), or an output that could not be written
#pragma once

namespace pprof_trend {

inline constexpr int kExitOk = 0;
inline constexpr int kExitCheckFailed = 1;
inline constexpr int kExitInputError = 2;

}  // namespace pprof_trend
