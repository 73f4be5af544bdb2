// Exceptions (std::bad_alloc, mostly) thrown on a worker thread, carried to
// the thread that joins it and rethrown there: one that escaped a thread's
// function would terminate the process (an abort, exit 134) instead of
// reaching main, which says "out of memory" and exits 2.
//
//   ThreadErrors errors;
//   { std::jthread t(errors.Guard([&] { ... })); }   // joined
//   errors.Rethrow();
#pragma once

#include <concepts>
#include <exception>
#include <mutex>
#include <utility>

namespace pprof_trend {

class ThreadErrors {
 public:
  // `f` with whatever it throws kept instead of escaping the thread.
  template <typename F>
  auto Guard(F f) {
    // Callable with f's arguments only (so std::jthread does not pass it a
    // stop_token f does not take).
    return [ this, f = std::move(f) ](auto&&... args) requires std::invocable<F&, decltype(args)...> {
      try {
        f(std::forward<decltype(args)>(args)...);
      } catch (...) {
        Keep(std::current_exception());
      }
    };
  }
  void Keep(std::exception_ptr e) {
    std::lock_guard lock(mu_);
    if (!first_) first_ = std::move(e);
  }
  bool any() {
    std::lock_guard lock(mu_);
    return first_ != nullptr;
  }
  // Rethrows the first exception kept, if any (call after the joins).
  void Rethrow() {
    std::lock_guard lock(mu_);
    if (first_) std::rethrow_exception(first_);
  }

 private:
  std::mutex mu_;
  std::exception_ptr first_;
};

}  // namespace pprof_trend
