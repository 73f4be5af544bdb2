#include "base/diagnostic.h"

#include <gtest/gtest.h>

#include <sstream>

namespace pprof_trend {
namespace {

TEST(DiagnosticTest, OnePrefixAndTheSeverityLabel) {
  EXPECT_EQ(FormatDiagnostic(Note("a")), "pprof-trend: note: a");
  EXPECT_EQ(FormatDiagnostic(Warning("b")), "pprof-trend: warning: b");
  EXPECT_EQ(FormatDiagnostic(Info("wrote c")), "pprof-trend: wrote c");
  EXPECT_EQ(FormatDiagnostic(Error("d.pb.gz: truncated gzip stream")), "pprof-trend: d.pb.gz: truncated gzip stream");
  EXPECT_EQ(Labeled(Warning("b")), "warning: b");
}

TEST(DiagnosticTest, AFileNameCannotBreakTheLineOrMoveTheCursor) {
  std::ostringstream out;
  PrintDiagnostics(out, {Warning("\x1b[31mred\x1b[0m.pb.gz and x\ny.pb.gz have the same content"), Note("\x7f\r")});
  EXPECT_EQ(out.str(),
            "pprof-trend: warning: ?[31mred?[0m.pb.gz and x?y.pb.gz have the same content\n"
            "pprof-trend: note: ??\n");
}

}  // namespace
}  // namespace pprof_trend
