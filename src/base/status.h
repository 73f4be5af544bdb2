// Status and StatusOr<T>: how every library function reports failure.
//
// Nothing below main() prints, exits or aborts. A failure travels up as a
// Status whose message is one lowercase line naming the file and the defect,
// e.g. "day2.pb.gz: truncated gzip stream"; main() prefixes "pprof-trend: "
// and maps it to exit code 2 (base/exit_codes.h).
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace pprof_trend {

enum class StatusCode {
  kOk = 0,
  kInputError,  // the inputs are unreadable, malformed or inconsistent
  kUsageError,  // the command line asks for something impossible
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status InputError(std::string message) { return Status(StatusCode::kInputError, std::move(message)); }
  static Status UsageError(std::string message) { return Status(StatusCode::kUsageError, std::move(message)); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(Status status) : status_(std::move(status)) { assert(!status_.ok()); }  // NOLINT: implicit by design
  StatusOr(T value) : value_(std::move(value)) {}                                  // NOLINT: implicit by design

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace pprof_trend

#define PT_CONCAT_INNER(a, b) a##b
#define PT_CONCAT(a, b) PT_CONCAT_INNER(a, b)

// Returns early from the enclosing function when `expr` is a failed Status.
#define RETURN_IF_ERROR(expr)                  \
  do {                                         \
    ::pprof_trend::Status pt_status_ = (expr); \
    if (!pt_status_.ok()) return pt_status_;   \
  } while (0)

// `ASSIGN_OR_RETURN(auto x, F());` declares x from a StatusOr or returns its error.
#define ASSIGN_OR_RETURN(lhs, expr) ASSIGN_OR_RETURN_IMPL(PT_CONCAT(pt_statusor_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(tmp).value()
