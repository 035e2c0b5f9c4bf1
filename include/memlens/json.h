// JSON for memlens's value types (nlohmann::json), with the seed's camelCase field names and the
// units of DESIGN.md "Report JSON": bytes, bytes/s and ms unless a name says MB. The report's
// shape is pinned by schema/report.schema.json.
//
// Writing never fails and never emits NaN/inf (they become 0). Reading a report back
// (report_from_json) checks every field and fails with a one-line message naming the first
// offending one, e.g. `report: leaks[2].severity: expected one of low|medium|high|critical`.
// Stateless functions; thread-safe.
//
//   nlohmann::json j = memlens::to_json(report);
//   auto back = memlens::report_from_json(j);
//   if (!back) die(back.error().message);
#pragma once

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "memlens/events.h"
#include "memlens/report.h"
#include "memlens/site.h"
#include "memlens/snapshot.h"

namespace memlens {

nlohmann::json to_json(const Snapshot& s);
nlohmann::json to_json(const RssVsHeapTrend& t);
nlohmann::json to_json(const GrowthPattern& g);
nlohmann::json to_json(const Leak& l);
nlohmann::json to_json(const NativeModuleAttribution& m);
nlohmann::json to_json(const BufferLeakDetection& b);
nlohmann::json to_json(const ReportSummary& s);
nlohmann::json to_json(const Report& r);
nlohmann::json to_json(const Alert& a);
nlohmann::json to_json(const Frame& f);
nlohmann::json to_json(const SymbolizedSite& s);

// Parses a report written by to_json(const Report&) (also a saved `--report-json` file).
base::Result<Report> report_from_json(const nlohmann::json& j);
// Convenience: parses text first; a syntax error is reported with its byte offset.
base::Result<Report> report_from_json_text(std::string_view text);

// Lower-level readers, for consumers of the other documents (alerts, patterns, leaks).
base::Result<GrowthPattern> growth_pattern_from_json(const nlohmann::json& j);
base::Result<Leak> leak_from_json(const nlohmann::json& j);

}  // namespace memlens
