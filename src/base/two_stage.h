// Two stages over chunks of work, on two threads: a helper thread produces
// chunk c (into one of two buffers) while the calling thread consumes chunk
// c - 1, in order. The result is the same as producing and consuming each
// chunk in turn on one thread; the core that would wait otherwise does half
// the work. `produce` must only read what `consume` does not change.
//
//   RunTwoStage<Chunk>(num_chunks,
//                      [&](size_t c, Chunk& out) { ... },   // helper thread
//                      [&](const Chunk& in) { ... });        // this thread, c = 0, 1, 2, ...
//
// Fewer than `min_chunks` chunks run on this thread alone (a thread costs
// more than it saves on little work).
#pragma once

#include <array>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <mutex>
#include <stop_token>
#include <thread>

namespace pprof_trend {

template <typename Chunk, typename Produce, typename Consume>
void RunTwoStage(size_t num_chunks, Produce&& produce, Consume&& consume, size_t min_chunks = 4) {
  if (num_chunks < min_chunks) {
    Chunk chunk;
    for (size_t c = 0; c < num_chunks; ++c) {
      produce(c, chunk);
      consume(static_cast<const Chunk&>(chunk));
    }
    return;
  }
  // Two buffers: the helper produces chunk c into slot c % 2 once chunk
  // c - 2 is consumed; this thread consumes chunk c once it is produced.
  std::array<Chunk, 2> slots;
  std::mutex mu;
  std::condition_variable_any changed;
  size_t produced = 0, consumed = 0;
  std::exception_ptr failed;  // what the helper threw: rethrown here
  std::jthread helper([&](std::stop_token stop) {
    try {
      for (size_t c = 0; c < num_chunks; ++c) {
        {
          std::unique_lock lock(mu);
          if (!changed.wait(lock, stop, [&] { return c < consumed + slots.size(); })) return;
        }
        produce(c, slots[c % slots.size()]);
        {
          std::lock_guard lock(mu);
          produced = c + 1;
        }
        changed.notify_all();
      }
    } catch (...) {
      std::lock_guard lock(mu);
      failed = std::current_exception();
      changed.notify_all();
    }
  });
  for (size_t c = 0; c < num_chunks; ++c) {
    {
      std::unique_lock lock(mu);
      changed.wait(lock, [&] { return produced > c || failed; });
      if (failed) std::rethrow_exception(failed);
    }
    consume(static_cast<const Chunk&>(slots[c % slots.size()]));
    {
      std::lock_guard lock(mu);
      consumed = c + 1;
    }
    changed.notify_all();
  }
}  // on any way out, the helper is asked to stop and joined

}  // namespace pprof_trend
