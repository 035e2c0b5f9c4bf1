// Helpers for the storage tests: a scratch directory, a private mount namespace for tmpfs
// mounts, and model values with recognisable contents.
#pragma once

#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "memlens/site.h"
#include "memlens/snapshot.h"
#include "storage/session_store.h"

namespace memlens::storage::testing {

// A fresh directory under /tmp, removed (with anything mounted on it unmounted) at the end.
class ScratchDir {
 public:
  ScratchDir() {
    std::string tmpl = "/tmp/memlens-storage-XXXXXX";
    char* p = ::mkdtemp(tmpl.data());
    path_ = p ? p : "";
  }
  ~ScratchDir() {
    ::umount2((path_ + "/mnt").c_str(), MNT_DETACH);
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Moves this test process into its own mount namespace, so tmpfs mounts vanish with it even
// if the test dies. Returns an empty string on success, else why it is unavailable.
inline std::string enter_private_mounts() {
  static std::string result = [] {
    if (::unshare(CLONE_NEWNS) != 0)
      return std::string("unshare(CLONE_NEWNS) failed: ") + std::strerror(errno);
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
      return std::string("making / private failed: ") + std::strerror(errno);
    return std::string();
  }();
  return result;
}

// Mounts a tmpfs of `size` (e.g. "256k") at dir; empty string on success, else the reason.
inline std::string mount_tmpfs(const std::string& dir, const std::string& size) {
  if (auto why = enter_private_mounts(); !why.empty()) return why;
  std::filesystem::create_directories(dir);
  std::string opts = "size=" + size + ",mode=0755";
  if (::mount("tmpfs", dir.c_str(), "tmpfs", 0, opts.c_str()) != 0)
    return std::string("mount -t tmpfs failed: ") + std::strerror(errno);
  return {};
}

inline bool remount(const std::string& dir, bool read_only) {
  unsigned long flags = MS_REMOUNT | (read_only ? MS_RDONLY : 0);
  return ::mount(nullptr, dir.c_str(), nullptr, flags, nullptr) == 0;
}

inline Snapshot make_snapshot(int64_t ts, uint64_t rss, bool full_pass = false) {
  Snapshot s;
  s.timestamp = ts;
  s.rss = rss;
  s.heap_total = rss / 2;
  s.heap_used = rss / 3;
  s.heap_source = HeapSource::kAgent;
  s.pss = rss - 4096;
  s.vm_size = rss * 4;
  s.threads = 3;
  s.descriptors.total = 7;
  s.descriptors.classified = true;
  s.descriptors[DescriptorKind::kTcp] = 2;
  s.descriptors[DescriptorKind::kFile] = 5;
  s.mem_available = 8ull << 30;
  s.capture_us = 120;
  s.full_pass = full_pass;
  if (full_pass) {
    auto d = std::make_shared<SnapshotDetail>();
    d->breakdown.heap = rss / 2;
    d->breakdown.file = rss / 4;
    d->breakdown.mapping_count = 40;
    d->files.push_back({"/usr/lib/libc.so.6", 1 << 20, 1 << 19, 2 << 20, true, false});
    d->descriptors.push_back({DescriptorKind::kTcp, "TCP 127.0.0.1:5432", 2});
    d->smaps_timestamp_ms = ts;
    s.detail = d;
  }
  s.compute_derived();
  return s;
}

inline SymbolizedSite make_site(uint64_t id, uint64_t live_bytes, uint64_t allocations) {
  SymbolizedSite site;
  site.sample.site_id = id;
  site.sample.buffer_type = BufferType::kNew;
  site.sample.live_bytes = live_bytes;
  site.sample.live_count = allocations / 2;
  site.sample.allocations = allocations;
  site.sample.frees = allocations - allocations / 2;
  site.sample.allocated_bytes = live_bytes * 2;
  site.sample.first_seen = 1000;
  site.sample.oldest_live = 1500;
  site.sample.live_by_age = {1, 2, 3, 4};
  site.frames.push_back({0x401000 + id, "Cache::insert(std::string const&)", "src/cache.cpp", 212,
                         "app", "/opt/app", false, 0x1000 + id, true});
  site.frames.push_back(
      {0x402000, "main", "src/main.cpp", 9, "app", "/opt/app", false, 0x2000, true});
  return site;
}

inline StoreOptions options_for(const std::string& dir) {
  StoreOptions o;
  o.directory = dir;
  o.on_notice = [](const std::string&) {};
  return o;
}

}  // namespace memlens::storage::testing
