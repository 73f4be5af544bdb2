// HttpSession loads libcurl when it starts (capture/http.h): a fetch goes
// through the loaded library, and one whose library cannot be loaded is an
// error naming the URL (without its credentials) and what to install.
#include "capture/http.h"

#include <gtest/gtest.h>

#include <string>

namespace pprof_trend {
namespace {

// A port nothing listens on: a connection is refused at once.
constexpr const char* kClosedPort = "http://user:secret@127.0.0.1:1/debug/pprof/heap";

FetchOptions QuickOptions() {
  FetchOptions options;
  options.retries = 0;
  options.connect_timeout_seconds = 2;
  options.total_timeout_seconds = 5;
  return options;
}

TEST(HttpSessionTest, AFetchGoesThroughTheLoadedLibcurl) {
  HttpSession http;
  auto body = http.Fetch(kClosedPort, QuickOptions());
  ASSERT_FALSE(body.ok());
  const std::string& message = body.status().message();
  EXPECT_EQ(message.rfind("http://REDACTED@127.0.0.1:1/debug/pprof/heap: ", 0), 0u) << message;
  EXPECT_EQ(message.find("needs libcurl"), std::string::npos) << message;
  EXPECT_NE(message.find("after 1 try"), std::string::npos) << message;  // libcurl's error, from one try
  EXPECT_EQ(message.find("secret"), std::string::npos) << message;
}

TEST(HttpSessionTest, ALibraryThatCannotBeLoadedIsSaidAtTheFetch) {
  HttpSession http("libcurl-not-installed.so.4");
  auto body = http.Fetch(kClosedPort, QuickOptions());
  ASSERT_FALSE(body.ok());
  const std::string& message = body.status().message();
  EXPECT_EQ(
      message.rfind("http://REDACTED@127.0.0.1:1/debug/pprof/heap: fetching a URL needs libcurl, which could not be "
                    "loaded (libcurl-not-installed.so.4: ",
                    0),
      0u)
      << message;
  EXPECT_NE(message.find("install Debian's libcurl4"), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  EXPECT_EQ(message.find("secret"), std::string::npos) << message;
}

TEST(HttpSessionTest, ALibraryWithoutLibcurlsFunctionsIsSaidAtTheFetch) {
  HttpSession http("libz.so.1");  // loads, but is not libcurl
  auto body = http.Fetch(kClosedPort, QuickOptions());
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(
      body.status().message(),
      "http://REDACTED@127.0.0.1:1/debug/pprof/heap: fetching a URL needs libcurl, and libz.so.1 lacks its function "
      "curl_global_init");
}

}  // namespace
}  // namespace pprof_trend
