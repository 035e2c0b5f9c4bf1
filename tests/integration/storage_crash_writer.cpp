// A small recorder for the crash test: writes one snapshot (and a few sites) per interval
// through StoreWriter, exactly as the session recorder does, and after each committed flush
// prints "committed N" so the test knows what must survive a SIGKILL.
//
//   storage_crash_writer DIR INTERVAL_MS
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "base/clock.h"
#include "storage/store_writer.h"

using namespace memlens;

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: storage_crash_writer DIR INTERVAL_MS\n");
    return 2;
  }
  storage::WriterOptions options;
  options.store.directory = argv[1];
  const long interval_ms = std::strtol(argv[2], nullptr, 10);
  storage::StoreWriter writer(
      options, {getpid(), "storage_crash_writer", base::wall_ms(), interval_ms, true, "{}"});
  int64_t committed = 0;
  for (uint64_t i = 1;; ++i) {
    storage::RecordBatch batch;
    Snapshot s;
    s.timestamp = base::wall_ms();
    s.rss = (64ull << 20) + i * 4096;
    s.heap_total = s.rss / 2;
    s.heap_used = s.rss / 3;
    s.compute_derived();
    batch.snapshots.push_back(s);
    for (uint64_t k = 1; k <= 5; ++k) {
      SymbolizedSite site;
      site.sample.site_id = k;
      site.sample.live_bytes = i * k * 100;
      site.sample.allocations = i * k;
      site.frames.push_back({0x1000 + k, "site_" + std::to_string(k), "", 0, "w", "", false});
      batch.sites.push_back(std::move(site));
    }
    writer.add(std::move(batch));
    if (writer.flush(base::wall_ms())) {
      committed = static_cast<int64_t>(i);
      std::printf("committed %lld\n", static_cast<long long>(committed));
      std::fflush(stdout);
    }
    ::usleep(static_cast<useconds_t>(interval_ms * 1000));
  }
}
