// Reading /proc and /sys files without stdio: open once, pread from offset 0 each time.
// seq_file-backed /proc files regenerate their text on a read at offset 0, so one open
// descriptor serves every sample. Functions are thread-safe on distinct buffers.
//
//   base::UniqueFd fd = open_readonly("/proc/123/status");
//   base::Status st = pread_whole(fd.get(), buf);  // buf holds the current text
#pragma once

#include <string>

#include "base/result.h"
#include "base/unique_fd.h"

namespace memlens::procfs {

base::UniqueFd open_readonly(const std::string& path);

// Replaces `buf` with the whole file read from offset 0. Keeps buf's capacity across calls and
// grows it for large files (smaps). Error carries errno (ESRCH once the process is gone).
// `single_record`: the file is one seq_file record (status, statm, meminfo, cgroup values),
// which the kernel returns whole in one read when it fits, so a read that does not fill the
// buffer is the end and the second, empty read is saved. Not for smaps or net tables, whose
// reads stop at the kernel's page-sized buffer.
base::Status pread_whole(int fd, std::string& buf, bool single_record = false);

// open_readonly + pread_whole, for files read once.
base::Status read_file(const std::string& path, std::string& buf);

}  // namespace memlens::procfs
