#include "ingest/site_resolver.h"

#include "symbolize/symbolizer.h"

namespace memlens::ingest {

SymbolizedSite resolve_site(const SiteSample& sample, symbolize::Symbolizer& symbolizer) {
  SymbolizedSite site;
  site.sample = sample;
  // The stack was recorded at the site's first allocation: resolve it against the modules
  // loaded then, so a library dlclosed since keeps its names.
  int64_t when = sample.first_seen > 0 ? sample.first_seen : symbolize::ModuleMap::kLatest;
  site.frames = symbolizer.symbolize_stack(sample.stack, when);
  return site;
}

}  // namespace memlens::ingest
