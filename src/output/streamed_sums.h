// inspect's sums of a profile made while its file inflates, on the core the
// inflate leaves idle.
//
// `inspect` of one large gzip file spent half its time inflating on one core
// (isa-l, 55 ms of a 15 MB Go profile) and the other half summing the
// samples on two. Go's runtime writes each location (with its inlined
// frames' function ids) before the first sample that names it, and the
// string table last: so each sample can be summed as soon as it is
// inflated, by function id, and the ids given their names at the end. This
// observer of the inflate (input/load.h's InflateObserver) does that on its
// own thread; Summarize takes its sums when they hold for the profile the
// decoder then makes, and sums as before when they do not: any record out of
// that order (a sample before its location, sample types after a sample), a
// record the decoder would refuse, code without symbols, two functions of
// one name, a profile of pprof's -diff_base, a default sample type other
// than the last. The result is the same either way; only the time differs.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <vector>

#include "input/load.h"
#include "model/profile.h"

namespace pprof_trend {

class StreamedSums final : public InflateObserver {
 public:
  StreamedSums() = default;
  StreamedSums(const StreamedSums&) = delete;
  StreamedSums& operator=(const StreamedSums&) = delete;
  ~StreamedSums() override;

  void Grew(std::string_view so_far) override;
  void Ended() override;
  void Abandon() override;

  // A function's sums of the type summed (flat: as the leaf's first frame;
  // cum: once per sample that holds it).
  struct Node {
    std::string_view name;
    int64_t flat = 0;
    int64_t cum = 0;
  };
  struct Sums {
    std::vector<uint64_t> totals, pprof_totals;  // of every type: values, |values|
    std::vector<Node> nodes;                     // each function a frame names, once
    SampleCheck check{0};                        // of every sample, in file order
  };
  // The sums of sample type `index`, when they hold for `profile`, the one
  // decoded from the bytes shown; else none. Waits for the reading to end.
  std::optional<Sums> For(const Profile& profile, size_t index);

  // A location's function ids: frames_[first, first + count), callee first;
  // a location of one frame (most: no inlined calls) holds its function id
  // in `first`, one read less a frame. (count 0: no location of that id read yet.)
  struct LocationFrames {
    uint32_t first = 0, count = 0;
  };

 private:
  void Run();
  // The record at the start of `rest`: its bytes, or 0 when it is not all
  // there yet (`ended`: it never will be, and that is a failure).
  size_t ReadRecord(std::string_view rest, bool ended);
  void ReadSample(std::string_view record);
  void ReadLocation(std::string_view record);
  void ReadFunction(std::string_view record);
  // A location's function ids, callee first (`location.count` of them).
  const uint32_t* FunctionsOf(const LocationFrames& location) const {
    return location.count == 1 ? &location.first : frames_.data() + location.first;
  }

  // Shared with the inflating thread.
  std::mutex mu_;
  std::condition_variable changed_;
  std::string_view shown_;
  bool ended_ = false, stop_ = false;
  std::atomic<bool> stopping_{false};  // stop_, seen between records without the lock
  std::thread thread_;

  // This thread's, read by For once it is joined.
  bool failed_ = false, done_ = false;
  size_t num_types_ = 0, num_samples_ = 0, index_ = 0, locations_ = 0, functions_ = 0;
  uint64_t max_label_string_ = 0, max_depth_ = 0;
  std::vector<uint64_t> totals_, pprof_totals_;
  SampleCheck check_{0};
  std::vector<LocationFrames> locations_by_id_;
  std::vector<uint32_t> frames_;           // function ids, callee first
  std::vector<uint32_t> function_record_;  // by function id: 1 + its record's index
  // By function id: 16 bytes, what each frame of each sample updates.
  struct Sum {
    uint64_t cum = 0, last_sample = 0;
  };
  std::vector<Sum> sums_;
  std::vector<uint64_t> flat_;  // by function id
  std::vector<LocationFrames> stack_;
  std::vector<int64_t> values_;
};

}  // namespace pprof_trend
