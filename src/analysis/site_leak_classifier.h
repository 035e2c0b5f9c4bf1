// SiteLeakClassifier: turns leaking allocation sites (BufferLeakDetection.isLeak) into typed
// leaks for the report, by where the bytes are charged (the attributing frame: the first
// frame outside the allocator and the C/C++ runtime, see ingest/site_resolver.h):
//   crypto_context  the attributing frame is in a crypto/TLS library (module_catalog: crypto)
//   buffer_leak     it is in the main program (or no frame outside the runtime is known)
//   native_module   it is in any other shared library
// The leak's source is the first application frame ("function (file:line)"), so a libcrypto
// leak names the application function that created the context. Sites with the same type,
// source and module merge into one leak (sizes and rates add up); the id is
// leak_id(type, source + module), stable across runs.
//
// Per leak: estimatedSize = live bytes, growthRate = least-squares slope of live bytes over
// the growth window (bytes/s, >= 0), severity from severity_for(size MB, rate MB/s), evidence
// lines ("12,400 allocations, 3 frees, oldest 6 min", "live bytes +1.2 MB/s over 300 s", ...),
// a recommendation for the type, the symbolized stack, first_detected = the newest point's
// time (the monitor keeps the earliest per id across runs).
//
// Pure functions; thread-safe.
//
//   auto detections = detect_buffer_leaks(histories, now, cfg);
//   auto leaks = classify_site_leaks(histories, detections, cfg);
//   uint64_t explained = explained_growth_rate(leaks);  // → detect_unexplained_growth
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "analysis/site_history.h"
#include "memlens/config.h"
#include "memlens/report.h"

namespace memlens::analysis {

// The leak type of a symbolized stack (see above).
LeakType leak_type_for(const std::vector<Frame>& frames);

std::vector<Leak> classify_site_leaks(std::span<const SiteHistory> histories,
                                      const std::vector<BufferLeakDetection>& detections,
                                      const Config& cfg);

// Bytes/s of growth that the site leaks explain (buffer_leak, native_module, crypto_context).
uint64_t explained_growth_rate(const std::vector<Leak>& leaks);

}  // namespace memlens::analysis
