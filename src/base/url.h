// Arguments that are URLs rather than files, and URLs as they may be shown.
#pragma once

#include <string>
#include <string_view>

namespace pprof_trend {

inline bool IsUrl(std::string_view arg) { return arg.starts_with("http://") || arg.starts_with("https://"); }

// pprof's habit: "host:6060/debug/pprof/heap" (no scheme) is a URL, as
// pprof reads it, when no file has that name. True for [user@]host:port
// with an optional path; the caller checks that no such file exists.
bool IsHostPortWithoutScheme(std::string_view arg);

// A URL as it may reach an output, a file name or a message: user info
// ("user:password@") becomes "REDACTED@", and the value of every query
// parameter whose name looks like a credential (token, key, secret,
// password, auth, signature, session...) becomes "REDACTED". Anything that
// is not a URL is returned as it is.
//   http://alice:pw@host:6060/heap?token=abc&gc=1 -> http://REDACTED@host:6060/heap?token=REDACTED&gc=1
std::string RedactUrl(std::string_view url);

// A command line as it may be shown (the HTML report's "command"): every URL
// redacted, and the value of --header/-H replaced by "Name: REDACTED".
std::string RedactCommandLine(int argc, const char* const* argv);

}  // namespace pprof_trend
