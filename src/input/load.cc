#include "input/load.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <thread>

#include "base/bytes_hash.h"
#include "base/huge_pages.h"
#include "base/units.h"
#include "base/url.h"
#include "input/class_histogram.h"
#include "input/dumpheap.h"
#include "input/gcdump_report.h"
#include "input/gzip.h"
#include "input/legacy_heap.h"
#include "input/profile_reader.h"
#include "input/sample_check.h"
#include "input/sniff.h"

namespace pprof_trend {
namespace {

std::string SystemError(int err) { return std::strerror(err); }

// Reads everything from `fd`, growing the buffer from `size_hint`.
// Reads to the end, at most `max_bytes` (checked while reading: standard
// input or a FIFO can be endless).
StatusOr<std::string> ReadAll(int fd, const std::string& name, size_t size_hint, uint64_t max_bytes) {
  if (size_hint > max_bytes)
    return Status::InputError(fmt::format("{}: {} bytes, over the limit of {} bytes (--max-decompressed raises it)",
                                          name, size_hint, max_bytes));
  std::string data;
  const size_t first_size = size_hint > 0 ? size_hint + 1 : 1 << 16;
  ReserveHuge(data, first_size);  // before the pages are first written
  data.resize(first_size);
  size_t used = 0;
  while (true) {
    if (used == data.size()) data.resize(data.size() * 2);
    ssize_t n = ::read(fd, data.data() + used, data.size() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      if (err == EISDIR) return Status::InputError(fmt::format("{}: is a directory, not a profile", name));
      return Status::InputError(fmt::format("{}: cannot read: {}", name, SystemError(err)));
    }
    if (n == 0) break;
    used += static_cast<size_t>(n);
    if (used > max_bytes)
      return Status::InputError(
          fmt::format("{}: more than {} bytes while reading (--max-decompressed raises it)", name, max_bytes));
  }
  data.resize(used);
  return data;
}

// File names in the order people number them: "heap-9" before "heap-10"
// (runs of digits compare as numbers, the rest byte by byte).
bool NaturalLess(std::string_view a, std::string_view b) {
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (digit(a[i]) && digit(b[j])) {
      size_t ie = i, je = j;
      while (ie < a.size() && digit(a[ie])) ++ie;
      while (je < b.size() && digit(b[je])) ++je;
      std::string_view x = a.substr(i, ie - i), y = b.substr(j, je - j);
      while (x.size() > 1 && x.front() == '0') x.remove_prefix(1);
      while (y.size() > 1 && y.front() == '0') y.remove_prefix(1);
      if (x.size() != y.size()) return x.size() < y.size();
      if (x != y) return x < y;
      if (ie - i != je - j) return ie - i < je - j;  // "01" after "1": any fixed order
      i = ie;
      j = je;
      continue;
    }
    if (a[i] != b[j]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]);
    ++i;
    ++j;
  }
  return a.size() - i < b.size() - j;
}

// Which text reader takes `data`, told by its header. What a directory
// listing keeps and what DecodeAnyFormat reads are decided here, once.
enum class TextFormat { kNone, kLegacyHeap, kDumpheap, kGcdumpReport, kClassHistogram };
TextFormat TextFormatOf(std::string_view data) {
  // The table readers look for a header in the first 20,000 lines: not in a
  // protobuf, where that scan cost as much as decoding it.
  if (LooksBinary(data)) return TextFormat::kNone;
  if (IsLegacyHeapProfile(data)) return TextFormat::kLegacyHeap;
  if (IsDumpheapStat(data)) return TextFormat::kDumpheap;
  if (IsGcdumpReport(data)) return TextFormat::kGcdumpReport;
  if (IsClassHistogram(data)) return TextFormat::kClassHistogram;
  return TextFormat::kNone;
}

}  // namespace

std::string_view CaptureSuffix(std::string_view data) {
  if (IsGzip(data)) return ".pb.gz";
  switch (TextFormatOf(data)) {
    case TextFormat::kLegacyHeap: return ".heap";
    case TextFormat::kDumpheap:
    case TextFormat::kGcdumpReport:
    case TextFormat::kClassHistogram: return ".txt";
    case TextFormat::kNone: break;
  }
  return ".pb";
}

namespace {

// A path that names nothing, said as what the user most likely did: a shell
// passes a pattern that matched no file on unchanged ("heap-*.pb.gz").
Status CheckExists(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(fs::symlink_status(path, ec))) return Status();  // read (or refused) as it is
  if (path.find_first_of("*?[") != std::string::npos)
    return Status::InputError(fmt::format(
        "{}: no file matches this pattern (the shell passes a pattern that matches nothing on as it is)", path));
  const fs::path p(path);
  const fs::path parent = p.parent_path();
  if (path.ends_with('/')) return Status::InputError(fmt::format("{}: no such directory", path));
  if (!parent.empty() && !fs::exists(parent, ec))
    return Status::InputError(fmt::format("{}: no such file (there is no directory {})", path, parent.string()));
  return Status::InputError(fmt::format("{}: no such file", path));
}

}  // namespace

StatusOr<std::vector<std::string>> ExpandDirectories(const std::vector<std::string>& arguments, Diagnostics* notes) {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  for (const std::string& arg : arguments) {
    std::error_code ec;
    if (arg == "-" || IsUrl(arg)) {
      out.push_back(arg);
      continue;
    }
    if (!fs::is_directory(arg, ec)) {
      RETURN_IF_ERROR(CheckExists(arg));
      out.push_back(arg);
      continue;
    }
    std::vector<std::string> files;
    for (const auto& entry : fs::directory_iterator(arg, ec))
      if (entry.is_regular_file(ec)) files.push_back(entry.path().string());
    if (ec) return Status::InputError(fmt::format("{}: cannot list the directory: {}", arg, ec.message()));
    // Numbered captures in number order: the order their times usually have.
    std::sort(files.begin(), files.end(), NaturalLess);
    std::vector<std::string> skipped;
    size_t kept = 0;
    for (const std::string& file : files) {
      std::string head(4096, '\0');
      std::ifstream in(file, std::ios::binary);
      // A file that cannot be read is an error, never "no profile": a
      // check must not pass on a capture it could not see.
      if (!in.is_open()) return Status::InputError(fmt::format("{}: cannot read: {}", file, std::strerror(errno)));
      in.read(head.data(), static_cast<std::streamsize>(head.size()));
      if (in.bad()) return Status::InputError(fmt::format("{}: cannot read: {}", file, std::strerror(errno)));
      head.resize(static_cast<size_t>(in.gcount()));
      const bool profile = !head.empty() && (IsGzip(head) || TextFormatOf(head) != TextFormat::kNone ||
                                             !DescribeNonProtobuf(head).has_value());
      if (profile) {
        out.push_back(file);
        ++kept;
      } else {
        skipped.push_back(fs::path(file).filename().string());
      }
    }
    if (kept == 0) return Status::InputError(fmt::format("{}: a directory with no profile in it", arg));
    if (!skipped.empty()) {
      std::string names;
      for (size_t i = 0; i < std::min<size_t>(skipped.size(), 5); ++i) names += (i == 0 ? "" : ", ") + skipped[i];
      if (skipped.size() > 5) names += fmt::format(" and {} more", skipped.size() - 5);
      notes->push_back(
          Note(fmt::format("{}: {} profile{} read; skipped {} that {} no profile: {}", arg, kept, kept == 1 ? "" : "s",
                           skipped.size(), skipped.size() == 1 ? "is" : "are", names)));
    }
  }
  return out;
}

Status CheckStdinOnce(const std::vector<std::string>& paths) {
  if (std::count(paths.begin(), paths.end(), "-") > 1)
    return Status::UsageError("standard input (-) can be named only once");
  return Status();
}

namespace {

// An input file, open, and what fstat said of it.
struct OpenInput {
  OpenInput() = default;
  OpenInput(const OpenInput&) = delete;
  OpenInput& operator=(const OpenInput&) = delete;
  ~OpenInput() {
    if (fd >= 0) ::close(fd);
  }
  int fd = -1;
  struct stat st {};

  int64_t MtimeNanos() const { return static_cast<int64_t>(st.st_mtim.tv_sec) * kNanosPerSecond + st.st_mtim.tv_nsec; }
};

// Opens `path` for reading (not standard input) into `file`.
Status Open(const std::string& path, OpenInput& file) {
  // Opened without blocking: the open of a FIFO that no process writes to
  // would block forever. A FIFO is then given kFifoWaitMs for a writer to
  // connect and write (a shell's <(curl ...) is a pipe that has one already).
  file.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (file.fd < 0) {
    int err = errno;
    if (err == ENOENT) return Status::InputError(fmt::format("{}: no such file", path));
    return Status::InputError(fmt::format("{}: cannot open: {}", path, SystemError(err)));
  }
  if (::fstat(file.fd, &file.st) != 0)
    return Status::InputError(fmt::format("{}: cannot stat: {}", path, SystemError(errno)));
  if (S_ISDIR(file.st.st_mode)) return Status::InputError(fmt::format("{}: is a directory, not a profile", path));
  if (S_ISFIFO(file.st.st_mode)) {
    constexpr int kFifoWaitMs = 5000;
    pollfd ready{file.fd, POLLIN, 0};
    int n;
    do {
      n = ::poll(&ready, 1, kFifoWaitMs);
    } while (n < 0 && errno == EINTR);
    if (n == 0)
      return Status::InputError(
          fmt::format("{}: a FIFO that no process wrote to within {} s: nothing to read", path, kFifoWaitMs / 1000));
  }
  if (const int flags = ::fcntl(file.fd, F_GETFL); flags >= 0) ::fcntl(file.fd, F_SETFL, flags & ~O_NONBLOCK);
  return Status();
}

// The rest of an open file, read whole.
StatusOr<InputBytes> ReadRest(const OpenInput& file, const std::string& path, uint64_t max_bytes) {
  ASSIGN_OR_RETURN(
      std::string data,
      ReadAll(file.fd, path, S_ISREG(file.st.st_mode) ? static_cast<size_t>(file.st.st_size) : 0, max_bytes));
  return InputBytes{std::move(data), file.MtimeNanos()};
}

// Reads exactly `n` bytes at `offset` (pread, not moving the file's offset);
// false when the file has fewer.
bool ReadAt(int fd, char* to, size_t n, off_t offset) {
  while (n > 0) {
    const ssize_t got = ::pread(fd, to, n, offset);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    to += got;
    n -= static_cast<size_t>(got);
    offset += got;
  }
  return true;
}

// What a gzip file is read in, a piece at a time: as much as the inflate's
// pieces (input/gzip.cc), so the piece is in cache when isa-l reads it.
constexpr size_t kReadPieceBytes = size_t{128} << 10;

// A regular gzip file inflated as it is read (GunzipAsRead), hashed on the
// way when asked; none when it is not the common case (then nothing was
// read, or the file is read again whole from its start).
StatusOr<std::optional<InputBytes>> InflateAsRead(const OpenInput& file, const std::string& path,
                                                  const LoadOptions& options) {
  using Result = std::optional<InputBytes>;
  const auto size = static_cast<uint64_t>(file.st.st_size);
  char head[2], tail[4];
  if (!S_ISREG(file.st.st_mode) || size < 18 || size > options.limits.max_decompressed_bytes ||
      (options.hash_content && !BytesHashIsStdHash()) || !ReadAt(file.fd, head, 2, 0) ||
      !IsGzip(std::string_view(head, 2)) || !ReadAt(file.fd, tail, 4, static_cast<off_t>(size - 4)))
    return Result();
  // Uninitialised: a small file's piece is its size (plus the one byte that
  // shows it grew), not the whole kReadPieceBytes.
  const size_t capacity = static_cast<size_t>(std::min<uint64_t>(kReadPieceBytes, size + 1));
  const std::unique_ptr<char[]> buffer(new char[capacity]);
  BytesHash hash(size);
  uint64_t read_so_far = 0;
  auto next = [&]() -> StatusOr<std::string_view> {
    // At most one byte past the size fstat gave: a file that grew is read
    // again whole, and what it holds then is what counts.
    const size_t want = static_cast<size_t>(std::min<uint64_t>(capacity, size + 1 - read_so_far));
    ssize_t got;
    do {
      got = want == 0 ? 0 : ::read(file.fd, buffer.get(), want);
    } while (got < 0 && errno == EINTR);
    if (got < 0) return Status::InputError(fmt::format("{}: cannot read: {}", path, SystemError(errno)));
    read_so_far += static_cast<uint64_t>(got);
    const std::string_view piece(buffer.get(), static_cast<size_t>(got));
    if (options.hash_content) hash.Add(piece);
    return piece;
  };
  InflateObserver* const observer = options.inflate_observer;
  const uint32_t trailer = GzipTrailer(std::string_view(tail, 4));
  OutputGrew grew;
  // Not for a tiny output: it is over before a reader could start, and one
  // of up to 15 bytes is held inside its string object, which moves (a
  // reader's view of it would not follow).
  constexpr uint32_t kObservedFromBytes = 4096;
  if (observer != nullptr && trailer >= kObservedFromBytes)
    grew = [observer](std::string_view so_far) { observer->Grew(so_far); };
  ASSIGN_OR_RETURN(std::optional<std::string> inflated,
                   GunzipAsRead(next, size, trailer, options.limits.max_decompressed_bytes,
                                options.limits.max_compression_ratio, grew));
  const bool whole = inflated && read_so_far == size;
  if (observer != nullptr) {
    if (whole)
      observer->Ended();
    else
      observer->Abandon();
  }
  if (whole) {
    InputBytes input{std::move(*inflated), file.MtimeNanos(), true, options.hash_content ? hash.Finish() : 0};
    return Result(std::move(input));
  }
  if (::lseek(file.fd, 0, SEEK_SET) != 0)
    return Status::InputError(fmt::format("{}: cannot read it again: {}", path, SystemError(errno)));
  return Result();
}

}  // namespace

StatusOr<InputBytes> ReadInput(const std::string& path, uint64_t max_bytes) {
  if (path == "-") {
    ASSIGN_OR_RETURN(std::string data, ReadAll(STDIN_FILENO, "<stdin>", 0, max_bytes));
    return InputBytes{std::move(data), 0};
  }
  OpenInput file;
  RETURN_IF_ERROR(Open(path, file));
  return ReadRest(file, path, max_bytes);
}

StatusOr<InputBytes> ReadInflated(const std::string& path, const LoadOptions& options) {
  if (path == "-") return ReadInput(path, options.limits.max_decompressed_bytes);
  OpenInput file;
  RETURN_IF_ERROR(Open(path, file));
  ASSIGN_OR_RETURN(std::optional<InputBytes> inflated, InflateAsRead(file, path, options));
  if (inflated) return std::move(*inflated);
  return ReadRest(file, path, options.limits.max_decompressed_bytes);
}

namespace {

// Profile::content_hash of an input as read (0 unless asked for): hashed
// while it streamed (ReadInflated), or now of its bytes read whole.
uint64_t ContentHash(const InputBytes& input, const LoadOptions& options) {
  if (input.inflated) return input.content_hash;
  return options.hash_content ? std::hash<std::string_view>{}(input.data) : 0;
}

// Heap tables carry no capture time (a GC log's lines may): the file's
// modification time stands in, marked as such.
void TimeFromFileIfNone(Profile& profile, int64_t mtime_nanos) {
  if (profile.time_nanos != 0) return;
  profile.time_nanos = mtime_nanos;
  profile.time_from_mtime = mtime_nanos != 0;
}

// Inflates gzip (bounded) and checks the size of what is left.
Status Inflate(std::string& data, const std::string& name, const LoadOptions& options) {
  if (data.empty()) return Status::InputError(fmt::format("{}: empty file, not a profile", name));
  if (IsGzip(data)) {
    ASSIGN_OR_RETURN(data,
                     Gunzip(data, name, options.limits.max_decompressed_bytes, options.limits.max_compression_ratio));
    if (data.empty()) return Status::InputError(fmt::format("{}: gzip stream holds no data, not a profile", name));
  } else if (data.size() > options.limits.max_decompressed_bytes) {
    return Status::InputError(fmt::format("{}: {} bytes exceed the limit of {} bytes (--max-decompressed raises it)",
                                          name, data.size(), options.limits.max_decompressed_bytes));
  }
  return Status();
}

// `input`'s bytes stay the caller's unless the profile made of them keeps them.
StatusOr<Profile> DecodeAnyFormat(InputBytes& input, const std::string& name, const LoadOptions& options) {
  std::string& data = input.data;
  if (!input.inflated) RETURN_IF_ERROR(Inflate(data, name, options));
  const TextFormat text = TextFormatOf(data);
  if (text == TextFormat::kLegacyHeap) return ParseLegacyHeap(data, name, options.limits);
  if (text != TextFormat::kNone) {
    ASSIGN_OR_RETURN(Profile profile, text == TextFormat::kDumpheap ? ParseDumpheapStat(data, name, options.limits)
                                      : text == TextFormat::kGcdumpReport
                                          ? ParseGcdumpReport(data, name, options.limits)
                                          : ParseClassHistogram(data, name, options.limits));
    TimeFromFileIfNone(profile, input.mtime_nanos);
    return profile;
  }
  if (auto what = DescribeNonProtobuf(data)) return Status::InputError(fmt::format("{}: {}", name, *what));
  if (options.samples_on_wire)
    return DecodePprofOnWireFrom(data, name, options.limits, options.decode_threads, !options.check_samples_in_fold);
  return DecodePprof(data, name, options.limits);
}

}  // namespace

StatusOr<Profile> DecodeInput(InputBytes input, const std::string& name, const LoadOptions& options) {
  // Bytes an observer may still be reading (ReadInflated) are freed only
  // once it let go of them: when they make no profile, or at an exception,
  // this guard (destroyed before `input`) tells it first. A profile made of
  // them keeps them.
  struct LetGoUnlessKept {
    InflateObserver* observer;
    bool kept = false;
    ~LetGoUnlessKept() {
      if (observer != nullptr && !kept) observer->Abandon();
    }
  } guard{input.inflated ? options.inflate_observer : nullptr};
  const uint64_t content_hash = ContentHash(input, options);
  const char* const bytes = input.data.data();
  ASSIGN_OR_RETURN(Profile profile, DecodeAnyFormat(input, name, options));
  guard.kept = profile.wire != nullptr && profile.wire->bytes.data() == bytes;
  profile.content_hash = content_hash;
  return profile;
}

namespace {

// The captures of a file of heap tables taken over time (a GC log's class
// histograms, a debugger session's dumpheap -stat tables); none for any
// other format.
StatusOr<std::vector<Profile>> ParseTableSeries(std::string_view data, const std::string& path, const Limits& limits) {
  switch (TextFormatOf(data)) {
    case TextFormat::kClassHistogram: return ParseClassHistogramSeries(data, path, limits);
    case TextFormat::kDumpheap: return ParseDumpheapSeries(data, path, limits);
    default: return std::vector<Profile>();
  }
}

}  // namespace

size_t CapturesIn(const std::string& path, const LoadOptions& options) {
  if (path == "-" || IsUrl(path)) return 1;
  // Only a regular file can be read twice: a pipe (<(curl ...)) or FIFO is
  // one capture, read once by the load.
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return 1;
  {
    // Profiles (gzip, protobuf) are told by their first bytes and not read
    // twice: only text is read whole here.
    std::ifstream file(path, std::ios::binary);
    std::string head(64 * 1024, '\0');
    file.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<size_t>(file.gcount()));
    if (head.empty() || IsGzip(head) || LooksBinary(head)) return 1;
    const TextFormat format = TextFormatOf(head);
    if (format == TextFormat::kLegacyHeap || format == TextFormat::kGcdumpReport) return 1;
  }
  auto input = ReadInput(path, options.limits.max_decompressed_bytes);
  if (!input.ok()) return 1;
  // Counted without making the profiles; an error is the load's to report.
  switch (TextFormatOf(input->data)) {
    case TextFormat::kClassHistogram: return CountClassHistogramCaptures(input->data, path, options.limits);
    case TextFormat::kDumpheap: return CountDumpheapCaptures(input->data, path, options.limits);
    default: return 1;
  }
}

StatusOr<std::vector<Profile>> LoadCaptures(const std::string& path, const LoadOptions& options, size_t expected) {
  std::vector<Profile> out;
  if (expected <= 1) {
    ASSIGN_OR_RETURN(Profile one, LoadProfile(path, options));
    out.push_back(std::move(one));
    return out;
  }
  ASSIGN_OR_RETURN(InputBytes input, ReadInflated(path, options));
  // Tables are parsed into profiles of their own: nothing keeps these bytes.
  if (input.inflated && options.inflate_observer != nullptr) options.inflate_observer->Abandon();
  const uint64_t content_hash = ContentHash(input, options);
  if (!input.inflated) RETURN_IF_ERROR(Inflate(input.data, path, options));
  ASSIGN_OR_RETURN(out, ParseTableSeries(input.data, path, options.limits));
  if (out.size() != expected)
    return Status::InputError(
        fmt::format("{}: changed while it was read ({} tables, then {})", path, expected, out.size()));
  for (Profile& p : out) {
    // Each table its own content.
    if (options.hash_content) p.content_hash = content_hash ^ std::hash<std::string>{}(p.source);
    TimeFromFileIfNone(p, input.mtime_nanos);
  }
  return out;
}

StatusOr<Profile> LoadProfile(const std::string& path, const LoadOptions& options) {
  if (IsUrl(path)) {
    // Named by the URL without its credentials (user info, token parameters).
    const std::string shown = RedactUrl(path);
    if (!options.fetch)
      return Status::UsageError(
          fmt::format("{}: a URL; fetch it first (curl -so heap-1.pb.gz '{}') and give the file", shown, shown));
    ASSIGN_OR_RETURN(std::string body, options.fetch(path));
    return DecodeInput(InputBytes{std::move(body), 0}, shown, options);
  }
  ASSIGN_OR_RETURN(InputBytes input, ReadInflated(path, options));
  return DecodeInput(std::move(input), path == "-" ? std::string("<stdin>") : path, options);
}

namespace {

// The first of `profiles` whose samples are not all checked and that has at
// most `up_to` samples, or null.
Profile* FirstUnchecked(std::vector<Profile>& profiles, size_t up_to) {
  for (Profile& p : profiles)
    if (!p.SamplesChecked() && p.num_samples() <= up_to) return &p;
  return nullptr;
}

// Checks a slice of `profile`'s unchecked samples (CheckMoreSamples).
Status CheckSamplesOrSayOutOfMemory(Profile& profile, const std::string& path) {
  constexpr size_t kSlice = 4096;  // a fraction of a millisecond
  try {
    return CheckMoreSamples(profile, kSlice);
  } catch (const std::bad_alloc&) {
    return Status::InputError(fmt::format("{}: out of memory while reading it", path));
  }
}

}  // namespace

Status LoadEach(const std::vector<std::string>& paths, const LoadOptions& options,
                const std::function<Status(size_t, Profile&&)>& consume, const std::vector<size_t>& captures_per_path) {
  auto expected = [&](size_t i) { return captures_per_path.empty() ? size_t{1} : captures_per_path[i]; };
  std::vector<size_t> first_capture(paths.size() + 1, 0);
  for (size_t i = 0; i < paths.size(); ++i) first_capture[i + 1] = first_capture[i] + expected(i);
  auto consume_all = [&](size_t i, std::vector<Profile>&& profiles) {
    for (size_t j = 0; j < profiles.size(); ++j) RETURN_IF_ERROR(consume(first_capture[i] + j, std::move(profiles[j])));
    return Status();
  };
  const unsigned cores = options.threads != 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  const auto threads = static_cast<unsigned>(std::min<size_t>(cores, paths.size()));
  if (threads <= 1) {
    // One file at a time: its samples may be checked on every core.
    LoadOptions one_at_a_time = options;
    one_at_a_time.decode_threads = std::max(options.decode_threads, cores);
    for (size_t i = 0; i < paths.size(); ++i) {
      ASSIGN_OR_RETURN(std::vector<Profile> p, LoadCaptures(paths[i], one_at_a_time, expected(i)));
      RETURN_IF_ERROR(consume_all(i, std::move(p)));
    }
    return Status();
  }
  std::atomic<size_t> next{0};
  std::mutex mu;
  std::condition_variable turn_changed;
  size_t turn = 0;  // the index whose profile is consumed next
  Status first_error;
  auto worker = [&] {
    while (true) {
      size_t i = next.fetch_add(1);
      if (i >= paths.size()) return;
      {
        std::lock_guard lock(mu);
        if (!first_error.ok()) return;
      }
      StatusOr<std::vector<Profile>> loaded = Status::InputError(paths[i] + ": not read");
      try {
        loaded = LoadCaptures(paths[i], options, expected(i));
      } catch (const std::bad_alloc&) {  // said, not an abort on this thread
        loaded = Status::InputError(fmt::format("{}: out of memory while reading it", paths[i]));
      }
      std::unique_lock lock(mu);
      // Until its turn, this thread checks the samples the decoder left to
      // check (LoadOptions::check_samples_in_fold) of a profile small enough
      // (check_while_waiting_up_to), a slice at a time: the fold checks
      // only those left when its turn comes.
      while (turn != i && first_error.ok() && loaded.ok()) {
        Profile* unchecked = FirstUnchecked(*loaded, options.check_while_waiting_up_to);
        if (unchecked == nullptr) break;
        lock.unlock();
        Status checked = CheckSamplesOrSayOutOfMemory(*unchecked, paths[i]);
        lock.lock();
        if (!checked.ok()) loaded = checked;
      }
      turn_changed.wait(lock, [&] { return turn == i || !first_error.ok(); });
      if (!first_error.ok()) return;
      // Consume without the lock: it is this profile's turn, so no other
      // consume can start, and the other threads must be free to take the
      // next file meanwhile (holding the lock here made them wait for it).
      lock.unlock();
      Status status;
      try {
        status = loaded.ok() ? consume_all(i, std::move(loaded).value()) : loaded.status();
      } catch (const std::bad_alloc&) {
        status = Status::InputError(fmt::format("{}: out of memory while folding it", paths[i]));
      }
      lock.lock();
      if (!status.ok()) first_error = status;
      ++turn;
      turn_changed.notify_all();
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  return first_error;
}

}  // namespace pprof_trend
