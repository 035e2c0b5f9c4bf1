#include "analysis/growth_recommendation.h"

#include <fmt/format.h>

namespace memlens::analysis {
namespace {

enum class Family { kHeap, kExternal, kRss, kSockets, kDescriptors, kSite, kOther };

Family family_of(std::string_view m) {
  if (m == "heapUsed" || m == "heapTotal") return Family::kHeap;
  if (m == "external") return Family::kExternal;
  if (m == "rss" || m == "pss") return Family::kRss;
  if (m == "fd.tcp" || m == "fd.udp" || m == "fd.unix" || m == "fd.socket") return Family::kSockets;
  if (m.starts_with("fd.")) return Family::kDescriptors;
  if (m.starts_with("site:")) return Family::kSite;
  return Family::kOther;
}

// What to look at when this metric keeps growing.
std::string_view growth_hint(Family f) {
  switch (f) {
    case Family::kHeap:
      return "Look for an unbounded container or cache (a map, vector or queue that is only "
             "ever inserted into) and give it a size limit or eviction; `memlens run` with the "
             "agent names the allocation site.";
    case Family::kExternal:
      return "The growth is outside the malloc heap: check anonymous mmap() without munmap(), "
             "threads that are created and never joined (their stacks stay), and files mapped "
             "and never unmapped; the report's breakdown shows which mapping class grows.";
    case Family::kRss:
      return "Compare heapUsed and external to see whether the heap or other mappings grow; "
             "`memlens run` with the agent names the allocation site.";
    case Family::kSockets:
      return "Connections are opened and not closed: close() every socket on every path "
             "(errors and timeouts too) or hand them back to a bounded connection pool.";
    case Family::kDescriptors:
      return "Descriptors are opened and not closed: own each one with RAII (a unique_fd, "
             "std::fstream, a FILE* with fclose in a scope guard) and check the error paths.";
    case Family::kSite:
      return "Allocations made at this site are never freed: find the owner that should free "
             "them (a missing delete/free, a cache without eviction, a cycle of shared_ptr).";
    case Family::kOther:
      return "Find what holds on to it and bound it.";
  }
  return "";
}

std::string amount(double v, bool bytes) {
  return bytes ? fmt::format("{:.1f} MB", v) : fmt::format("{:.0f}", v);
}
std::string rate(double v, bool bytes) {
  return bytes ? fmt::format("{:.3f} MB/s", v) : fmt::format("{:.2f}/s", v);
}

}  // namespace

std::string growth_recommendation(std::string_view metric, GrowthCase c, const GrowthFacts& x) {
  const Family fam = family_of(metric);
  const bool b = x.is_bytes;
  switch (c) {
    case GrowthCase::kTooFewPoints:
      return fmt::format(
          "Only {} samples of {} so far: too few to judge its growth; wait for more.", x.points,
          metric);
    case GrowthCase::kFlat:
      return fmt::format("{} is stable; nothing to do.", metric);
    case GrowthCase::kShrinking:
      return fmt::format("{} is shrinking ({} over the window): memory is being returned.", metric,
                         amount(x.total, b));
    case GrowthCase::kWarmUp:
      return fmt::format(
          "{} rose by {} and has been flat for the latter part of the window: a warm-up or a "
          "one-off step (caches, pools, arenas filling), not a leak. Recheck if it starts rising "
          "again.",
          metric, amount(x.total, b));
    case GrowthCase::kChurn:
      return fmt::format(
          "{} goes up and down but its floor stays level: churn, not a leak. If the peaks are too "
          "high, reuse buffers or cap how much is in flight.",
          metric);
    case GrowthCase::kDrift:
      return fmt::format(
          "{}'s floor drifts up slightly ({} over the window), below the leak threshold; keep "
          "watching it over a longer window.",
          metric, amount(x.total, b));
    case GrowthCase::kSpike:
      if (fam == Family::kSockets || fam == Family::kDescriptors)
        return fmt::format(
            "{} jumps by up to {} and comes back: bursts of connections or files. Bound the "
            "concurrency (a pool, a semaphore) if the peaks approach the descriptor limit.",
            metric, amount(x.peak, b));
      return fmt::format(
          "{} spikes by up to {} above its baseline and returns: batch or burst work. Cap the "
          "batch size or stream the input; if RSS stays high after the bursts, malloc_trim() or "
          "a lower M_TRIM_THRESHOLD returns the freed memory.",
          metric, amount(x.peak, b));
    case GrowthCase::kLinear:
      return fmt::format("{} grows steadily at {} ({} over the window). {}", metric,
                         rate(x.rate, b), amount(x.total, b), growth_hint(fam));
    case GrowthCase::kExponential:
      return fmt::format(
          "{} grows faster and faster (now {}): runaway growth such as a queue that is refilled "
          "faster than it drains or buffers that double on every retry. Act before it reaches the "
          "limit. {}",
          metric, rate(x.rate, b), growth_hint(fam));
    case GrowthCase::kLeak:
      return fmt::format(
          "{}'s floor keeps rising ({}, {}) and never comes back to its earlier level: whatever "
          "is freed in between, part of the memory is never returned. {}",
          metric, amount(x.total, b), rate(x.rate, b), growth_hint(fam));
  }
  return "";
}

}  // namespace memlens::analysis
