#include "base/diagnostic.h"

#include "base/utf8.h"

namespace pprof_trend {

namespace {

std::string_view Label(Severity severity) {
  switch (severity) {
    case Severity::kNote: return "note: ";
    case Severity::kWarning: return "warning: ";
    case Severity::kInfo:
    case Severity::kError: break;
  }
  return "";
}

}  // namespace

std::string Labeled(const Diagnostic& d) { return std::string(Label(d.severity)) + d.text; }

std::string FormatDiagnostic(const Diagnostic& d) {
  return "pprof-trend: " + std::string(Label(d.severity)) + TerminalSafe(d.text);
}

void PrintDiagnostic(std::ostream& out, const Diagnostic& d) { out << FormatDiagnostic(d) << '\n'; }

void PrintDiagnostics(std::ostream& out, const Diagnostics& diagnostics) {
  for (const Diagnostic& d : diagnostics) PrintDiagnostic(out, d);
}

}  // namespace pprof_trend
