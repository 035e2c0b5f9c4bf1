// Retention: old rows thin out to one per bucket, expired sessions go, the size budget deletes
// the oldest sessions first, and detail lists survive the pruning of the rows that held them.
#include <gtest/gtest.h>

#include "storage/session_store.h"
#include "store_test_support.h"

namespace memlens::storage {
namespace {

using testing::make_site;
using testing::make_snapshot;
using testing::ScratchDir;

constexpr int64_t kHour = 3600'000;

std::unique_ptr<SessionStore> open_with(const std::string& dir, StoreOptions o) {
  o.directory = dir;
  if (!o.on_notice) o.on_notice = [](const std::string&) {};
  auto store = SessionStore::open(o);
  EXPECT_TRUE(store) << store.error().message;
  return store ? std::move(*store) : nullptr;
}

// Fills `hours` of 5 s snapshots (and one growing site) starting at t0.
void fill(SessionStore& store, int64_t id, int64_t t0, double hours) {
  RecordBatch b;
  const int n = static_cast<int>(hours * 720);
  for (int i = 0; i < n; ++i) {
    int64_t ts = t0 + i * 5000LL;
    b.snapshots.push_back(make_snapshot(ts, (100 << 20) + i * 4096, i % 12 == 0));
  }
  ASSERT_TRUE(store.append(id, b));
  for (int i = 0; i < n; i += 12) {  // one site sample a minute, growing each time
    RecordBatch s;
    s.snapshots.push_back(make_snapshot(t0 + i * 5000LL, (100 << 20) + i * 4096, true));
    s.sites.push_back(make_site(1, 1000 + i, 1 + i));
    ASSERT_TRUE(store.append(id, s));
  }
}

TEST(Retention, DownsamplesRowsOlderThanAnHourToOnePerMinute) {
  ScratchDir dir;
  StoreOptions o;
  o.retention_ms = 48 * kHour;
  auto store = open_with(dir.path(), o);
  ASSERT_TRUE(store);
  int64_t id = *store->begin_session({1, "t", 0, 5000, true, ""});
  fill(*store, id, 0, 3.0);
  const int64_t now = 3 * kHour;
  auto stats = store->enforce_retention(now, id);
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_GT(stats->snapshots_deleted, 0);

  const int64_t cutoff = now - kHour;
  EXPECT_EQ(
      *store->db().query_int("SELECT COUNT(*) FROM snapshots WHERE ts < " + std::to_string(cutoff)),
      120);  // 2 h at one a minute
  EXPECT_EQ(*store->db().query_int("SELECT MAX(c) FROM (SELECT COUNT(*) AS c FROM snapshots"
                                   " WHERE ts < " +
                                   std::to_string(cutoff) + " GROUP BY ts / 60000)"),
            1);
  EXPECT_EQ(*store->db().query_int("SELECT COUNT(*) FROM snapshots WHERE resolution = 60000"), 120);
  EXPECT_EQ(*store->db().query_int("SELECT COUNT(*) FROM snapshots WHERE ts >= " +
                                   std::to_string(cutoff)),
            720);  // the last hour stays raw
  // Site samples were already one a minute: nothing to thin, the history stays whole.
  auto history = store->site_history(id, 1);
  ASSERT_TRUE(history);
  EXPECT_EQ(history->size(), 180u);
  // Idempotent: a second pass deletes nothing more.
  auto again = store->enforce_retention(now, id);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->snapshots_deleted, 0);
}

TEST(Retention, ExpiredSessionsAreDeletedAndTheActiveOneKept) {
  ScratchDir dir;
  StoreOptions o;
  o.retention_ms = 24 * kHour;
  std::vector<std::string> notices;
  o.on_notice = [&](const std::string& l) { notices.push_back(l); };
  auto store = open_with(dir.path(), o);
  ASSERT_TRUE(store);
  const int64_t now = 100 * kHour;
  int64_t old_id = *store->begin_session({1, "old", now - 30 * kHour, 5000, false, ""});
  fill(*store, old_id, now - 30 * kHour, 0.1);
  ASSERT_TRUE(store->end_session(old_id, now - 29 * kHour));
  int64_t recent = *store->begin_session({2, "recent", now - 2 * kHour, 5000, false, ""});
  fill(*store, recent, now - 2 * kHour, 0.1);
  // A running session that started long ago keeps its recent rows, loses the expired ones.
  int64_t running = *store->begin_session({3, "running", now - 26 * kHour, 5000, false, ""});
  fill(*store, running, now - 26 * kHour, 0.1);
  fill(*store, running, now - kHour / 2, 0.1);

  auto stats = store->enforce_retention(now, running);
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(stats->sessions_deleted, 1);
  auto list = store->sessions();
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].command, "running");
  EXPECT_EQ((*list)[1].command, "recent");
  EXPECT_FALSE(store->session(old_id));
  auto snaps = store->snapshots(running);
  ASSERT_TRUE(snaps);
  ASSERT_FALSE(snaps->empty());
  EXPECT_GE(snaps->front().timestamp, now - 24 * kHour);
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_NE(notices[0].find("removed 1 old session"), std::string::npos);
}

TEST(Retention, DetailListsSurvivePruningOfTheRowsThatHeldThem) {
  ScratchDir dir;
  StoreOptions o;
  o.retention_ms = 10'000;
  o.downsample_after_ms = kHour;
  auto store = open_with(dir.path(), o);
  ASSERT_TRUE(store);
  int64_t id = *store->begin_session({1, "t", 0, 1000, false, ""});
  RecordBatch b;
  for (int64_t ts : {1000, 5000, 20'000}) b.snapshots.push_back(make_snapshot(ts, 1 << 20, true));
  b.snapshots.push_back(make_snapshot(25'000, 1 << 20));
  ASSERT_TRUE(store->append(id, b));
  // Only the first detail row holds the lists; the later ones say "unchanged".
  ASSERT_EQ(*store->db().query_int("SELECT COUNT(*) FROM snapshot_detail WHERE files IS NULL"), 2);
  ASSERT_TRUE(store->enforce_retention(30'000, id));
  auto snaps = store->snapshots(id);
  ASSERT_TRUE(snaps);
  ASSERT_EQ(snaps->size(), 2u);
  ASSERT_TRUE(snaps->back().detail);
  ASSERT_EQ(snaps->back().detail->files.size(), 1u);
  EXPECT_EQ(snaps->back().detail->files[0].path, "/usr/lib/libc.so.6");
  EXPECT_EQ(snaps->back().detail->descriptors.size(), 1u);
}

TEST(Retention, SizeBudgetDeletesOldestSessionsThenThinsTheActiveOne) {
  ScratchDir dir;
  StoreOptions o;
  o.retention_ms = 1000 * kHour;
  o.size_budget_bytes = 256 << 10;
  o.downsample_after_ms = 1000 * kHour;  // only the budget may thin here
  auto store = open_with(dir.path(), o);
  ASSERT_TRUE(store);
  std::vector<int64_t> ids;
  for (int i = 0; i < 3; ++i) {
    ids.push_back(
        *store->begin_session({i + 1, "s" + std::to_string(i), i * 10 * kHour, 5000, false, ""}));
    fill(*store, ids.back(), i * 10 * kHour, 2.0);
  }
  ASSERT_GT(*store->used_bytes(), o.size_budget_bytes);
  const int64_t now = 22 * kHour;
  auto stats = store->enforce_retention(now, ids.back());
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_GE(stats->sessions_deleted, 1);
  EXPECT_LE(stats->bytes_after, o.size_budget_bytes);
  auto list = store->sessions();
  ASSERT_TRUE(list);
  ASSERT_FALSE(list->empty());
  EXPECT_EQ(list->back().id, ids.back()) << "the active session is never deleted";
  EXPECT_FALSE(store->session(ids.front())) << "the oldest goes first";
}

}  // namespace
}  // namespace memlens::storage
