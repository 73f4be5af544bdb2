#include "base/write_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
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

}  // namespace

Status WriteFileAtomically(const std::string& path, const std::function<void(std::ostream&)>& produce) {
  std::string temp_name = path + ".tmp.XXXXXX";
  std::vector<char> temp(temp_name.begin(), temp_name.end());
  temp.push_back('\0');
  int fd = ::mkstemp(temp.data());
  if (fd < 0) return Status::InputError(fmt::format("{}: cannot create: {}", path, std::strerror(errno)));
  auto fail = [&](const char* what, int err) {
    ::close(fd);
    ::unlink(temp.data());
    return Status::InputError(fmt::format("{}: cannot {}: {}", path, what, std::strerror(err)));
  };
  {
    FdStreamBuf buffer(fd);
    std::ostream out(&buffer);
    try {
      produce(out);
    } catch (...) {  // no temporary file is left behind, whatever happens
      ::close(fd);
      ::unlink(temp.data());
      throw;
    }
    out.flush();
    if (buffer.error() != 0) return fail("write", buffer.error());
  }
  if (::fchmod(fd, 0644) != 0) return fail("set permissions of", errno);
  if (::fsync(fd) != 0) return fail("sync", errno);
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
