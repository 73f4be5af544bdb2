// Diagnostics: what the tool tells its user besides the output itself.
//
// A diagnostic has a severity and one line of text; stages return them as
// values (never print), and one printer writes them: it adds the
// "pprof-trend: " prefix and the severity's label, and makes the text safe
// for a terminal (a file name holding a newline or an escape sequence cannot
// break the line or move the cursor). Errors travel as Status instead and are
// printed by the same function.
//
//   pprof-trend: warning: day2.pb.gz and day3.pb.gz have the same content: ...
//   pprof-trend: note: the captures stay in argument order: ...
//   pprof-trend: wrote report.html
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace pprof_trend {

enum class Severity {
  kInfo,     // what was done ("wrote report.html"): no label
  kNote,     // worth knowing; the answer stands
  kWarning,  // the answer may mislead unless the reader knows this
  kError,    // the command failed (a Status's message): no label
};

struct Diagnostic {
  Severity severity = Severity::kNote;
  std::string text;  // one line, without prefix or label; may hold raw file names
};
using Diagnostics = std::vector<Diagnostic>;

inline Diagnostic Info(std::string text) { return {Severity::kInfo, std::move(text)}; }
inline Diagnostic Note(std::string text) { return {Severity::kNote, std::move(text)}; }
inline Diagnostic Warning(std::string text) { return {Severity::kWarning, std::move(text)}; }
inline Diagnostic Error(std::string text) { return {Severity::kError, std::move(text)}; }

// "warning: <text>": the label and the text as they are (not made
// terminal-safe): for tests and for comparing diagnostics.
std::string Labeled(const Diagnostic& diagnostic);
// "pprof-trend: warning: <text>" (no newline), terminal-safe.
std::string FormatDiagnostic(const Diagnostic& diagnostic);
// Writes each as one line.
void PrintDiagnostic(std::ostream& out, const Diagnostic& diagnostic);
void PrintDiagnostics(std::ostream& out, const Diagnostics& diagnostics);

}  // namespace pprof_trend
