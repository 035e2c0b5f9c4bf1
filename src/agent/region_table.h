// RegionTable: tracked memory mappings (anonymous private -> `mmap`; MAP_SHARED, shm, memfd,
// shmat -> `shared`), kept as a sorted array of disjoint [start, start+length) ranges, since
// munmap may cut any part out of one or several of them and mremap may move any part. Mappings
// are rare next to mallocs, so simple memmove-based edits under one lock are enough.
//
// Lengths are the kernel's (page-rounded by the caller). A mapping cut in pieces (a hole punched
// in its middle, a part moved by mremap) remains one allocation: its pieces share an `id`, carry
// kRegionSplit, and exactly one of them is `counted`; when the counted piece goes, the count
// moves to a surviving sibling, so only the last piece to go ends the allocation.
//
//   regions.add({start, len, site, time_s, 1});               // id 0: a fresh allocation id
//   regions.remove_range(addr, len, on_cut, ctx);              // on_cut(ctx, site, bytes, whole)
//   Region held[8];                                            // a call that may fail:
//   uint32_t n = regions.detach(addr, len, held, 8, on_cut, ctx);
//   ok ? regions.settle(held, n, on_cut, ctx) : regions.restore(held, n, on_cut, ctx);
//
// Thread-safety: every call locks the table's spin lock; callbacks run under it and must only
// touch agent counters (atomics).
#pragma once

#include <stdint.h>

#include "agent/sys.h"
#include "wire/protocol.h"

namespace memlens::agent {

constexpr uint32_t kRegionSplit = 1;     // the allocation has (had) more than one piece
constexpr uint32_t kRegionAttached = 2;  // from shmat: shmdt at its start removes the attachment

struct Region {
  uint64_t start, length;
  uint32_t site, time_s;
  uint32_t counted;  // 1: its removal ends one allocation (unless a sibling piece survives)
  uint32_t id;       // the allocation, shared by its pieces; 0 in add(): a fresh id
  uint32_t flags;    // kRegionSplit | kRegionAttached
  uint32_t reserved;
  uint64_t span;  // kRegionAttached: bytes from the attach address that shmdt detaches
};

class RegionTable {
 public:
  // bytes of `site` are gone; `whole`: and with them one allocation.
  using CutFn = void (*)(void* ctx, uint32_t site, uint64_t bytes, bool whole);

  // Callers removed any overlap first.
  [[nodiscard]] bool add(const Region& r);
  // Removes [start, start+length) from every region it touches, reporting each cut.
  void remove_range(uint64_t start, uint64_t length, CutFn fn, void* ctx);
  // Takes [start, start+length) out of the table without accounting for it yet (the pieces, cut
  // to the range, ascending, into out[0..max)); pieces beyond `max` are reported as cut at once.
  // Returns the number of pieces held.
  uint32_t detach(uint64_t start, uint64_t length, Region* out, uint32_t max, CutFn fn, void* ctx);
  // shmdt(start): takes out the pieces of the attachment that begins at `start` (same id, within
  // its span); 0 when no attachment begins there.
  uint32_t detach_attachment(uint64_t start, Region* out, uint32_t max, CutFn fn, void* ctx);
  // The held pieces are gone for good (the call succeeded): report them.
  void settle(const Region* pieces, uint32_t n, CutFn fn, void* ctx);
  // The call failed: the held pieces are mapped still; put them back (reported as cut when the
  // table cannot grow).
  void restore(const Region* pieces, uint32_t n, CutFn fn, void* ctx);
  // A held piece will not come back: true when it ends its allocation (it was counted and no
  // sibling piece is left in the table; else the count moves to a sibling).
  [[nodiscard]] bool ends_allocation(const Region& piece);
  // The region containing addr.
  [[nodiscard]] bool find(uint64_t addr, Region* out);
  // Marks the region starting at `start` as a shmat attachment of `span` bytes.
  void mark_attached(uint64_t start, uint64_t span);
  uint32_t new_id();
  void visit(void (*fn)(void*, const Region&), void* ctx);
  uint64_t memory_bytes() const { return capacity_ * sizeof(Region); }

  void lock() { lock_.lock(); }
  void unlock() { lock_.unlock(); }

 private:
  [[nodiscard]] bool insert_at(uint64_t i, const Region& r);
  void erase_at(uint64_t i);
  uint64_t lower_bound(uint64_t start) const;  // first region with end > start
  uint32_t next_id_locked();
  bool ends_allocation_locked(const Region& piece);
  // Cuts [start, end) out of region i, which overlaps it; the cut piece goes to *piece. Returns
  // the index to look at next.
  uint64_t cut_at(uint64_t i, uint64_t start, uint64_t end, Region* piece, CutFn fn, void* ctx);
  uint32_t hold_or_report(const Region& piece, Region* out, uint32_t n, uint32_t max, CutFn fn,
                          void* ctx);

  SpinLock lock_;
  Region* regions_ = nullptr;
  uint64_t count_ = 0, capacity_ = 0;
  uint32_t last_id_ = 0;
};

// ---- What the mapping hooks call: region edits applied to the site counters -----------------
// (implemented in hooks_mmap.cpp, beside the hooks, so that the table above stays free of the
// agent's global state and can be tested on its own)
// A call that unmaps (munmap, mmap MAP_FIXED, mremap MREMAP_FIXED, shmat SHM_REMAP, shmdt) takes
// the pieces out before the real call, so that an address the kernel hands out again the moment
// it returns never meets a stale region, and accounts for them only once the call succeeded
// (restores them when it failed). Lengths are page-rounded by the hooks. Each function enters
// the re-entry guard itself and never fails the caller: what cannot be kept is counted as gone.
//
//   HeldPieces held;
//   unmap_begin(&held, addr, length);
//   int r = real_munmap(addr, length);
//   unmap_end(&held, r == 0);

constexpr uint32_t kHeldPieces = 16;  // beyond, pieces are accounted as gone before the call

struct HeldPieces {
  uint32_t n;
  Region pieces[kHeldPieces];
};

struct HeldRemap {
  HeldPieces old;      // the pieces of [old_start, old_start + old_length), ascending
  uint64_t old_start;  // mremap's old address
  Region source;       // old_length 0 (a second mapping of shared memory): the region at old
  bool has_source;
};

// A new mapping at p, of `length` bytes, by the current stack. `attached_span` != 0: from shmat.
void note_mapped(void* p, uint64_t length, wire::WireBufferType type, uint64_t attached_span);
void unmap_begin(HeldPieces* h, uint64_t start, uint64_t length);
void detach_begin(HeldPieces* h, uint64_t attach_address);  // shmdt
void unmap_end(HeldPieces* h, bool unmapped);
void remap_begin(HeldRemap* h, uint64_t old, uint64_t old_length);
// result: mremap's return (MAP_FAILED on failure); flags: mremap's.
void remap_end(HeldRemap* h, void* result, uint64_t old_length, uint64_t new_length, int flags);

}  // namespace memlens::agent
