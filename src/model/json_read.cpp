// report_from_json and friends (memlens/json.h): strict readers that name the first bad field.
#include <cmath>
#include <cstring>
#include <string>

#include "memlens/json.h"

namespace memlens {
namespace {

using nlohmann::json;

// Collects the first error; every getter is a no-op once one is recorded.
class Reader {
 public:
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  void fail(const std::string& path, const std::string& what) {
    if (ok()) error_ = "report: " + path + ": " + what;
  }

  // The member `key` of object `o`; null (and an error when required) if missing.
  const json* member(const json& o, const std::string& path, const char* key, bool required) {
    if (!ok()) return nullptr;
    auto it = o.find(key);
    if (it == o.end() || (it->is_null() && required)) {
      if (required) fail(join(path, key), "missing");
      return nullptr;
    }
    return &*it;
  }

  const json* object(const json& o, const std::string& path, const char* key) {
    const json* v = member(o, path, key, true);
    if (v && !v->is_object()) return fail(join(path, key), "expected an object"), nullptr;
    return v;
  }
  const json* array(const json& o, const std::string& path, const char* key) {
    const json* v = member(o, path, key, true);
    if (v && !v->is_array()) return fail(join(path, key), "expected an array"), nullptr;
    return v;
  }

  void number(const json& o, const std::string& path, const char* key, double& out,
              bool required = true) {
    const json* v = member(o, path, key, required);
    if (!v) return;
    if (!v->is_number()) return fail(join(path, key), "expected a number");
    out = v->get<double>();
    if (!std::isfinite(out)) fail(join(path, key), "not a finite number");
  }

  template <typename Int>
  void integer(const json& o, const std::string& path, const char* key, Int& out,
               bool required = true) {
    const json* v = member(o, path, key, required);
    if (!v) return;
    if (v->is_number_unsigned()) {
      const uint64_t u = v->get<uint64_t>();
      if (u > static_cast<uint64_t>(std::numeric_limits<Int>::max()))
        return fail(join(path, key), "out of range");
      out = static_cast<Int>(u);
    } else if (v->is_number_integer()) {
      const int64_t i = v->get<int64_t>();
      if (std::is_unsigned_v<Int> && i < 0) return fail(join(path, key), "must not be negative");
      out = static_cast<Int>(i);
    } else if (v->is_number_float() && std::floor(v->get<double>()) == v->get<double>() &&
               std::abs(v->get<double>()) < 9.0e15) {
      const double d = v->get<double>();
      if (std::is_unsigned_v<Int> && d < 0) return fail(join(path, key), "must not be negative");
      out = static_cast<Int>(d);
    } else {
      fail(join(path, key), "expected an integer");
    }
  }

  void boolean(const json& o, const std::string& path, const char* key, bool& out,
               bool required = true) {
    const json* v = member(o, path, key, required);
    if (!v) return;
    if (!v->is_boolean()) return fail(join(path, key), "expected true or false");
    out = v->get<bool>();
  }

  void string(const json& o, const std::string& path, const char* key, std::string& out,
              bool required = true) {
    const json* v = member(o, path, key, required);
    if (!v) return;
    if (!v->is_string()) return fail(join(path, key), "expected a string");
    out = v->get<std::string>();
  }

  void strings(const json& o, const std::string& path, const char* key,
               std::vector<std::string>& out) {
    const json* v = array(o, path, key);
    if (!v) return;
    for (size_t i = 0; i < v->size() && ok(); ++i) {
      if (!(*v)[i].is_string()) return fail(join(path, key) + index(i), "expected a string");
      out.push_back((*v)[i].get<std::string>());
    }
  }

  // An enum written by to_string(E); E's values are 0..count-1.
  template <typename E>
  void enumeration(const json& o, const std::string& path, const char* key, E& out, int count) {
    std::string s;
    string(o, path, key, s);
    if (!ok()) return;
    std::string names;
    for (int i = 0; i < count; ++i) {
      const char* name = to_string(static_cast<E>(i));
      if (s == name) {
        out = static_cast<E>(i);
        return;
      }
      names += (i ? "|" : "") + std::string(name);
    }
    fail(join(path, key), "expected one of " + names + ", got \"" + s + "\"");
  }

  static std::string join(const std::string& path, const char* key) {
    return path.empty() ? key : path + "." + key;
  }
  static std::string index(size_t i) { return "[" + std::to_string(i) + "]"; }

 private:
  std::string error_;
};

void read_pattern(Reader& r, const json& j, const std::string& p, GrowthPattern& g) {
  if (!j.is_object()) return r.fail(p, "expected an object");
  r.string(j, p, "metric", g.metric);
  r.enumeration(j, p, "type", g.type, 5);
  r.enumeration(j, p, "severity", g.severity, 4);
  r.number(j, p, "growthRate", g.growth_rate);
  r.number(j, p, "totalGrowth", g.total_growth);
  r.number(j, p, "confidence", g.confidence);
  if (r.ok() && (g.confidence < 0 || g.confidence > 1)) r.fail(p + ".confidence", "not in 0..1");
  r.string(j, p, "recommendation", g.recommendation);
  r.integer(j, p, "windowStart", g.window_start, false);
  r.integer(j, p, "windowEnd", g.window_end, false);
  r.integer(j, p, "points", g.points, false);
}

void read_leak(Reader& r, const json& j, const std::string& p, Leak& l) {
  if (!j.is_object()) return r.fail(p, "expected an object");
  r.string(j, p, "id", l.id);
  r.string(j, p, "source", l.source);
  r.enumeration(j, p, "type", l.type, 6);
  r.enumeration(j, p, "severity", l.severity, 4);
  r.integer(j, p, "estimatedSize", l.estimated_size);
  r.number(j, p, "growthRate", l.growth_rate);
  r.strings(j, p, "evidence", l.evidence);
  r.string(j, p, "recommendation", l.recommendation);
  r.string(j, p, "stackTrace", l.stack_trace, false);
  r.integer(j, p, "firstDetected", l.first_detected, false);
}

void read_module(Reader& r, const json& j, const std::string& p, NativeModuleAttribution& m) {
  if (!j.is_object()) return r.fail(p, "expected an object");
  r.string(j, p, "moduleName", m.module_name);
  r.enumeration(j, p, "moduleType", m.module_type, 5);
  r.number(j, p, "estimatedMemory", m.estimated_memory_mb);
  if (const json* range = r.object(j, p, "memoryRange")) {
    r.number(*range, p + ".memoryRange", "min", m.min_mb);
    r.number(*range, p + ".memoryRange", "max", m.max_mb);
  }
  r.number(j, p, "confidence", m.confidence);
  r.strings(j, p, "evidence", m.evidence);
  r.integer(j, p, "allocations", m.allocations);
  r.integer(j, p, "deallocations", m.deallocations);
  r.string(j, p, "path", m.path, false);
  r.integer(j, p, "mappedRss", m.mapped_rss, false);
  r.integer(j, p, "liveHeapBytes", m.live_heap_bytes, false);
}

void read_buffer(Reader& r, const json& j, const std::string& p, BufferLeakDetection& b) {
  if (!j.is_object()) return r.fail(p, "expected an object");
  r.enumeration(j, p, "bufferType", b.buffer_type, 4);
  r.integer(j, p, "size", b.size);
  r.integer(j, p, "age", b.age);
  r.string(j, p, "stackTrace", b.stack_trace);
  r.boolean(j, p, "isLeak", b.is_leak);
  r.number(j, p, "leakConfidence", b.leak_confidence);
  r.string(j, p, "source", b.source);
  r.integer(j, p, "siteId", b.site_id, false);
  r.integer(j, p, "liveCount", b.live_count, false);
  r.integer(j, p, "allocations", b.allocations, false);
  r.integer(j, p, "frees", b.frees, false);
}

template <typename T, typename Fn>
void read_list(Reader& r, const json& j, const char* key, std::vector<T>& out, Fn fn) {
  const json* a = r.array(j, "", key);
  if (!a) return;
  for (size_t i = 0; i < a->size() && r.ok(); ++i) {
    T item;
    fn(r, (*a)[i], std::string(key) + Reader::index(i), item);
    out.push_back(std::move(item));
  }
}

}  // namespace

base::Result<Report> report_from_json(const json& j) {
  if (!j.is_object()) return base::Error{"report: expected a JSON object at the top level"};
  Reader r;
  Report rep;
  if (const json* s = r.object(j, "", "summary")) {
    ReportSummary& x = rep.summary;
    r.integer(*s, "summary", "totalSnapshots", x.total_snapshots);
    r.integer(*s, "summary", "pid", x.pid);
    r.string(*s, "summary", "command", x.command);
    r.integer(*s, "summary", "startedAt", x.started_at);
    r.integer(*s, "summary", "durationMs", x.duration_ms);
    r.boolean(*s, "summary", "agent", x.agent);
    double ttl = 0;
    if (s->contains("timeToLimitMs") && !(*s)["timeToLimitMs"].is_null()) {
      r.number(*s, "summary", "timeToLimitMs", ttl);
      x.time_to_limit_ms = ttl;
    }
    r.string(*s, "summary", "limitKind", x.limit_kind, false);
  }
  if (const json* t = r.object(j, "", "rssVsHeap")) {
    RssVsHeapTrend& x = rep.rss_vs_heap;
    const std::string p = "rssVsHeap";
    r.number(*t, p, "currentRSSMB", x.current_rss_mb);
    r.number(*t, p, "currentHeapMB", x.current_heap_mb);
    r.number(*t, p, "currentExternalMB", x.current_external_mb);
    r.number(*t, p, "externalRatio", x.external_ratio);
    r.enumeration(*t, p, "trend", x.trend, 3);
    r.number(*t, p, "divergence", x.divergence_mb);
    r.enumeration(*t, p, "divergenceTrend", x.divergence_trend, 3);
    if (t->contains("ratioHealth")) r.enumeration(*t, p, "ratioHealth", x.ratio_health, 3);
    r.integer(*t, p, "window", x.window, false);
  }
  read_list(r, j, "growthPatterns", rep.growth_patterns, read_pattern);
  read_list(r, j, "leaks", rep.leaks, read_leak);
  read_list(r, j, "nativeModules", rep.native_modules, read_module);
  read_list(r, j, "bufferLeaks", rep.buffer_leaks, read_buffer);
  r.integer(j, "", "generatedAt", rep.generated_at);
  if (!r.ok()) return base::Error{r.error()};
  return rep;
}

base::Result<Report> report_from_json_text(std::string_view text) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    return base::Error{"report: not valid JSON (byte " + std::to_string(e.byte) + ")"};
  }
  return report_from_json(j);
}

base::Result<GrowthPattern> growth_pattern_from_json(const json& j) {
  Reader r;
  GrowthPattern g;
  read_pattern(r, j, "growthPattern", g);
  if (!r.ok()) return base::Error{r.error()};
  return g;
}

base::Result<Leak> leak_from_json(const json& j) {
  Reader r;
  Leak l;
  read_leak(r, j, "leak", l);
  if (!r.ok()) return base::Error{r.error()};
  return l;
}

}  // namespace memlens
