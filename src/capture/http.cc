#include "capture/http.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <thread>

#include "base/url.h"
#include "base/utf8.h"

namespace pprof_trend {

HttpSession::HttpSession() { curl_global_init(CURL_GLOBAL_DEFAULT); }
HttpSession::~HttpSession() { curl_global_cleanup(); }

namespace {

struct Body {
  std::string data;
  uint64_t max_bytes = 0;
  bool too_large = false;
};

size_t Append(char* ptr, size_t size, size_t count, void* user) {
  auto* body = static_cast<Body*>(user);
  const size_t n = size * count;
  if (body->data.size() + n > body->max_bytes) {
    body->too_large = true;
    return 0;  // aborts the transfer
  }
  body->data.append(ptr, n);
  return n;
}

// The first line of an error page, short and safe to print.
std::string FirstLine(const std::string& body, size_t max = 80) {
  std::string line = body.substr(0, body.find('\n'));
  if (line.size() > max) line = line.substr(0, max - 3) + "...";
  return TerminalSafe(line);
}

// "scheme://host:port" of a URL (the default port written out): headers
// given for one origin are sent to it only, never after a redirect to
// another (libcurl drops only Authorization and Cookie on its own).
std::string OriginOf(const std::string& url) {
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> u(curl_url(), curl_url_cleanup);
  if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return "";
  std::string out;
  for (CURLUPart part : {CURLUPART_SCHEME, CURLUPART_HOST, CURLUPART_PORT}) {
    char* value = nullptr;
    if (curl_url_get(u.get(), part, &value, CURLU_DEFAULT_PORT) != CURLUE_OK) return "";
    out += std::string(value) + (part == CURLUPART_PORT ? "" : part == CURLUPART_SCHEME ? "://" : ":");
    curl_free(value);
  }
  return out;
}

constexpr int kMaxRedirects = 5;

// libcurl's progress callback: non-zero aborts the transfer.
int Progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* cancelled = static_cast<const std::function<bool()>*>(user);
  return (*cancelled && (*cancelled)()) ? 1 : 0;
}

}  // namespace

StatusOr<std::string> HttpSession::Fetch(const std::string& url, const FetchOptions& options) const {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return Status::InputError(fmt::format("{}: cannot start an HTTP client", RedactUrl(url)));
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(nullptr, curl_slist_free_all);
  for (const std::string& h : options.headers) headers.reset(curl_slist_append(headers.release(), h.c_str()));
  const std::string shown = RedactUrl(url), origin = OriginOf(url);
  // The whole fetch, tries, waits and redirects included, within one budget.
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(options.total_timeout_seconds));
  auto left_ms = [&] { return std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count(); };
  auto cancelled = [&] { return options.cancelled && options.cancelled(); };
  std::string last_error;
  int tries = 0;
  for (int attempt = 0; attempt <= options.retries; ++attempt) {
    if (attempt > 0) {
      // The backoff, in steps that notice a cancel, and never past the budget.
      const auto until = std::min(deadline, Clock::now() + std::chrono::milliseconds(500 << (attempt - 1)));
      while (Clock::now() < until && !cancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (cancelled()) return Status::InputError(fmt::format("{}: cancelled", shown));
    if (left_ms() <= 0) break;
    ++tries;
    Body body;
    CURLcode rc = CURLE_OK;
    long status = 0;
    char error[CURL_ERROR_SIZE] = {0};
    CURL* c = curl.get();
    // Redirects are followed here, not by libcurl, so the headers given go
    // to their origin only.
    std::string current = url;
    for (int redirects = 0;; ++redirects) {
      body = Body{};
      body.max_bytes = options.max_bytes;
      curl_easy_reset(c);
      curl_easy_setopt(c, CURLOPT_URL, current.c_str());
      curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
      curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
      curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
      curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout_seconds * 1000));
      curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(std::max<int64_t>(1, left_ms())));
      curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
      curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, Progress);
      curl_easy_setopt(c, CURLOPT_XFERINFODATA, &options.cancelled);
      curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, Append);
      curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
      curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
      curl_easy_setopt(c, CURLOPT_USERAGENT, "pprof-trend");
      if (headers && OriginOf(current) == origin) curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
      if (options.post_body != nullptr) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, options.post_body->data());
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(options.post_body->size()));
      }
      rc = curl_easy_perform(c);
      status = 0;
      curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
      char* location = nullptr;
      if (rc != CURLE_OK || status < 300 || status >= 400 || redirects == kMaxRedirects ||
          options.post_body != nullptr || curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &location) != CURLE_OK ||
          location == nullptr)
        break;
      current = location;
    }
    if (body.too_large)
      return Status::InputError(
          fmt::format("{}: the answer is over {} bytes (--max-decompressed raises it)", shown, options.max_bytes));
    if (rc == CURLE_ABORTED_BY_CALLBACK) return Status::InputError(fmt::format("{}: cancelled", shown));
    if (rc != CURLE_OK) {
      last_error = error[0] != '\0' ? error : curl_easy_strerror(rc);
      const bool transient = rc == CURLE_COULDNT_CONNECT ||
                             (options.post_body == nullptr &&
                              (rc == CURLE_OPERATION_TIMEDOUT || rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR ||
                               rc == CURLE_GOT_NOTHING || rc == CURLE_PARTIAL_FILE));
      if (!transient) break;
      continue;
    }
    if (status >= 200 && status < 300) return std::move(body.data);
    // A database's refusal (a POST) is said whole enough to act on.
    last_error = fmt::format("HTTP {} ({})", status, FirstLine(body.data, options.post_body != nullptr ? 240 : 80));
    if (status < 500 || options.post_body != nullptr)
      return Status::InputError(fmt::format("{}: {}", shown, TerminalSafe(last_error)));
  }
  return Status::InputError(fmt::format("{}: {} after {} {} in {:g} s at most", shown, TerminalSafe(last_error), tries,
                                        tries == 1 ? "try" : "tries", options.total_timeout_seconds));
}

}  // namespace pprof_trend
