#include "capture/http.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <fmt/format.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <thread>
#include <utility>

#include "base/url.h"
#include "base/utf8.h"

namespace pprof_trend {

// The functions of libcurl this file calls, looked up in the loaded library.
struct CurlLibrary {
  decltype(&curl_global_init) global_init = nullptr;
  decltype(&curl_global_cleanup) global_cleanup = nullptr;
  decltype(&curl_easy_init) easy_init = nullptr;
  decltype(&curl_easy_cleanup) easy_cleanup = nullptr;
  decltype(&curl_easy_reset) easy_reset = nullptr;
  decltype(&curl_easy_setopt) easy_setopt = nullptr;
  decltype(&curl_easy_perform) easy_perform = nullptr;
  decltype(&curl_easy_getinfo) easy_getinfo = nullptr;
  decltype(&curl_easy_strerror) easy_strerror = nullptr;
  decltype(&curl_slist_append) slist_append = nullptr;
  decltype(&curl_slist_free_all) slist_free_all = nullptr;
  decltype(&curl_url) url = nullptr;
  decltype(&curl_url_cleanup) url_cleanup = nullptr;
  decltype(&curl_url_set) url_set = nullptr;
  decltype(&curl_url_get) url_get = nullptr;
  decltype(&curl_free) free = nullptr;
};

namespace {

// Looks `name` up in `library` into `out`; false when it is not there.
template <typename Function>
bool Find(void* library, const char* name, Function& out) {
  static_assert(sizeof(Function) == sizeof(void*));
  void* symbol = dlsym(library, name);
  std::memcpy(&out, &symbol, sizeof out);  // POSIX: a function's address, as an object pointer
  return symbol != nullptr;
}

// The first of libcurl's functions `library` lacks, or null.
const char* FindAll(void* library, CurlLibrary& c) {
  // Each looked up (all of them), the name of one not found, else null.
  auto find = [&](const char* name, auto& out) { return Find(library, name, out) ? nullptr : name; };
  for (const char* missing :
       {find("curl_global_init", c.global_init), find("curl_global_cleanup", c.global_cleanup),
        find("curl_easy_init", c.easy_init), find("curl_easy_cleanup", c.easy_cleanup),
        find("curl_easy_reset", c.easy_reset), find("curl_easy_setopt", c.easy_setopt),
        find("curl_easy_perform", c.easy_perform), find("curl_easy_getinfo", c.easy_getinfo),
        find("curl_easy_strerror", c.easy_strerror), find("curl_slist_append", c.slist_append),
        find("curl_slist_free_all", c.slist_free_all), find("curl_url", c.url), find("curl_url_cleanup", c.url_cleanup),
        find("curl_url_set", c.url_set), find("curl_url_get", c.url_get), find("curl_free", c.free)})
    if (missing != nullptr) return missing;
  return nullptr;
}

}  // namespace

HttpSession::HttpSession(const std::string& library) {
  // Never unloaded: the TLS libraries it brings register handlers that run
  // at exit.
  void* handle = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    load_error_ = fmt::format("fetching a URL needs libcurl, which could not be loaded ({}): install Debian's libcurl4",
                              TerminalSafe(why != nullptr ? why : library));
    return;
  }
  auto curl = std::make_unique<CurlLibrary>();
  if (const char* missing = FindAll(handle, *curl)) {
    load_error_ =
        fmt::format("fetching a URL needs libcurl, and {} lacks its function {}", TerminalSafe(library), missing);
    return;
  }
  curl->global_init(CURL_GLOBAL_DEFAULT);
  curl_ = std::move(curl);
}

HttpSession::~HttpSession() {
  if (curl_) curl_->global_cleanup();
}

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
std::string OriginOf(const CurlLibrary& api, const std::string& url) {
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> u(api.url(), api.url_cleanup);
  if (!u || api.url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return "";
  std::string out;
  for (CURLUPart part : {CURLUPART_SCHEME, CURLUPART_HOST, CURLUPART_PORT}) {
    char* value = nullptr;
    if (api.url_get(u.get(), part, &value, CURLU_DEFAULT_PORT) != CURLUE_OK) return "";
    out += std::string(value) + (part == CURLUPART_PORT ? "" : part == CURLUPART_SCHEME ? "://" : ":");
    api.free(value);
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
  if (!curl_) return Status::InputError(fmt::format("{}: {}", RedactUrl(url), load_error_));
  const CurlLibrary& api = *curl_;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(api.easy_init(), api.easy_cleanup);
  if (!curl) return Status::InputError(fmt::format("{}: cannot start an HTTP client", RedactUrl(url)));
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(nullptr, api.slist_free_all);
  for (const std::string& h : options.headers) headers.reset(api.slist_append(headers.release(), h.c_str()));
  const std::string shown = RedactUrl(url), origin = OriginOf(api, url);
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
      api.easy_reset(c);
      api.easy_setopt(c, CURLOPT_URL, current.c_str());
      api.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
      api.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
      api.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
      api.easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout_seconds * 1000));
      api.easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(std::max<int64_t>(1, left_ms())));
      api.easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
      api.easy_setopt(c, CURLOPT_XFERINFOFUNCTION, Progress);
      api.easy_setopt(c, CURLOPT_XFERINFODATA, &options.cancelled);
      api.easy_setopt(c, CURLOPT_WRITEFUNCTION, Append);
      api.easy_setopt(c, CURLOPT_WRITEDATA, &body);
      api.easy_setopt(c, CURLOPT_ERRORBUFFER, error);
      api.easy_setopt(c, CURLOPT_USERAGENT, "pprof-trend");
      if (headers && OriginOf(api, current) == origin) api.easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
      if (options.post_body != nullptr) {
        api.easy_setopt(c, CURLOPT_POSTFIELDS, options.post_body->data());
        api.easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(options.post_body->size()));
      }
      rc = api.easy_perform(c);
      status = 0;
      api.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
      char* location = nullptr;
      if (rc != CURLE_OK || status < 300 || status >= 400 || redirects == kMaxRedirects ||
          options.post_body != nullptr || api.easy_getinfo(c, CURLINFO_REDIRECT_URL, &location) != CURLE_OK ||
          location == nullptr)
        break;
      current = location;
    }
    if (body.too_large)
      return Status::InputError(
          fmt::format("{}: the answer is over {} bytes (--max-decompressed raises it)", shown, options.max_bytes));
    if (rc == CURLE_ABORTED_BY_CALLBACK) return Status::InputError(fmt::format("{}: cancelled", shown));
    if (rc != CURLE_OK) {
      last_error = error[0] != '\0' ? error : api.easy_strerror(rc);
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
