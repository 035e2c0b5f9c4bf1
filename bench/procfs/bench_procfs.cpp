// procfs benchmarks. Each prints its figure beside the floor measured in the same loop
// (interleaved, so load on the machine hits both alike):
//  - CheapSnapshot: Sampler::cheap() on a small process vs pread of already-open statm+status
//    (and syscalls_us: the status pread + fd listing cheap() makes, without any parsing).
//  - SmapsParse: read + parse of smaps (2,000 mappings) vs merely reading it (the kernel's cost).
//  - FullPass: Sampler::full() on that target (smaps, rollup, 1,000 descriptors), for scale.
//  - ClassifyDescriptors: FdDirectory::classify() of 1,000 fds vs readlinkat of each (kernel).
//  - Limits: cgroup memory.* + /proc/meminfo reads, which decide SamplerOptions::limits_every.
// Reported time is ours (manual, wall). Counters: ours/floor in this thread's CPU time (user +
// kernel on our behalf; ratio_cpu, the figure to judge) and in wall time (ratio_wall).
#include <benchmark/benchmark.h>
#include <dirent.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "base/clock.h"
#include "bench_targets.h"
#include "procfs/cgroup_reader.h"
#include "procfs/fd_directory.h"
#include "procfs/meminfo.h"
#include "procfs/proc_file.h"
#include "procfs/sampler.h"
#include "procfs/smaps_parser.h"

namespace memlens::bench {
namespace {

using procfs::Sampler;

std::unique_ptr<BenchTarget> g_small, g_large;

std::string proc(pid_t pid, const char* file) {
  return "/proc/" + std::to_string(pid) + "/" + file;
}

// Both clocks at once: wall time is what a caller waits; this thread's CPU time (user + the
// kernel work done on its behalf, e.g. generating smaps) is what the ratios use, because on
// a loaded machine wall time also counts the time other processes held the CPU.
struct Stamp {
  int64_t wall = 0, cpu = 0;
  static Stamp now() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return {base::mono_ns(), static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec};
  }
};

struct Tally {
  int64_t wall = 0, cpu = 0;
  void add(const Stamp& a, const Stamp& b) {
    wall += b.wall - a.wall;
    cpu += b.cpu - a.cpu;
  }
};

void report(benchmark::State& state, const Tally& ours, const Tally& floor,
            const char* floor_label) {
  double n = static_cast<double>(state.iterations());
  state.counters["ours_cpu_us"] = ours.cpu / n / 1000.0;
  state.counters["floor_cpu_us"] = floor.cpu / n / 1000.0;
  state.counters["ratio_cpu"] = floor.cpu > 0 ? static_cast<double>(ours.cpu) / floor.cpu : 0;
  state.counters["ours_wall_us"] = ours.wall / n / 1000.0;
  state.counters["floor_wall_us"] = floor.wall / n / 1000.0;
  state.counters["ratio_wall"] = floor.wall > 0 ? static_cast<double>(ours.wall) / floor.wall : 0;
  state.SetLabel(floor_label);
}

void BM_CheapSnapshot(benchmark::State& state) {
  auto sampler = Sampler::open(g_small->pid());
  if (!sampler) return state.SkipWithError(sampler.error().message.c_str());
  base::UniqueFd statm = procfs::open_readonly(proc(g_small->pid(), "statm"));
  base::UniqueFd status = procfs::open_readonly(proc(g_small->pid(), "status"));
  base::UniqueFd fd_dir(::open(proc(g_small->pid(), "fd").c_str(), O_RDONLY | O_DIRECTORY));
  std::string buf;
  std::vector<char> dents(32 * 1024);
  Tally ours, floor, syscalls;
  for (auto _ : state) {
    Stamp t0 = Stamp::now();
    (void)procfs::pread_whole(statm.get(), buf, true);
    (void)procfs::pread_whole(status.get(), buf, true);
    Stamp t1 = Stamp::now();
    auto snap = sampler->cheap();
    Stamp t2 = Stamp::now();
    // The syscalls cheap() itself makes, without parsing: status + listing /proc/PID/fd.
    (void)procfs::pread_whole(status.get(), buf, true);
    lseek(fd_dir.get(), 0, SEEK_SET);
    while (getdents64(fd_dir.get(), dents.data(), dents.size()) > 0) {
    }
    Stamp t3 = Stamp::now();
    if (!snap) return state.SkipWithError(snap.error().message.c_str());
    benchmark::DoNotOptimize(snap->rss);
    floor.add(t0, t1);
    ours.add(t1, t2);
    syscalls.add(t2, t3);
    state.SetIterationTime((t2.wall - t1.wall) / 1e9);
  }
  report(state, ours, floor, "floor: pread statm+status (open fds)");
  state.counters["syscalls_cpu_us"] =
      syscalls.cpu / static_cast<double>(state.iterations()) / 1000.0;
}
BENCHMARK(BM_CheapSnapshot)->UseManualTime()->MinTime(1.0);

void BM_SmapsParse(benchmark::State& state) {
  base::UniqueFd fd = procfs::open_readonly(proc(g_large->pid(), "smaps"));
  std::string buf;
  procfs::SmapsParser parser;
  Tally ours, floor;
  size_t mappings = 0;
  for (auto _ : state) {
    Stamp t0 = Stamp::now();
    (void)procfs::pread_whole(fd.get(), buf);
    Stamp t1 = Stamp::now();
    (void)procfs::pread_whole(fd.get(), buf);
    base::Status st = parser.parse(buf);
    benchmark::DoNotOptimize(parser.breakdown());
    benchmark::DoNotOptimize(parser.files());
    Stamp t2 = Stamp::now();
    if (!st) return state.SkipWithError(st.error().message.c_str());
    mappings = parser.mappings().size();
    floor.add(t0, t1);
    ours.add(t1, t2);
    state.SetIterationTime((t2.wall - t1.wall) / 1e9);
  }
  report(state, ours, floor, "floor: read smaps into a buffer");
  state.counters["mappings"] = static_cast<double>(mappings);
  state.counters["smaps_KiB"] = buf.size() / 1024.0;
}
BENCHMARK(BM_SmapsParse)->UseManualTime()->MinTime(2.0);

void BM_FullPass(benchmark::State& state) {
  auto sampler = Sampler::open(g_large->pid());
  if (!sampler) return state.SkipWithError(sampler.error().message.c_str());
  uint32_t fds = 0;
  for (auto _ : state) {
    auto pass = sampler->full();
    if (!pass) return state.SkipWithError(pass.error().message.c_str());
    fds = pass->descriptors.total;
  }
  state.counters["descriptors"] = fds;
}
BENCHMARK(BM_FullPass)->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_ClassifyDescriptors(benchmark::State& state) {
  auto dir = procfs::FdDirectory::open("/proc", g_large->pid());
  if (!dir) return state.SkipWithError(dir.error().message.c_str());
  base::UniqueFd raw(::open(dir->path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  std::vector<std::string> names;
  if (DIR* d = fdopendir(::dup(raw.get()))) {
    while (dirent* e = readdir(d))
      if (e->d_name[0] != '.') names.emplace_back(e->d_name);
    closedir(d);
  }
  char target[4096];
  Tally ours, floor;
  uint32_t total = 0;
  for (auto _ : state) {
    Stamp t0 = Stamp::now();
    for (const std::string& n : names)
      benchmark::DoNotOptimize(readlinkat(raw.get(), n.c_str(), target, sizeof target));
    Stamp t1 = Stamp::now();
    auto g = dir->classify();
    benchmark::DoNotOptimize(g);
    if (g) benchmark::DoNotOptimize(g->groups());
    Stamp t2 = Stamp::now();
    if (!g) return state.SkipWithError(g.error().message.c_str());
    total = g->counts().total;
    floor.add(t0, t1);
    ours.add(t1, t2);
    state.SetIterationTime((t2.wall - t1.wall) / 1e9);
  }
  report(state, ours, floor, "floor: readlinkat of every fd");
  state.counters["descriptors"] = total;
}
BENCHMARK(BM_ClassifyDescriptors)->UseManualTime()->MinTime(2.0);

void BM_Limits(benchmark::State& state) {
  base::UniqueFd meminfo = procfs::open_readonly("/proc/meminfo");
  auto cg = procfs::CgroupReader::open(g_small->pid());
  std::string buf;
  for (auto _ : state) {
    (void)procfs::pread_whole(meminfo.get(), buf);
    benchmark::DoNotOptimize(procfs::parse_meminfo(buf));
    if (cg) benchmark::DoNotOptimize(cg->read());
  }
  state.SetLabel(cg ? (cg->v2() ? "meminfo + cgroup v2" : "meminfo + cgroup v1") : "meminfo only");
}
BENCHMARK(BM_Limits)->MinTime(1.0);

}  // namespace
}  // namespace memlens::bench

int main(int argc, char** argv) {
  using memlens::bench::BenchTarget;
  memlens::bench::g_small = std::make_unique<BenchTarget>(0, 0);
  memlens::bench::g_large = std::make_unique<BenchTarget>(2000, 1000);
  if (!memlens::bench::g_small->ok() || !memlens::bench::g_large->ok()) return 1;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  memlens::bench::g_small.reset();
  memlens::bench::g_large.reset();
  return 0;
}
