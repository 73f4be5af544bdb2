// Two stages over chunks of work, on two threads: a helper thread produces
// chunks ahead while the calling thread consumes them in order, 0, 1, 2,
// ...; when the chunk it needs next is not ready, the calling thread
// produces the next unclaimed one itself rather than wait (resolving a
// profile's samples costs more than folding them: the folding thread
// waited for most of each capture). Each chunk is produced once, by one
// thread, into one of kSlots buffers, and at most kSlots chunks are
// produced ahead of the one consumed: the result is the same as producing
// and consuming each chunk in turn on one thread. `produce` may run on both
// threads at once for different chunks, and must only read what `consume`
// does not change.
//
//   RunTwoStage<Chunk>(num_chunks,
//                      [&](size_t c, Chunk& out) { ... },   // either thread
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
#include <optional>
#include <stop_token>
#include <thread>
#include <utility>

namespace pprof_trend {

inline constexpr size_t kTwoStageSlots = 4;
inline constexpr size_t kTwoStageMinChunks = 4;  // RunTwoStage's default min_chunks

// The same into buffers the caller keeps (so a run of many small calls
// reuses them instead of growing new ones each time, on both threads).
template <typename Chunk, typename Produce, typename Consume>
void RunTwoStage(size_t num_chunks, std::array<Chunk, kTwoStageSlots>& slots, Produce&& produce, Consume&& consume,
                 size_t min_chunks = kTwoStageMinChunks) {
  if (num_chunks < min_chunks) {
    for (size_t c = 0; c < num_chunks; ++c) {
      produce(c, slots[0]);
      consume(static_cast<const Chunk&>(slots[0]));
    }
    return;
  }
  // Chunk c goes to slot c % kSlots, and is claimed only once chunk c -
  // kSlots, the slot's last, is consumed. ready[s]: 1 + the chunk slot s
  // holds, 0 while it holds none.
  constexpr size_t kSlots = kTwoStageSlots;
  std::array<size_t, kSlots> ready{};
  std::mutex mu;
  std::condition_variable_any changed;
  size_t claimed = 0, consumed = 0;
  std::exception_ptr failed;  // what a producer threw: rethrown here
  // Under the lock: the next chunk to produce, if one may be claimed now.
  auto claim = [&]() -> std::optional<size_t> {
    if (claimed < num_chunks && claimed < consumed + kSlots) return claimed++;
    return std::nullopt;
  };
  auto produce_into = [&](size_t c) {
    produce(c, slots[c % kSlots]);
    {
      std::lock_guard lock(mu);
      ready[c % kSlots] = c + 1;
    }
    changed.notify_all();
  };
  std::jthread helper([&](std::stop_token stop) {
    try {
      while (true) {
        std::optional<size_t> c;
        {
          std::unique_lock lock(mu);
          if (!changed.wait(lock, stop, [&] { return claimed >= num_chunks || (c = claim()).has_value(); })) return;
          if (!c) return;  // every chunk is claimed
        }
        produce_into(*c);
      }
    } catch (...) {
      std::lock_guard lock(mu);
      if (!failed) failed = std::current_exception();
      changed.notify_all();
    }
  });
  for (size_t c = 0; c < num_chunks; ++c) {
    while (true) {
      std::optional<size_t> mine;
      {
        std::unique_lock lock(mu);
        changed.wait(lock, [&] { return ready[c % kSlots] == c + 1 || failed || (mine = claim()).has_value(); });
        if (failed) std::rethrow_exception(failed);
        if (!mine) break;  // chunk c is ready
      }
      produce_into(*mine);
    }
    consume(static_cast<const Chunk&>(slots[c % kSlots]));
    {
      std::lock_guard lock(mu);
      consumed = c + 1;
      ready[c % kSlots] = 0;
    }
    changed.notify_all();
  }
}  // on any way out, the helper is asked to stop and joined

template <typename Chunk, typename Produce, typename Consume>
void RunTwoStage(size_t num_chunks, Produce&& produce, Consume&& consume, size_t min_chunks = kTwoStageMinChunks) {
  std::array<Chunk, kTwoStageSlots> slots;
  RunTwoStage<Chunk>(num_chunks, slots, std::forward<Produce>(produce), std::forward<Consume>(consume), min_chunks);
}

}  // namespace pprof_trend
