#include "procfs/cgroup_reader.h"

#include <unistd.h>

#include <cerrno>

#include "procfs/cgroup.h"
#include "procfs/proc_file.h"

namespace memlens::procfs {

namespace {

bool exists(const std::string& path) {
  return ::access(path.c_str(), R_OK) == 0;
}

}  // namespace

base::Result<CgroupReader> CgroupReader::open_dir(const std::string& dir) {
  CgroupReader r;
  r.dir_ = dir;
  r.v2_ = exists(dir + "/memory.current");
  const char* names[] = {"memory.current", "memory.max", "memory.events"};
  const char* v1_names[] = {"memory.usage_in_bytes", "memory.limit_in_bytes", "memory.oom_control"};
  base::UniqueFd* fds[] = {&r.current_, &r.max_, &r.events_};
  for (int i = 0; i < 3; ++i) {
    std::string path = dir + "/" + (r.v2_ ? names[i] : v1_names[i]);
    *fds[i] = open_readonly(path);
    if (!*fds[i] && i < 2)
      return base::Error{"no memory cgroup files in " + dir, errno == EACCES ? EACCES : ENOENT};
  }
  if (!r.v2_) r.failcnt_ = open_readonly(dir + "/memory.failcnt");
  return r;
}

base::Result<CgroupReader> CgroupReader::open(pid_t pid, const std::string& proc_root,
                                              const std::string& sys_root) {
  std::string text;
  base::Status st = read_file(proc_root + "/" + std::to_string(pid) + "/cgroup", text);
  if (!st) return st.error();
  if (base::Result<std::string> v2 = parse_cgroup_v2_path(text)) {
    // Pure v2 mounts at the root; hybrid hosts mount it at "unified".
    for (const char* sub : {"", "/unified"}) {
      std::string dir = sys_root + sub + (*v2 == "/" ? "" : *v2);
      if (exists(dir + "/memory.current")) return open_dir(dir);
    }
  }
  if (base::Result<std::string> v1 = parse_cgroup_v1_memory_path(text)) {
    std::string dir = sys_root + "/memory" + (*v1 == "/" ? "" : *v1);
    if (exists(dir + "/memory.usage_in_bytes")) return open_dir(dir);
  }
  return base::Error{"no memory cgroup found for PID " + std::to_string(pid), ENOENT};
}

base::Result<CgroupMemory> CgroupReader::read() {
  CgroupMemory m;
  base::Status st = pread_whole(current_.get(), buf_, true);
  if (!st)
    return base::Error{"cannot read " + dir_ + " usage: " + st.error().message, st.error().code};
  auto current = parse_memory_value(buf_, v2_ ? "memory.current" : "memory.usage_in_bytes");
  if (!current) return current.error();
  m.current = current->value_or(0);
  st = pread_whole(max_.get(), buf_, true);
  if (!st)
    return base::Error{"cannot read " + dir_ + " limit: " + st.error().message, st.error().code};
  auto max = parse_memory_value(buf_, v2_ ? "memory.max" : "memory.limit_in_bytes");
  if (!max) return max.error();
  m.max = *max;
  if (events_ && pread_whole(events_.get(), buf_, true)) {
    st = v2_ ? parse_memory_events(buf_, m) : parse_v1_oom_control(buf_, m);
    if (!st) return st.error();
  }
  if (failcnt_ && pread_whole(failcnt_.get(), buf_, true)) {
    auto failcnt = parse_memory_value(buf_, "memory.failcnt");
    if (failcnt && *failcnt) m.events_max = **failcnt;
  }
  return m;
}

}  // namespace memlens::procfs
