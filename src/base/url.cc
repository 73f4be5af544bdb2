#include "base/url.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace pprof_trend {
namespace {

// Query parameter names that carry credentials, matched as substrings of
// the lowercased name ("access_token", "X-Amz-Signature", "apikey").
bool LooksLikeCredential(std::string_view name) {
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static constexpr std::array<std::string_view, 11> kWords = {
      "token", "key", "secret", "password", "passwd", "auth", "signature", "sig", "session", "credential", "jwt"};
  return std::any_of(kWords.begin(), kWords.end(),
                     [&](std::string_view w) { return lower.find(w) != std::string::npos; });
}

}  // namespace

bool IsHostPortWithoutScheme(std::string_view arg) {
  if (arg.empty() || arg.find("://") != std::string_view::npos) return false;
  std::string_view authority = arg.substr(0, arg.find('/'));
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  size_t colon = authority.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == authority.size()) return false;
  std::string_view host = authority.substr(0, colon), port = authority.substr(colon + 1);
  if (port.size() > 5) return false;
  for (char c : port)
    if (c < '0' || c > '9') return false;
  if (host.front() == '[') return host.back() == ']';  // [::1]:6060
  for (char c : host)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-')) return false;
  return true;
}

std::string RedactUrl(std::string_view url) {
  if (!IsUrl(url)) return std::string(url);
  const size_t authority = url.find("://") + 3;
  const size_t path = std::min(url.find_first_of("/?#", authority), url.size());
  std::string out(url.substr(0, authority));
  std::string_view host = url.substr(authority, path - authority);
  if (const size_t at = host.rfind('@'); at != std::string_view::npos) {
    out += "REDACTED@";
    host.remove_prefix(at + 1);
  }
  out += host;
  const size_t query = url.find('?', path);
  const size_t fragment = std::min(url.find('#', path), url.size());
  if (query == std::string_view::npos || query > fragment) {
    out += url.substr(path);
    return out;
  }
  out += url.substr(path, query + 1 - path);
  std::string_view params = url.substr(query + 1, fragment - query - 1);
  for (size_t start = 0; start <= params.size();) {
    const size_t end = std::min(params.find('&', start), params.size());
    const std::string_view param = params.substr(start, end - start);
    const size_t eq = param.find('=');
    if (eq != std::string_view::npos && LooksLikeCredential(param.substr(0, eq))) {
      out += param.substr(0, eq + 1);
      out += "REDACTED";
    } else {
      out += param;
    }
    if (end < params.size()) out += '&';
    start = end + 1;
  }
  out += url.substr(fragment);
  return out;
}

std::string RedactCommandLine(int argc, const char* const* argv) {
  std::string out;
  bool header_value = false;
  for (int i = 0; i < argc; ++i) {
    std::string_view arg = argv[i];
    std::string shown;
    if (header_value) {
      shown = std::string(arg.substr(0, arg.find(':'))) + ": REDACTED";
      header_value = false;
    } else if (arg == "--header" || arg == "-H" || arg == "-header") {
      shown = arg;
      header_value = true;
    } else if (arg.starts_with("--header=") || arg.starts_with("-header=")) {
      const size_t eq = arg.find('=');
      const std::string_view value = arg.substr(eq + 1);
      shown = std::string(arg.substr(0, eq + 1)) + std::string(value.substr(0, value.find(':'))) + ": REDACTED";
    } else if (IsHostPortWithoutScheme(arg)) {  // read as http://ARG (pprof's habit)
      shown = RedactUrl("http://" + std::string(arg)).substr(7);
    } else {
      shown = RedactUrl(arg);
    }
    out += (i == 0 ? "" : " ") + shown;
  }
  return out;
}

}  // namespace pprof_trend
