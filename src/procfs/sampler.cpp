#include "procfs/sampler.h"

#include <fcntl.h>

#include <cerrno>
#include <cstring>

#include "base/clock.h"
#include "procfs/meminfo.h"
#include "procfs/proc_file.h"
#include "procfs/smaps_rollup.h"
#include "procfs/status.h"

namespace memlens::procfs {

namespace {

bool is_permission(int err) {
  return err == EACCES || err == EPERM;
}
bool is_gone(int err) {
  return err == ESRCH || err == ENOENT;
}

uint32_t elapsed_us(int64_t since_ns) {
  int64_t us = (base::mono_ns() - since_ns) / 1000;
  return us < 0 ? 0 : static_cast<uint32_t>(us);
}

}  // namespace

base::Result<Sampler> Sampler::open(pid_t pid, SamplerOptions options) {
  Sampler s;
  s.pid_ = pid;
  s.options_ = std::move(options);
  s.dir_ = s.options_.proc_root + "/" + std::to_string(pid);
  std::string pid_text = std::to_string(pid);
  if (pid <= 0) return base::Error{"no process with PID " + pid_text, ESRCH};
  struct Wanted {
    const char* name;
    base::UniqueFd* fd;
  };
  const Wanted wanted[] = {{"status", &s.status_fd_},
                           {"statm", &s.statm_fd_},
                           {"smaps", &s.smaps_fd_},
                           {"smaps_rollup", &s.rollup_fd_}};
  for (const Wanted& w : wanted) {
    *w.fd = open_readonly(s.dir_ + "/" + w.name);
    if (*w.fd) continue;
    int err = errno;
    if (is_gone(err)) return base::Error{"no process with PID " + pid_text, ESRCH};
    if (is_permission(err)) return s.read_error(w.name, base::Error{"", err});
    return base::Error{"cannot open " + s.dir_ + "/" + w.name + ": " + std::strerror(err), err};
  }
  base::Result<FdDirectory> fds = FdDirectory::open(s.options_.proc_root, pid);
  if (!fds) {
    int err = fds.error().code;
    if (is_gone(err)) return base::Error{"no process with PID " + pid_text, ESRCH};
    if (is_permission(err)) return s.read_error("fd", fds.error());
    return fds.error();
  }
  s.fds_.emplace(std::move(*fds));
  s.meminfo_fd_ = open_readonly(s.options_.proc_root + "/meminfo");
  if (auto cg = CgroupReader::open(pid, s.options_.proc_root, s.options_.cgroup_root))
    s.cgroup_reader_.emplace(std::move(*cg));
  return s;
}

base::Error Sampler::exited() const {
  return base::Error{"process " + std::to_string(pid_) + " exited", ESRCH};
}

base::Error Sampler::read_error(const char* file, const base::Error& e) const {
  if (is_gone(e.code)) return exited();
  if (is_permission(e.code))
    return base::Error{"permission denied reading " + dir_ + "/" + file +
                           ": run memlens as the target's user or as root",
                       e.code};
  return base::Error{"cannot read " + dir_ + "/" + file + ": " + std::strerror(e.code), e.code};
}

void Sampler::read_limits() {
  limits_error_.clear();
  if (meminfo_fd_) {
    base::Status st = pread_whole(meminfo_fd_.get(), buf_, true);
    base::Result<MemInfo> m = st ? parse_meminfo(buf_) : base::Result<MemInfo>(st.error());
    if (m) {
      mem_available_ = m->mem_available;
    } else {
      limits_error_ = "/proc/meminfo: " + m.error().message;
    }
  }
  if (cgroup_reader_) {
    // A cgroup that vanished (the target moved, the group was removed) loses the figures,
    // not the snapshot; the reason stays readable through limits_error().
    base::Result<CgroupMemory> cg = cgroup_reader_->read();
    if (cg) {
      cgroup_ = *cg;
    } else {
      cgroup_.reset();
      limits_error_ = cg.error().message;
    }
  }
}

base::Result<Snapshot> Sampler::sample_status() {
  base::Status st = pread_whole(status_fd_.get(), buf_, true);
  if (!st) return read_error("status", st.error());
  base::Result<StatusInfo> info = parse_status(buf_);
  if (!info) return base::Error{dir_ + "/" + info.error().message, info.error().code};
  // A zombie keeps its status file but no memory: report the exit, not zeros.
  if (info->state == 'Z' || info->state == 'X' || buf_.empty()) return exited();
  Snapshot s;
  s.rss = info->vm_rss;
  s.vm_size = info->vm_size;
  s.vm_hwm = info->vm_hwm;
  s.rss_anon = info->rss_anon;
  s.rss_file = info->rss_file;
  s.rss_shmem = info->rss_shmem;
  s.swap = info->vm_swap;
  s.threads = info->threads;
  return s;
}

void Sampler::apply_heap(Snapshot& s) const {
  std::optional<HeapFigures> exact = heap_fn_ ? heap_fn_() : std::nullopt;
  if (exact) {
    s.heap_total = exact->heap_total;
    s.heap_used = exact->heap_used;
    s.heap_source = exact->source;
  } else {
    s.heap_total = s.heap_used = heap_estimate_;
    s.heap_source = HeapSource::kEstimate;
  }
  s.compute_derived();
}

base::Result<Snapshot> Sampler::cheap() {
  int64_t t0 = base::mono_ns();
  base::Result<Snapshot> snap = sample_status();
  if (!snap) return snap;
  Snapshot& s = *snap;
  s.timestamp = base::wall_ms();
  base::Result<uint32_t> n = fds_->count();
  if (!n) return read_error("fd", n.error());
  if (*n == 0) {
    // An exiting process drops its descriptor table before it becomes a zombie.
    base::Result<Snapshot> again = sample_status();
    if (!again) return again;
  }
  s.descriptors.total = *n;
  if (options_.limits_every != 0 && cheap_calls_++ % options_.limits_every == 0) read_limits();
  if (pss_ != 0) {
    s.pss = pss_;
    s.swap = swap_;
  }
  s.cgroup = cgroup_;
  s.mem_available = mem_available_;
  s.detail = detail_;
  apply_heap(s);
  s.capture_us = elapsed_us(t0);
  return snap;
}

base::Result<FullPass> Sampler::full() {
  int64_t t0 = base::mono_ns();
  FullPass pass;
  base::Status st = pread_whole(smaps_fd_.get(), smaps_buf_);
  if (!st) return read_error("smaps", st.error());
  if (smaps_buf_.empty()) {
    if (base::Result<Snapshot> alive = sample_status(); !alive) return alive.error();
  }
  st = smaps_.parse(smaps_buf_);
  if (!st) return base::Error{dir_ + "/" + st.error().message, st.error().code};
  auto detail = std::make_shared<SnapshotDetail>();
  detail->breakdown = smaps_.breakdown();
  detail->files = smaps_.files();
  detail->smaps_timestamp_ms = base::wall_ms();

  st = pread_whole(rollup_fd_.get(), buf_);
  if (!st) return read_error("smaps_rollup", st.error());
  if (!buf_.empty()) {
    base::Result<SmapsRollup> rollup = parse_smaps_rollup(buf_);
    if (!rollup) return base::Error{dir_ + "/" + rollup.error().message, rollup.error().code};
    pass.pss = rollup->pss;
    pass.swap = rollup->swap;
  }

  base::Result<DescriptorGrouper> grouper = fds_->classify();
  if (!grouper) return read_error("fd", grouper.error());
  pass.descriptors = grouper->counts();
  detail->descriptors = grouper->groups(options_.descriptor_group_cap);

  read_limits();
  pass.heap_estimate = detail->breakdown.heap;
  pass.detail = std::move(detail);
  pass.cgroup = cgroup_;
  pass.mem_available = mem_available_;
  pass.duration_us = elapsed_us(t0);

  detail_ = pass.detail;
  pss_ = pass.pss;
  swap_ = pass.swap;
  heap_estimate_ = pass.heap_estimate;
  return pass;
}

base::Result<Snapshot> Sampler::full_snapshot() {
  int64_t t0 = base::mono_ns();
  base::Result<FullPass> pass = full();
  if (!pass) return pass.error();
  base::Result<Snapshot> snap = cheap();
  if (!snap) return snap;
  Snapshot& s = *snap;
  s.descriptors = pass->descriptors;
  s.full_pass = true;
  s.capture_us = elapsed_us(t0);
  return snap;
}

}  // namespace memlens::procfs
