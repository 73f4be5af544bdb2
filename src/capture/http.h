// Fetching profiles over HTTP(S): the only file that talks to libcurl.
//
// `pprof-trend http://host:6060/debug/pprof/heap ...` and `inspect URL`
// fetch each URL once, as the capture it is now. Timeouts (connect and
// total), retries with backoff on connection failures and 5xx answers,
// extra headers (--header, for auth: never printed), proxies from the
// environment (libcurl's http_proxy, https_proxy, no_proxy). An answer that
// is an HTTP error is an error naming the URL and the status.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/url.h"

namespace pprof_trend {

struct FetchOptions {
  double connect_timeout_seconds = 10;
  double total_timeout_seconds = 120;
  int retries = 2;                   // after the first try; waits 0.5 s, 1 s, 2 s ...
  std::vector<std::string> headers;  // "Name: value"
  uint64_t max_bytes = uint64_t{4} << 30;
  // Asked about once a second during a transfer and between tries; true
  // abandons the fetch ("cancelled"): how watch ends within a second or two
  // on --for or a stop signal, whatever the server does.
  std::function<bool()> cancelled;
  // A POST of this body (a database's query or insert) when set; else GET.
  // A POST follows no redirect, and an HTTP 5xx answer to it is not tried
  // again (a server that refused it says why in its body); nor is a POST
  // the server may have received (a timeout, a connection cut while it was
  // sent or answered): an insert must not be stored twice. It is tried
  // again only when no connection was made. The caller that can undo a
  // half-done insert retries (ClickHouse::Push).
  const std::string* post_body = nullptr;
};

// libcurl's file by its SONAME (Debian's libcurl4).
inline constexpr const char* kLibcurl = "libcurl.so.4";

struct CurlLibrary;  // libcurl's functions (http.cc)

// libcurl, loaded when a session starts (dlopen) and its global state set up
// for the process (main's lifetime); a run given no URL makes no session. It
// is not linked: the thirty libraries libcurl needs (TLS, Kerberos, LDAP,
// SSH, ...) took 13 ms at the start of every run, most of which read files
// only (a tenth of inspecting a 30 MB profile; most of a small series' run).
class HttpSession {
 public:
  // `library`: the file to load (tests give one that does not exist).
  explicit HttpSession(const std::string& library = kLibcurl);
  ~HttpSession();
  HttpSession(const HttpSession&) = delete;
  HttpSession& operator=(const HttpSession&) = delete;

  // The body of a 2xx answer, or an error: "URL: HTTP 404 (404 page not found)",
  // "URL: cannot connect (Couldn't connect to server) after 3 tries", or
  // "URL: fetching a URL needs libcurl ..." when it could not be loaded.
  StatusOr<std::string> Fetch(const std::string& url, const FetchOptions& options) const;

 private:
  std::unique_ptr<const CurlLibrary> curl_;  // null when it could not be loaded
  std::string load_error_;                   // then, why
};

}  // namespace pprof_trend
