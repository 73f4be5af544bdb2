#include "base/url.h"

#include <gtest/gtest.h>

#include "capture/watch.h"

namespace pprof_trend {
namespace {

TEST(UrlTest, CredentialsAreRedacted) {
  EXPECT_EQ(RedactUrl("http://alice:pw@host:6060/debug/pprof/heap"), "http://REDACTED@host:6060/debug/pprof/heap");
  EXPECT_EQ(RedactUrl("https://token@host"), "https://REDACTED@host");
  EXPECT_EQ(RedactUrl("http://host/heap?token=abc&gc=1&seconds=30"), "http://host/heap?token=REDACTED&gc=1&seconds=30");
  EXPECT_EQ(RedactUrl("http://host/x?access_token=a&X-Amz-Signature=b&apiKey=c&sig=d#frag"),
            "http://host/x?access_token=REDACTED&X-Amz-Signature=REDACTED&apiKey=REDACTED&sig=REDACTED#frag");
  EXPECT_EQ(RedactUrl("http://a:b@host?password=p"), "http://REDACTED@host?password=REDACTED");
  // An '@' in the path or query is not user info.
  EXPECT_EQ(RedactUrl("http://host/a@b?x=y@z"), "http://host/a@b?x=y@z");
  // Nothing to redact, and no URL at all: unchanged.
  EXPECT_EQ(RedactUrl("http://127.0.0.1:6060/debug/pprof/heap?gc=1"), "http://127.0.0.1:6060/debug/pprof/heap?gc=1");
  EXPECT_EQ(RedactUrl("day1.pb.gz"), "day1.pb.gz");
  EXPECT_EQ(RedactUrl("http://host/x?&flag&=v"), "http://host/x?&flag&=v");
}

TEST(UrlTest, HeaderValuesAndUrlsAreRedactedFromACommandLine) {
  const char* argv[] = {"pprof-trend",
                        "--header",
                        "Authorization: Bearer sekrit",
                        "--header=X-Api-Key: k2",
                        "http://u:p@h/heap",
                        "--html",
                        "r.html",
                        "day1.pb.gz"};
  EXPECT_EQ(RedactCommandLine(8, argv),
            "pprof-trend --header Authorization: REDACTED --header=X-Api-Key: REDACTED http://REDACTED@h/heap --html "
            "r.html day1.pb.gz");
  // host:port without a scheme (read as http://, pprof's habit) too.
  const char* bare[] = {"pprof-trend", "alice:pw@127.0.0.1:6060/debug/pprof/heap?token=t", "b.pb.gz"};
  EXPECT_EQ(RedactCommandLine(3, bare), "pprof-trend REDACTED@127.0.0.1:6060/debug/pprof/heap?token=REDACTED b.pb.gz");
}

TEST(UrlTest, HostPortWithoutSchemeIsKnown) {
  for (const char* yes : {"localhost:6060", "h:1/debug/pprof/heap", "u:p@10.0.0.1:80/x", "[::1]:6060/heap"})
    EXPECT_TRUE(IsHostPortWithoutScheme(yes)) << yes;
  for (const char* no : {"heap.pb.gz", "http://h:1/x", "a:b/heap", ":6060", "h:", "h:123456", "dir/h:1", "C:\\x"})
    EXPECT_FALSE(IsHostPortWithoutScheme(no)) << no;
}

}  // namespace
// A watch names an instance's captures by its whole URL, so that two
// endpoints of one host:port never share a series on resume; Go's default
// path keeps the short name earlier runs gave; no credential ever appears.
TEST(InstanceNameTest, TheWholeUrlWithoutCredentials) {
  EXPECT_EQ(InstanceName("http://127.0.0.1:6060/debug/pprof/heap"), "127.0.0.1_6060");
  EXPECT_EQ(InstanceName("http://alice:PASSWORD@127.0.0.1:6060/debug/pprof/heap"), "127.0.0.1_6060");
  EXPECT_EQ(InstanceName("http://127.0.0.1:6060/admin/heap?seconds=30"), "127.0.0.1_6060_admin_heap_seconds_30");
  EXPECT_NE(InstanceName("http://127.0.0.1:6060/a/heap"), InstanceName("http://127.0.0.1:6060/b/heap"));
  const std::string token = InstanceName("https://h.example:443/heap?token=SECRET123");
  EXPECT_EQ(token.find("SECRET123"), std::string::npos) << token;
  EXPECT_EQ(InstanceName("http://[::1]:6060/"), "___1__6060");
}

}  // namespace pprof_trend
