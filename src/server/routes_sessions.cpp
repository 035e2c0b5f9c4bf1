// GET sessions, sessions/{id}, sessions/{id}/report, sessions/{id}/snapshots,
// sessions/{id}/sites, sessions/{id}/alerts, sessions/{id}/export: the recorded sessions of the
// session store, through the monitor's SessionArchive.
#include <algorithm>
#include <climits>

#include <fmt/format.h>

#include "memlens/json.h"
#include "server/http_response.h"
#include "server/query_args.h"
#include "server/realtime_payload.h"
#include "server/routes.h"

namespace memlens::server {
namespace {

using monitor::ArchivedSession;
using monitor::ArchiveErrc;
using monitor::ArchiveRange;
using nlohmann::json;

// Enough points for a chart of any session; a longer one is thinned evenly.
constexpr int64_t kDefaultSnapshotLimit = 5000;

json session_json(const ArchivedSession& s) {
  return {{"id", s.id},
          {"pid", s.pid},
          {"command", s.command},
          {"startedAt", s.started_at},
          {"endedAt", s.ended_at ? json(s.ended_at) : json(nullptr)},
          {"durationMs", s.duration_ms},
          {"intervalMs", s.interval_ms},
          {"agent", s.agent},
          {"snapshots", s.snapshot_count},
          {"leaks", s.leak_count},
          {"alerts", s.alert_count},
          {"live", s.live}};
}

Response archive_failure(const Request& req, const base::Error& e) {
  switch (static_cast<ArchiveErrc>(e.code)) {
    case ArchiveErrc::kNotFound:
    case ArchiveErrc::kNoData:
      return error_response(req, http::status::not_found, e.message);
    case ArchiveErrc::kUnavailable:
      return error_response(req, http::status::service_unavailable, e.message);
  }
  return error_response(req, http::status::internal_server_error, e.message);
}

base::Result<int64_t> session_id(const RouteContext& c) {
  const std::string& text = c.params.at("id");
  if (auto id = whole_int(text, 1, INT64_MAX)) return *id;
  return base::Error{fmt::format("session id must be a positive integer (got \"{}\")", text)};
}

base::Result<ArchiveRange> range_of(const RouteContext& c) {
  auto from = query_int(c, "from", 0, 0, INT64_MAX);
  if (!from) return from.error();
  auto to = query_int(c, "to", INT64_MAX, 0, INT64_MAX);
  if (!to) return to.error();
  if (*from > *to) return base::Error{fmt::format("from ({}) is later than to ({})", *from, *to)};
  return ArchiveRange{*from, *to};
}

// `limit` snapshots spread evenly over `all`, keeping the first and the last.
std::vector<const Snapshot*> thin(const std::vector<Snapshot>& all, size_t limit) {
  std::vector<const Snapshot*> out;
  if (all.size() <= limit) {
    for (const Snapshot& s : all) out.push_back(&s);
    return out;
  }
  out.reserve(limit);
  if (limit == 1) {
    out.push_back(&all.back());
    return out;
  }
  const double step = static_cast<double>(all.size() - 1) / static_cast<double>(limit - 1);
  for (size_t i = 0; i < limit; ++i)
    out.push_back(&all[std::min(all.size() - 1, static_cast<size_t>(i * step + 0.5))]);
  return out;
}

// Runs `body(archive, id, context)` after checking that there is an archive and a valid id.
template <typename Body>
Handler with_session(ServerState* s, Body body) {
  return [s, body](const RouteContext& c) -> Response {
    if (!s->archive)
      return error_response(c.request, http::status::not_found,
                            "no session store: this memlens does not record sessions");
    auto id = session_id(c);
    if (!id) return error_response(c.request, http::status::bad_request, id.error().message);
    return body(*s->archive, *id, c);
  };
}

}  // namespace

void add_session_routes(ServerState& state) {
  Router& r = state.router;
  const std::string base = std::string(kApiBase) + "/sessions";
  ServerState* s = &state;

  r.add(http::verb::get, base, [s](const RouteContext& c) {
    if (!s->archive)
      return error_response(c.request, http::status::not_found,
                            "no session store: this memlens does not record sessions");
    auto list = s->archive->sessions();
    if (!list) return archive_failure(c.request, list.error());
    json arr = json::array();
    for (const ArchivedSession& a : *list) arr.push_back(session_json(a));
    int64_t recording = s->archive->live_session();
    size_t count = arr.size();
    return json_response(c.request, http::status::ok,
                         {{"sessions", std::move(arr)},
                          {"count", count},
                          {"live", s->analyzer != nullptr},
                          {"recording", recording ? json(recording) : json(nullptr)}});
  });

  r.add(http::verb::get, base + "/{id}",
        with_session(s, [](monitor::SessionArchive& a, int64_t id, const RouteContext& c) {
          auto info = a.session(id);
          if (!info) return archive_failure(c.request, info.error());
          return json_response(c.request, http::status::ok, session_json(*info));
        }));

  r.add(http::verb::get, base + "/{id}/report",
        with_session(s, [](monitor::SessionArchive& a, int64_t id, const RouteContext& c) {
          auto range = range_of(c);
          if (!range)
            return error_response(c.request, http::status::bad_request, range.error().message);
          auto report = a.report(id, *range);
          if (!report) return archive_failure(c.request, report.error());
          return json_response(c.request, http::status::ok, to_json(*report));
        }));

  r.add(http::verb::get, base + "/{id}/snapshots",
        with_session(s, [](monitor::SessionArchive& a, int64_t id, const RouteContext& c) {
          auto range = range_of(c);
          if (!range)
            return error_response(c.request, http::status::bad_request, range.error().message);
          auto limit = query_int(c, "limit", kDefaultSnapshotLimit, 1, 100000);
          if (!limit)
            return error_response(c.request, http::status::bad_request, limit.error().message);
          auto snaps = a.snapshots(id, *range);
          if (!snaps) return archive_failure(c.request, snaps.error());
          json list = json::array();
          for (const Snapshot* snap : thin(*snaps, static_cast<size_t>(*limit)))
            list.push_back(to_json(*snap));
          size_t count = list.size();
          return json_response(
              c.request, http::status::ok,
              {{"snapshots", std::move(list)},
               {"count", count},
               {"total", snaps->size()},
               {"session", id},
               {"from", range->from_ms},
               {"to", range->to_ms == INT64_MAX ? json(nullptr) : json(range->to_ms)},
               {"limit", *limit}});
        }));

  r.add(http::verb::get, base + "/{id}/sites",
        with_session(s, [](monitor::SessionArchive& a, int64_t id, const RouteContext& c) {
          auto to = query_int(c, "to", INT64_MAX, 0, INT64_MAX);
          if (!to) return error_response(c.request, http::status::bad_request, to.error().message);
          auto limit = query_int(c, "limit", 100, 1, 100000);
          if (!limit)
            return error_response(c.request, http::status::bad_request, limit.error().message);
          auto sites = a.sites(id, *to);
          if (!sites) return archive_failure(c.request, sites.error());
          std::sort(sites->begin(), sites->end(), [](const auto& x, const auto& y) {
            return x.sample.live_bytes > y.sample.live_bytes;
          });
          json list = json::array();
          for (size_t i = 0; i < sites->size() && i < static_cast<size_t>(*limit); ++i)
            list.push_back(to_json((*sites)[i]));
          auto info = a.session(id);
          bool agent = (info && info->agent) || !sites->empty();
          return json_response(c.request, http::status::ok,
                               {{"sites", std::move(list)},
                                {"total", sites->size()},
                                {"agent", agent},
                                {"session", id}});
        }));

  r.add(http::verb::get, base + "/{id}/alerts",
        with_session(s, [](monitor::SessionArchive& a, int64_t id, const RouteContext& c) {
          auto alerts = a.alerts(id);
          if (!alerts) return archive_failure(c.request, alerts.error());
          json list = json::array();
          size_t active = 0;
          for (const Alert& al : *alerts) {
            list.push_back(alert_json(al));
            if (al.active && !al.dismissed) ++active;
          }
          return json_response(c.request, http::status::ok,
                               {{"alerts", std::move(list)}, {"active", active}, {"session", id}});
        }));

  r.add(http::verb::get, base + "/{id}/export",
        with_session(s, [](monitor::SessionArchive& a, int64_t id, const RouteContext& c) {
          auto text = a.export_json(id);
          if (!text) return archive_failure(c.request, text.error());
          return download_response(c.request, std::move(*text), "application/json",
                                   fmt::format("memlens-session-{}.json", id));
        }));
}

}  // namespace memlens::server
