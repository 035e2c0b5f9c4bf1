// The embedded dashboard: every file the page links is in the binary with the right content
// type, lookups are exact, and the table is sorted (find_asset binary-searches it).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "server/assets.h"

namespace memlens::server {
namespace {

TEST(EmbeddedAssets, IndexIsServedForRootAndByName) {
  const Asset* index = find_asset("/index.html");
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(index->content_type, "text/html; charset=utf-8");
  EXPECT_NE(index->body.find("<title>memlens"), std::string_view::npos);
  EXPECT_EQ(find_asset("/"), index);
  EXPECT_EQ(find_asset(""), index);
}

TEST(EmbeddedAssets, EveryFileThePageLinksIsPresent) {
  for (std::string_view path : {"/uPlot.iife.min.js", "/uPlot.min.css", "/css/dashboard.css",
                                "/css/panels.css", "/js/app.js", "/js/chart.js", "/favicon.svg"}) {
    const Asset* a = find_asset(path);
    ASSERT_NE(a, nullptr) << path;
    EXPECT_GT(a->body.size(), 100u) << path;
  }
  EXPECT_EQ(find_asset("/js/app.js")->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(find_asset("/uPlot.min.css")->content_type, "text/css; charset=utf-8");
  EXPECT_EQ(find_asset("/favicon.svg")->content_type, "image/svg+xml");
}

TEST(EmbeddedAssets, EveryModuleImportedByTheAppIsEmbedded) {
  // app.js imports "./x.js"; each must resolve to /js/x.js, or the page breaks offline.
  for (const Asset& a : all_assets()) {
    if (!a.path.starts_with("/js/")) continue;
    std::string body(a.body);
    for (size_t at = body.find("from \"./"); at != std::string::npos;
         at = body.find("from \"./", at + 1)) {
      size_t start = at + 8, end = body.find('"', start);
      std::string target = "/js/" + body.substr(start, end - start);
      EXPECT_NE(find_asset(target), nullptr) << a.path << " imports " << target;
    }
  }
}

TEST(EmbeddedAssets, UnknownAndNearMissPathsAreNotFound) {
  EXPECT_EQ(find_asset("/nope.js"), nullptr);
  EXPECT_EQ(find_asset("index.html"), nullptr);
  EXPECT_EQ(find_asset("/js/app.js/"), nullptr);
  EXPECT_EQ(find_asset("/../index.html"), nullptr);
  EXPECT_EQ(find_asset("/node_modules/uplot/package.json"), nullptr);
}

TEST(EmbeddedAssets, TableIsSortedAndBodiesAreExact) {
  auto all = all_assets();
  ASSERT_GT(all.size(), 10u);
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end(),
                             [](const Asset& a, const Asset& b) { return a.path < b.path; }));
  for (const Asset& a : all) EXPECT_EQ(a.body.find('\0'), std::string_view::npos) << a.path;
}

}  // namespace
}  // namespace memlens::server
