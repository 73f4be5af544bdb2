// Regex: RE2 syntax as Go's pprof reads it, unanchored matching, linear time.
#include "base/regex.h"

#include <gtest/gtest.h>

namespace pprof_trend {
namespace {

Regex Re(std::string_view pattern) {
  auto re = Regex::Compile(pattern, "--focus");
  EXPECT_TRUE(re.ok()) << re.status().message();
  return std::move(re).value();
}

TEST(RegexTest, MatchesAnywhereLikeGosMatchString) {
  EXPECT_TRUE(Re("Producer").Matches("github.com/Shopify/sarama.(*asyncProducer).newPartitionProducer"));
  EXPECT_FALSE(Re("^Producer").Matches("newPartitionProducer"));
  EXPECT_TRUE(Re("(?i)^NEWPARTITION").Matches("newPartitionProducer"));
  EXPECT_TRUE(Re("\\d+").Matches("main.go:42"));
  EXPECT_TRUE(Re("[[:alpha:]]+\\.go$").Matches("svc/main.go"));
  EXPECT_FALSE(Re("a.b").Matches("a\nb"));  // '.' does not match a newline, as in Go
}

TEST(RegexTest, InvalidPatternsAreUsageErrorsNamingTheFlag) {
  auto re = Regex::Compile("(", "--forbid");
  ASSERT_FALSE(re.ok());
  EXPECT_EQ(re.status().code(), StatusCode::kUsageError);
  EXPECT_EQ(re.status().message(), "--forbid \"(\" is not a valid regular expression: missing ): (");
}

TEST(RegexTest, LongHostileNamesMatchInLinearTimeWithoutRecursion) {
  // A backtracking engine (std::regex) recurses per character here and
  // overflows the stack on a name this long.
  const std::string name(1 << 20, 'a');
  EXPECT_FALSE(Re("(a|aa)*b").Matches(name));
  EXPECT_TRUE(Re("(a|aa)*$").Matches(name));
}

TEST(RegexTest, InvalidUtf8InANameIsMatchedNotRejected) {
  EXPECT_TRUE(Re("main").Matches(std::string("main.\xff\xfe", 7)));
}

}  // namespace
}  // namespace pprof_trend
