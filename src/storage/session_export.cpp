// SessionStore::export_json: one session as a self-contained JSON document, each value written
// by memlens/json.h (the seed's camelCase names, as in the report and the HTTP API).
#include <nlohmann/json.hpp>

#include "memlens/json.h"

#include "storage/session_store.h"

namespace memlens::storage {
using nlohmann::json;

base::Result<std::string> SessionStore::export_json(int64_t id, int64_t from_ms, int64_t to_ms) {
  auto info = session(id);
  if (!info) return info.error();
  auto snaps = snapshots(id, from_ms, to_ms);
  if (!snaps) return snaps.error();
  auto site_list = sites(id, to_ms);
  if (!site_list) return site_list.error();
  auto leak_list = leaks(id);
  if (!leak_list) return leak_list.error();
  auto pattern_list = patterns(id, from_ms, to_ms);
  if (!pattern_list) return pattern_list.error();
  auto alert_list = alerts(id);
  if (!alert_list) return alert_list.error();
  auto report = report_json(id);
  if (!report) return report.error();

  json doc;
  json config = json::parse(info->config_json, nullptr, false);
  doc["session"] = {{"id", info->id},
                    {"pid", info->pid},
                    {"command", info->command},
                    {"startedAt", info->started_at},
                    {"endedAt", info->ended_at ? json(info->ended_at) : json(nullptr)},
                    {"durationMs", info->duration_ms()},
                    {"intervalMs", info->interval_ms},
                    {"agent", info->agent},
                    {"config", config.is_discarded() ? json::object() : config}};
  json& s = doc["snapshots"] = json::array();
  for (const Snapshot& x : *snaps) s.push_back(to_json(x));
  json& sites_json = doc["sites"] = json::array();
  for (const SymbolizedSite& x : *site_list) sites_json.push_back(to_json(x));
  json& l = doc["leaks"] = json::array();
  for (const Leak& x : *leak_list) l.push_back(to_json(x));
  json& p = doc["growthPatterns"] = json::array();
  for (const GrowthPattern& x : *pattern_list) p.push_back(to_json(x));
  json& a = doc["alerts"] = json::array();
  for (const Alert& x : *alert_list) a.push_back(to_json(x));
  json stored = *report ? json::parse(**report, nullptr, false) : json(nullptr);
  doc["report"] = stored.is_discarded() ? json(nullptr) : stored;
  return doc.dump(2, ' ', false, json::error_handler_t::replace);
}

}  // namespace memlens::storage
