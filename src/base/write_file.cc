#include "base/write_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <streambuf>
#include <vector>

namespace pprof_trend {

namespace {

// A std::streambuf that writes to a file descriptor through a 64 KiB buffer
// and remembers the first write error.
class FdStreamBuf : public std::streambuf {
 public:
  explicit FdStreamBuf(int fd) : fd_(fd), buffer_(size_t{1} << 16) {
    setp(buffer_.data(), buffer_.data() + buffer_.size());
  }
  int error() const { return error_; }

 protected:
  int_type overflow(int_type c) override {
    if (!Drain()) return traits_type::eof();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }
  int sync() override { return Drain() ? 0 : -1; }

 private:
  bool Drain() {
    const char* data = pbase();
    size_t size = static_cast<size_t>(pptr() - pbase());
    while (size > 0 && error_ == 0) {
      ssize_t n = ::write(fd_, data, size);
      if (n < 0) {
        if (errno != EINTR) error_ = errno;
        continue;
      }
      if (n == 0) {  // no progress and no error: give up rather than spin
        error_ = EIO;
        continue;
      }
      data += n;
      size -= static_cast<size_t>(n);
    }
    setp(buffer_.data(), buffer_.data() + buffer_.size());
    return error_ == 0;
  }

  int fd_;
  std::vector<char> buffer_;
  int error_ = 0;
};

// An unnamed file in the directory of `path` (O_TMPFILE), or -1 where the
// file system has none.
int OpenUnnamed(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  return ::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
}

// Gives the unnamed file `fd` a fresh name beside `path`, returned.
StatusOr<std::string> NameUnnamed(int fd, const std::string& path) {
  const std::string proc = fmt::format("/proc/self/fd/{}", fd);
  std::random_device random;
  for (int tries = 0; tries < 100; ++tries) {
    std::string name = fmt::format("{}.tmp.{:08x}", path, random());
    if (::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, name.c_str(), AT_SYMLINK_FOLLOW) == 0) return name;
    if (errno != EEXIST) break;
  }
  return Status::InputError(fmt::format("{}: cannot name the written file: {}", path, std::strerror(errno)));
}

}  // namespace

Status WriteFileAtomically(const std::string& path, const std::function<void(std::ostream&)>& produce) {
  // Written unnamed where the file system allows (a run killed while writing
  // leaves nothing behind), named only for the instant before the rename;
  // else as a named temporary file, removed on every way out but a kill.
  int fd = OpenUnnamed(path);
  const bool unnamed = fd >= 0;
  std::string temp_name = path + ".tmp.XXXXXX";
  std::vector<char> temp(temp_name.begin(), temp_name.end());
  temp.push_back('\0');
  if (!unnamed) fd = ::mkstemp(temp.data());
  if (fd < 0) return Status::InputError(fmt::format("{}: cannot create: {}", path, std::strerror(errno)));
  auto remove_temp = [&] {
    if (!unnamed) ::unlink(temp.data());
  };
  auto fail = [&](const char* what, int err) {
    ::close(fd);
    remove_temp();
    return Status::InputError(fmt::format("{}: cannot {}: {}", path, what, std::strerror(err)));
  };
  {
    FdStreamBuf buffer(fd);
    std::ostream out(&buffer);
    try {
      produce(out);
    } catch (...) {  // no temporary file is left behind, whatever happens
      ::close(fd);
      remove_temp();
      throw;
    }
    out.flush();
    if (buffer.error() != 0) return fail("write", buffer.error());
  }
  if (::fchmod(fd, 0644) != 0) return fail("set permissions of", errno);
  if (::fsync(fd) != 0) return fail("sync", errno);
  if (unnamed) {
    auto name = NameUnnamed(fd, path);
    if (!name.ok()) {
      ::close(fd);
      return name.status();
    }
    temp.assign(name->begin(), name->end());
    temp.push_back('\0');
  }
  if (::close(fd) != 0) {
    int err = errno;
    ::unlink(temp.data());
    return Status::InputError(fmt::format("{}: cannot close: {}", path, std::strerror(err)));
  }
  if (std::rename(temp.data(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(temp.data());
    return Status::InputError(fmt::format("{}: cannot rename into place: {}", path, std::strerror(err)));
  }
  return Status();
}

Status WriteFileAtomically(const std::string& path, std::string_view content) {
  return WriteFileAtomically(
      path, [&](std::ostream& out) { out.write(content.data(), static_cast<std::streamsize>(content.size())); });
}

}  // namespace pprof_trend
