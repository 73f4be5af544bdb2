// Reading inputs: files or standard input -> bytes -> a decoded Profile.
//
// The input format is told by content, never by file name: gzip is inflated
// first; then text starting "heap profile:" is a legacy Go heap profile, text
// with a "MT Count TotalSize Class Name" header is .NET heap statistics
// (whose capture time is the file's modification time), and anything else
// must be a pprof protobuf. Profiles can be loaded on several
// threads and are handed over in argument order, so at most one decoded
// profile per thread is alive at a time (the caller folds and releases it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/diagnostic.h"
#include "base/status.h"
#include "model/input_limits.h"
#include "model/profile.h"

namespace pprof_trend {

class InflateObserver;

struct LoadOptions {
  Limits limits;  // a gzip bomb or a hostile file stops at these
  // 0: one thread per core.
  unsigned threads = 0;
  // Threads that may check one large protobuf's samples. LoadEach sets it
  // to `threads` when it reads its files one at a time (one file: inspect
  // of one profile), and keeps 1 when its threads each read a file.
  unsigned decode_threads = 1;
  // pprof protobufs keep their samples on the wire (Profile::wire), read one
  // at a time through input/sample_reader.h: every stage reads each sample
  // once (the fold, inspect). False: decoded into Profile's sample arrays
  // (tests that look at them, a fuzz target that copies them).
  bool samples_on_wire = true;
  // The protobuf's samples on the wire are not checked by the decoder:
  // LoadEach checks them while the profile waits for its turn to be
  // consumed (time its thread would wait anyway), and the fold that reads
  // them (Aligner::Add) checks those left, so on the critical path each
  // record is parsed once, not twice. Only for profiles that go to
  // Aligner::Add (a series) or to inspect's Summarize, which check what is
  // left as they read it, and nowhere else; the errors are the decoder's.
  bool check_samples_in_fold = false;
  // With check_samples_in_fold, LoadEach's threads check while they wait
  // only profiles of at most this many samples: one whose fold runs on one
  // thread, which leaves a core idle for checking (2,000 small captures:
  // 2.76 -> 2.64 s). A larger profile's fold keeps two threads busy, so on
  // two cores checking beside it only takes their time; the fold checks its
  // samples instead (3 Go-shaped big profiles 0.66 -> 0.62 s; the growing
  // month: the same time, 9% less CPU).
  size_t check_while_waiting_up_to = SIZE_MAX;
  // Profile::content_hash of every input, which tells copies of one file
  // apart in a series. Off for inspect, which compares none: 3 ms of a
  // 14 MB file's 150.
  bool hash_content = true;
  // How a URL argument is read (the command line hands in the HTTP client
  // of the capture layer); empty: URLs are refused with what to do instead.
  std::function<StatusOr<std::string>(const std::string& url)> fetch;
  // Told of a gzip file's output as it is inflated; for the load of one
  // file only (loaders on several cores would share it). None: nobody.
  InflateObserver* inflate_observer = nullptr;
};

// Told of a gzip file's output as it is inflated (ReadInflated), to read it
// on another thread meanwhile: inspect sums a profile's samples while the
// rest of it inflates (output/streamed_sums.h).
class InflateObserver {
 public:
  virtual ~InflateObserver() = default;
  // The output so far: its start never moves and what it shows is final.
  // An empty view: as Abandon.
  virtual void Grew(std::string_view so_far) = 0;
  // The inflate is over, and the last view shown is the profile's bytes,
  // all of them, handed on to the decoder (which keeps them where they
  // are): they may still be read, until Abandon, or until the profile made
  // of them is done with (Summarize waits for the reader's results).
  virtual void Ended() = 0;
  // The bytes shown are about to be freed: returns once nothing reads them.
  virtual void Abandon() = 0;
};

struct InputBytes {
  std::string data;
  int64_t mtime_nanos = 0;  // modification time; 0 for standard input
  // Set when `data` is a gzip file's output, inflated as it was read
  // (ReadInflated); `content_hash` is then the hash of its compressed bytes
  // (when LoadOptions::hash_content asked for it), as DecodeInput computes it
  // of what is read whole.
  bool inflated = false;
  uint64_t content_hash = 0;
};

// Standard input can be read once: a usage error when "-" is named twice.
Status CheckStdinOnce(const std::vector<std::string>& paths);

// A directory argument stands for every profile in it (so a month of hourly
// captures is not limited by the shell's argument length): its regular
// files, by name (the trend orders them by capture time), told by content;
// files that are no profile (a README, an HTML page) are skipped and named
// in `notes`. Other arguments pass through. A directory without a profile is
// an error.
StatusOr<std::vector<std::string>> ExpandDirectories(const std::vector<std::string>& arguments, Diagnostics* notes);

// Reads the whole file (or standard input for "-"), failing as soon as it
// holds more than `max_bytes` (an input, even compressed, is never larger
// than what it inflates to, so the decompressed limit bounds it).
StatusOr<InputBytes> ReadInput(const std::string& path, uint64_t max_bytes);

// ReadInput for a profile: a regular gzip file (what Go serves and most
// captures are) is inflated as it is read, a piece at a time, when it is the
// common case (GunzipAsRead), so its compressed bytes are never held whole;
// anything else is read whole, as ReadInput does.
StatusOr<InputBytes> ReadInflated(const std::string& path, const LoadOptions& options);

// Decodes one input's bytes, whatever its format; `name` names it in errors.
// The file name suffix a capture's bytes are saved under, by their format:
// ".pb.gz" (gzip: what Go's /debug/pprof/heap serves), ".pb" (a raw
// protobuf), ".heap" (legacy heap text: Go ?debug=1, gperftools, jemalloc),
// ".txt" (a heap table: dumpheap, gcdump report, class histogram).
std::string_view CaptureSuffix(std::string_view data);
// Every suffix CaptureSuffix gives.
inline constexpr std::string_view kCaptureSuffixes[] = {".pb.gz", ".pb", ".heap", ".txt"};

StatusOr<Profile> DecodeInput(InputBytes input, const std::string& name, const LoadOptions& options);

// Reads and decodes one profile.
StatusOr<Profile> LoadProfile(const std::string& path, const LoadOptions& options);

// How many captures the input at `path` holds: a GC log that printed a
// whole class histogram at several full GCs holds one per GC
// (ParseClassHistogramSeries); every other input one. Reads local text
// files; standard input, URLs and gzip count as one (read as before).
size_t CapturesIn(const std::string& path, const LoadOptions& options);

// The `expected` captures of one input (CapturesIn): a series of class
// histograms, or the one profile LoadProfile reads.
StatusOr<std::vector<Profile>> LoadCaptures(const std::string& path, const LoadOptions& options, size_t expected);

// Loads every path and calls `consume(i, profile)` for i = 0, 1, ... in
// order: one per path, or captures_per_path[k] for path k (CapturesIn).
// Returns the first error in argument order (from loading or from
// `consume`); nothing after it is consumed.
Status LoadEach(const std::vector<std::string>& paths, const LoadOptions& options,
                const std::function<Status(size_t, Profile&&)>& consume,
                const std::vector<size_t>& captures_per_path = {});

}  // namespace pprof_trend
