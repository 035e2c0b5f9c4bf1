// Builds the body of a kPullReply (layout: wire/codec.h) from the agent's tables into a buffer
// the agent maps for itself: stats, the trie nodes created since `node_cursor`, and every site
// with its counters and live-bytes-by-age. Age buckets and the oldest live allocation are
// computed here, at pull time, from a scan of the live table (and the region table): exact, and
// free for the hot path, at O(live allocations) per pull (measured: ~20 ms per million
// live allocations, bench_agent_footprint).
//
//   PullBuffer buf; uint32_t cursor = 1;
//   if (encode_pull(&buf, &cursor)) send(buf.data, buf.length);
//
// Thread-safety: called only from the agent's socket thread.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace memlens::agent {

struct PullBuffer {
  uint8_t* data = nullptr;
  size_t length = 0, capacity = 0;
};

// Advances *node_cursor past the nodes it encoded. False when memory could not be mapped.
[[nodiscard]] bool encode_pull(PullBuffer* out, uint32_t* node_cursor);
// Fills the stats record alone (also used by the hello and error paths).
void fill_stats(void* stats_record);

}  // namespace memlens::agent
