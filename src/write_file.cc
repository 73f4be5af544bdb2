#include "write_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fmt/format.h>
#include <vector>

namespace pprof_trend {

Status WriteFileAtomically(const std::string& path, std::string_view content) {
  std::string temp_name = path + ".tmp.XXXXXX";
  std::vector<char> temp(temp_name.begin(), temp_name.end());
  temp.push_back('\0');
  int fd = ::mkstemp(temp.data());
  if (fd < 0) return Status::InputError(fmt::format("{}: cannot create: {}", path, std::strerror(errno)));
  auto fail = [&](const char* what) {
    int err = errno;
    ::close(fd);
    ::unlink(temp.data());
    return Status::InputError(fmt::format("{}: cannot {}: {}", path, what, std::strerror(err)));
  };
  size_t written = 0;
  while (written < content.size()) {
    ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("write");
    }
    written += static_cast<size_t>(n);
  }
  if (::fchmod(fd, 0644) != 0) return fail("set permissions of");
  if (::fsync(fd) != 0) return fail("sync");
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

}  // namespace pprof_trend
