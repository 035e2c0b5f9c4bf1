// Severity on the seed's scale, for byte growth (MB, MB/s) and for descriptor growth (counts).
// Pure functions, thread-safe.
//
//   Severity s = severity_for(total_growth_mb, rate_mb_per_sec);
#pragma once

#include "memlens/report.h"

namespace memlens::analysis {

constexpr double kKiBInMiB = 1.0 / 1024.0;

// critical > 100 MB or > 1 MB/s; high > 50 MB or > 500 KB/s; medium > 20 MB or > 100 KB/s;
// else low. MB = MiB, KB = KiB. Negative or non-finite inputs count as no growth.
Severity severity_for(double total_mb, double rate_mb_per_sec);

// The same four steps for descriptor counts, which the seed has no scale for. A process
// typically runs out at 1,024 (the default soft RLIMIT_NOFILE):
// critical > 500 descriptors or > 5/s; high > 200 or > 1/s; medium > 50 or > 0.2/s; else low.
Severity severity_for_count(double total, double rate_per_sec);

}  // namespace memlens::analysis
