// The dashboard's files (web/ plus uPlot), embedded into the binary at build time by
// cmake/EmbedAssets.cmake, so the server needs no network and no files on disk to serve them.
// Ownership: the bodies are static constant data; the pointers stay valid for the whole program.
// Thread-safety: read-only, safe from any thread.
//
//   if (const auto* a = memlens::server::find_asset("/index.html"))
//     respond(200, a->content_type, a->body);
//
// Paths are the file's path under web/ with a leading slash ("/index.html", "/js/app.js",
// "/css/dashboard.css", "/uPlot.iife.min.js", "/uPlot.min.css"); "" and "/" mean "/index.html".
#pragma once

#include <span>
#include <string_view>

namespace memlens::server {

struct Asset {
  std::string_view path;          // "/js/app.js"
  std::string_view content_type;  // "text/javascript; charset=utf-8"
  std::string_view body;
};

// The asset at `path`, or nullptr. Exact match; no directory listing, no "..".
const Asset* find_asset(std::string_view path);

// Every embedded asset, sorted by path (for tests and listings).
std::span<const Asset> all_assets();

}  // namespace memlens::server
