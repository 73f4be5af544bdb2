// With PPROF_TREND_TIMING set, prints how long each phase took (stderr), for
// tools/bench.sh and anyone wondering where the time goes. A diagnostic, off
// unless asked for: the one place below main() that prints.
#pragma once

#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>

namespace pprof_trend {

class PhaseTimer {
 public:
  PhaseTimer() : enabled_(std::getenv("PPROF_TREND_TIMING") != nullptr), last_(std::chrono::steady_clock::now()) {}
  void Lap(std::string_view phase) {
    auto now = std::chrono::steady_clock::now();
    if (enabled_)
      std::cerr << fmt::format("pprof-trend: timing: {}: {:.3f} s{}\n", phase,
                               std::chrono::duration<double>(now - last_).count(), PeakMemory());
    last_ = now;
  }

 private:
  // ", RSS N MB, peak so far M MB" from Linux's VmRSS and VmHWM; empty
  // elsewhere.
  static std::string PeakMemory() {
    std::ifstream status("/proc/self/status");
    std::string line;
    long now = -1, peak = -1;
    while (std::getline(status, line)) {
      if (line.starts_with("VmRSS:")) now = std::atol(line.c_str() + 6) / 1024;
      if (line.starts_with("VmHWM:")) peak = std::atol(line.c_str() + 6) / 1024;
    }
    return now < 0 || peak < 0 ? "" : fmt::format(", RSS {} MB, peak so far {} MB", now, peak);
  }

  bool enabled_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace pprof_trend
