// Encoding and decoding of protocol.h messages over flat byte buffers, without allocation, so the
// agent (no libstdc++, no malloc on its side) and the monitor share one implementation.
//
// Byte layout of a kPullReply body (all little-endian, no gaps between parts):
//   offset 0                       StatsRecord (112 bytes)
//   offset 112                     PullCounts  (8 bytes: node_count u32, site_count u32)
//   offset 120                     node_count x NodeRecord (16 bytes: id u32, parent u32, ip u64)
//   offset 120 + 16*node_count     site_count x SiteRecord (112 bytes, see protocol.h)
// parse_pull() accepts a body only if its length is exactly that sum.
//
//   ByteWriter w{buf, cap};
//   w.put(header); w.put(stats);            // w.ok() false when cap was too small
//   PullView v;
//   if (parse_pull(body, len, &v)) for (uint32_t i = 0; i < v.counts.node_count; ++i) v.node(i);
//
// Thread-safety: stateless functions; writer/reader objects are single-thread values.
#pragma once

#include <string.h>

#include "wire/protocol.h"

namespace memlens::wire {

struct ByteWriter {
  uint8_t* data;
  size_t capacity;
  size_t length = 0;
  bool overflow = false;

  template <typename T>
  void put(const T& value) {
    put_bytes(&value, sizeof(T));
  }
  void put_bytes(const void* p, size_t n) {
    if (overflow || capacity - length < n) {
      overflow = true;
      return;
    }
    memcpy(data + length, p, n);
    length += n;
  }
  bool ok() const { return !overflow; }
};

struct ByteReader {
  const uint8_t* data;
  size_t length;
  size_t pos = 0;

  template <typename T>
  [[nodiscard]] bool get(T* out) {
    if (length - pos < sizeof(T)) return false;
    memcpy(out, data + pos, sizeof(T));
    pos += sizeof(T);
    return true;
  }
  size_t remaining() const { return length - pos; }
};

inline FrameHeader make_header(MsgType type, uint32_t body_length, uint32_t seq) {
  FrameHeader h{};
  h.magic = kMagic;
  h.version = kVersion;
  h.type = static_cast<uint16_t>(type);
  h.length = body_length;
  h.seq = seq;
  return h;
}

// Why a header is unacceptable, or nullptr when it is fine.
inline const char* check_header(const FrameHeader& h) {
  if (h.magic != kMagic) return "bad magic";
  if (h.version != kVersion) return "protocol version mismatch";
  if (h.length > kMaxBodyBytes) return "message too large";
  return nullptr;
}

inline size_t pull_body_size(uint32_t node_count, uint32_t site_count) {
  return sizeof(StatsRecord) + sizeof(PullCounts) + size_t{node_count} * sizeof(NodeRecord) +
         size_t{site_count} * sizeof(SiteRecord);
}

// A decoded kPullReply body; node()/site() copy records out of the underlying buffer.
struct PullView {
  StatsRecord stats;
  PullCounts counts;
  const uint8_t* nodes;
  const uint8_t* sites;

  NodeRecord node(uint32_t i) const {
    NodeRecord r;
    memcpy(&r, nodes + size_t{i} * sizeof(NodeRecord), sizeof r);
    return r;
  }
  SiteRecord site(uint32_t i) const {
    SiteRecord r;
    memcpy(&r, sites + size_t{i} * sizeof(SiteRecord), sizeof r);
    return r;
  }
};

[[nodiscard]] inline bool parse_pull(const uint8_t* body, size_t length, PullView* out) {
  ByteReader r{body, length};
  if (!r.get(&out->stats) || !r.get(&out->counts)) return false;
  if (length != pull_body_size(out->counts.node_count, out->counts.site_count)) return false;
  out->nodes = body + r.pos;
  out->sites = out->nodes + size_t{out->counts.node_count} * sizeof(NodeRecord);
  return true;
}

}  // namespace memlens::wire
