// Session replay: re-analyses a recorded session from the store into the same Report a live
// analyzer produces (analysis::build_report with the session's own Config), optionally over a
// time range. This is what `memlens report STORE` prints and what a server route opening a past
// session would return.
//
// Pure function of the store's contents; reads only. Thread-safety: the store is not
// thread-safe, so one caller at a time per SessionStore.
//
//   auto store = storage::SessionStore::open_existing("./memory-analysis");
//   auto report = monitor::replay_session(**store, session_id, {.from_ms = t0, .to_ms = t1});
#pragma once

#include <climits>
#include <cstdint>

#include "base/result.h"
#include "memlens/report.h"
#include "storage/session_store.h"

namespace memlens::monitor {

struct ReplayRange {
  int64_t from_ms = 0;        // ms since epoch, inclusive
  int64_t to_ms = INT64_MAX;  // inclusive
};

// Fails (one line) when the session does not exist or has no snapshots in the range.
base::Result<Report> replay_session(storage::SessionStore& store, int64_t session_id,
                                    ReplayRange range = {});

}  // namespace memlens::monitor
