#include "procfs/proc_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace memlens::procfs {

base::UniqueFd open_readonly(const std::string& path) {
  return base::UniqueFd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
}

base::Status pread_whole(int fd, std::string& buf, bool single_record) {
  if (buf.capacity() < 4096) buf.reserve(4096);
  buf.resize(buf.capacity());
  size_t used = 0;
  for (;;) {
    if (used == buf.size()) buf.resize(buf.size() * 2);
    ssize_t n = ::pread(fd, buf.data() + used, buf.size() - used, static_cast<off_t>(used));
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      buf.clear();
      return base::Error{std::string("read failed: ") + std::strerror(err), err};
    }
    if (n == 0) break;
    used += static_cast<size_t>(n);
    if (single_record && used < buf.size()) break;
  }
  buf.resize(used);
  return {};
}

base::Status read_file(const std::string& path, std::string& buf) {
  base::UniqueFd fd = open_readonly(path);
  if (!fd) {
    int err = errno;
    return base::Error{"cannot open " + path + ": " + std::strerror(err), err};
  }
  base::Status st = pread_whole(fd.get(), buf);
  if (!st)
    return base::Error{"cannot read " + path + ": " + std::strerror(st.error().code),
                       st.error().code};
  return {};
}

}  // namespace memlens::procfs
