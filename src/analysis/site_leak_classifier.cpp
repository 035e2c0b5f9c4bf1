#include "analysis/site_leak_classifier.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include <fmt/format.h>

#include "analysis/buffer_leak_detector.h"
#include "analysis/leak_id.h"
#include "analysis/module_catalog.h"
#include "analysis/severity.h"
#include "ingest/site_resolver.h"

namespace memlens::analysis {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;

std::string recommendation_for(LeakType type, const std::string& source,
                               const std::string& module) {
  switch (type) {
    case LeakType::kCryptoContext:
      return fmt::format(
          "{} keeps objects allocated inside {} alive: free every context this code creates "
          "(EVP_*_CTX_free, SSL_free, SSL_CTX_free, BIO_free_all, X509_free, ...) on every path, "
          "error paths included, and reuse contexts instead of creating one per request.",
          source, module);
    case LeakType::kNativeModule:
      return fmt::format(
          "Memory allocated inside {} on behalf of {} is never released: check that each "
          "object or handle obtained from {} is released with its matching free/close/destroy "
          "call, and that caches inside it are bounded.",
          module, source, module);
    default:
      return fmt::format(
          "Allocations at {} are not freed: check ownership on every path (early returns, "
          "exceptions, error handling) or use RAII, and bound any container that this "
          "allocation feeds.",
          source);
  }
}

// The outermost frame of `charged`'s module before the stack leaves it (leaf first): the
// library's entry point on this path. `charged` itself when the stack never leaves.
const Frame* library_entry(const std::vector<Frame>& frames, const Frame& charged) {
  const Frame* entry = &charged;
  bool inside = false;
  for (const Frame& f : frames) {
    if (&f == &charged) inside = true;
    if (!inside) continue;
    if (f.module != charged.module) break;
    entry = &f;
  }
  return entry;
}

}  // namespace

LeakType leak_type_for(const std::vector<Frame>& frames) {
  const Frame* charged = ingest::attributing_frame(frames);
  if (charged == nullptr || charged->in_executable) return LeakType::kBufferLeak;
  if (module_type_for(charged->module_path.empty() ? charged->module : charged->module_path) ==
      ModuleType::kCrypto)
    return LeakType::kCryptoContext;
  return LeakType::kNativeModule;
}

std::vector<Leak> classify_site_leaks(std::span<const SiteHistory> histories,
                                      const std::vector<BufferLeakDetection>& detections,
                                      const Config& cfg) {
  std::unordered_map<uint64_t, const SiteHistory*> by_id;
  int64_t now = 0;
  for (const SiteHistory& h : histories) {
    by_id[h.site.sample.site_id] = &h;
    if (!h.points.empty()) now = std::max(now, h.points.back().t);
  }

  std::vector<Leak> leaks;
  std::unordered_map<std::string, size_t> index;  // id → position in leaks
  for (const BufferLeakDetection& d : detections) {
    if (!d.is_leak) continue;
    auto it = by_id.find(d.site_id);
    if (it == by_id.end()) continue;
    const SiteHistory& h = *it->second;
    const SiteSample& s = h.site.sample;
    const Frame* charged = ingest::attributing_frame(h.site.frames);
    std::string module = charged != nullptr ? charged->module : std::string("unknown module");
    LeakType type = leak_type_for(h.site.frames);
    SiteGrowth g = site_growth(h, now, cfg.growth_detection_window_ms);
    double rate = std::max(0.0, g.slope);

    std::vector<std::string> evidence;
    evidence.push_back(fmt::format("{} allocations, {} frees, {} live, oldest {}",
                                   format_count(s.allocations), format_count(s.frees),
                                   format_count(s.live_count), format_age(d.age)));
    evidence.push_back(fmt::format("live bytes +{}/s over {} s ({}{} in the window)",
                                   format_bytes(rate), g.span_ms / 1000, g.net >= 0 ? "+" : "-",
                                   format_bytes(std::fabs(static_cast<double>(g.net)))));
    uint64_t aged = aged_live_bytes(s, cfg.buffer_leak_age_threshold_ms);
    if (aged > 0)
      evidence.push_back(fmt::format("{} live for longer than {}", format_bytes(aged),
                                     format_age(cfg.buffer_leak_age_threshold_ms)));
    if (type != LeakType::kBufferLeak && charged != nullptr) {
      // The library function the application called is what the user recognises (an
      // EVP_CipherInit_ex, not the CRYPTO_zalloc under it).
      const Frame* entry = library_entry(h.site.frames, *charged);
      evidence.push_back(entry->function == charged->function || entry->function == "??"
                             ? fmt::format("allocated inside {} by {}", module, charged->function)
                             : fmt::format("allocated inside {} by {}, called through {}", module,
                                           charged->function, entry->function));
    }
    evidence.push_back(fmt::format("{} allocations, leak confidence {:.2f}",
                                   to_string(s.buffer_type), d.leak_confidence));

    // A library leak is one cause per application function and library: the four calls of
    // one function that each leave a libcrypto context behind are one leak, rated on their
    // combined rate. An application leak stays per line: the line is the fix.
    std::string cause = d.source;
    if (type != LeakType::kBufferLeak)
      if (const Frame* app = ingest::first_application_frame(h.site.frames)) cause = app->function;
    std::string id = leak_id(type, fmt::format("{}\x1f{}", cause, module));
    auto found = index.find(id);
    if (found != index.end()) {  // another site (malloc and new, another call line): same cause
      Leak& l = leaks[found->second];
      l.estimated_size += d.size;
      l.growth_rate += rate;
      if (d.source != l.source) l.evidence.push_back(fmt::format("also from {}", d.source));
      for (std::string& e : evidence) l.evidence.push_back(std::move(e));
      continue;
    }
    Leak l;
    l.id = std::move(id);
    l.source = d.source;
    l.type = type;
    l.estimated_size = d.size;
    l.growth_rate = rate;
    l.evidence = std::move(evidence);
    l.recommendation = recommendation_for(type, d.source, module);
    l.stack_trace = d.stack_trace;
    l.first_detected = now;
    index.emplace(l.id, leaks.size());
    leaks.push_back(std::move(l));
  }
  for (Leak& l : leaks) l.severity = severity_for(l.estimated_size / kMiB, l.growth_rate / kMiB);
  std::sort(leaks.begin(), leaks.end(), [](const Leak& a, const Leak& b) {
    if (a.severity != b.severity) return a.severity > b.severity;
    if (a.estimated_size != b.estimated_size) return a.estimated_size > b.estimated_size;
    return a.id < b.id;
  });
  return leaks;
}

uint64_t explained_growth_rate(const std::vector<Leak>& leaks) {
  double total = 0;
  for (const Leak& l : leaks)
    if (l.type == LeakType::kBufferLeak || l.type == LeakType::kNativeModule ||
        l.type == LeakType::kCryptoContext)
      total += std::max(0.0, l.growth_rate);
  return static_cast<uint64_t>(std::llround(total));
}

}  // namespace memlens::analysis
