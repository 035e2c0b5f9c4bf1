#include "monitor/analysis_runner.h"

#include "analysis/report_builder.h"

namespace memlens::monitor {

Report run_analysis(const ReportSummary& summary, std::span<const Snapshot> window,
                    const Config& config, const AgentFindings& agent) {
  analysis::ReportInputs in;
  in.summary = summary;
  in.snapshots = window;
  in.config = config;
  in.site_leaks = agent.site_leaks;
  in.native_modules = agent.native_modules;
  in.buffer_leaks = agent.buffer_leaks;
  in.explained_bytes_per_sec = static_cast<uint64_t>(agent.explained_bytes_per_sec);
  Report r = analysis::build_report(in);
  // The window is a suffix of the series: the summary speaks for the whole session.
  r.summary.total_snapshots = summary.total_snapshots;
  r.summary.started_at = summary.started_at;
  if (summary.duration_ms > 0) r.summary.duration_ms = summary.duration_ms;
  return r;
}

}  // namespace memlens::monitor
