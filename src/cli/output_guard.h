// An output never replaces an input.
//
// `pprof-trend --html heap-*.pb.gz` makes the first capture the report's
// name: the most natural typo there is, and it used to destroy the oldest
// capture. Before anything is written, the output's path is checked: it is
// refused when another argument names the same file, when the file is a
// profile (told by content, as the loader tells formats), and when it is no
// regular file. An existing file that is not an earlier output of the same
// kind is replaced only with --force.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"

namespace pprof_trend {

struct OutputTarget {
  enum class Kind { kHtmlReport, kGrowthProfile };
  Kind kind = Kind::kHtmlReport;
  std::string flag;     // as the user gives it: "--html", "export -o"
  std::string path;     // the file to write
  std::string example;  // a good name, for the message: "report.html"
};

// `arguments`: the whole command line (argv without the program name).
Status CheckOutputTarget(const OutputTarget& target, const std::vector<std::string>& arguments, bool force);

}  // namespace pprof_trend
