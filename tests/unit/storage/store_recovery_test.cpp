// Recovery: a corrupt or foreign file is moved aside and a fresh store starts; a newer file is
// refused untouched; a read-only directory and a full disk give clear errors while the writer
// keeps rows in memory and writes them once the store is writable again.
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include <gtest/gtest.h>

#include "storage/schema.h"
#include "storage/session_store.h"
#include "storage/store_writer.h"
#include "store_test_support.h"

namespace memlens::storage {
namespace {

namespace fs = std::filesystem;
using testing::make_snapshot;
using testing::ScratchDir;

std::vector<std::string> corrupt_copies(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().starts_with("memlens.db.corrupt-"))
      out.push_back(e.path().string());
  return out;
}

StoreOptions recording_options(const std::string& dir, std::vector<std::string>* notices) {
  StoreOptions o;
  o.directory = dir;
  o.on_notice = [notices](const std::string& line) { notices->push_back(line); };
  return o;
}

TEST(StoreRecovery, GarbageFileIsMovedAsideWithOneLineNotice) {
  ScratchDir dir;
  {
    std::ofstream f(dir.sub("memlens.db"), std::ios::binary);
    for (int i = 0; i < 8192; ++i) f.put(static_cast<char>((i * 131) ^ 0x5a));
  }
  std::vector<std::string> notices;
  auto store = SessionStore::open(recording_options(dir.path(), &notices));
  ASSERT_TRUE(store) << store.error().message;
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(notices[0].find('\n'), std::string::npos);
  EXPECT_NE(notices[0].find("moved it to"), std::string::npos) << notices[0];
  auto copies = corrupt_copies(dir.path());
  ASSERT_EQ(copies.size(), 1u);
  EXPECT_EQ(fs::file_size(copies[0]), 8192u);  // the bad bytes are kept for inspection
  // The fresh store works.
  auto id = (*store)->begin_session({1, "fresh", 0, 1000, false, ""});
  ASSERT_TRUE(id);
  RecordBatch b;
  b.snapshots.push_back(make_snapshot(1000, 1 << 20));
  EXPECT_TRUE((*store)->append(*id, b));
}

TEST(StoreRecovery, ForeignSqliteDatabaseIsMovedAside) {
  ScratchDir dir;
  {
    auto other = SqliteDb::open(dir.sub("memlens.db"));
    ASSERT_TRUE(other);
    ASSERT_TRUE(
        (*other)->exec("CREATE TABLE customers (id INTEGER, name TEXT);"
                       "INSERT INTO customers VALUES (1, 'x')"));
  }
  std::vector<std::string> notices;
  auto store = SessionStore::open(recording_options(dir.path(), &notices));
  ASSERT_TRUE(store) << store.error().message;
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_NE(notices[0].find("another program's SQLite database"), std::string::npos);
  auto copies = corrupt_copies(dir.path());
  ASSERT_EQ(copies.size(), 1u);
  auto moved = SqliteDb::open(copies[0], false);
  ASSERT_TRUE(moved);
  EXPECT_EQ(*(*moved)->query_int("SELECT COUNT(*) FROM customers"), 1);
  EXPECT_EQ(*(*store)->db().query_int("SELECT COUNT(*) FROM sessions"), 0);
}

TEST(StoreRecovery, NewerSchemaIsRefusedAndLeftInPlace) {
  ScratchDir dir;
  {
    auto store = SessionStore::open(testing::options_for(dir.path()));
    ASSERT_TRUE(store);
    ASSERT_TRUE((*store)->db().exec("PRAGMA user_version = 99"));
  }
  auto again = SessionStore::open(testing::options_for(dir.path()));
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("newer than this memlens"), std::string::npos);
  EXPECT_TRUE(corrupt_copies(dir.path()).empty());
}

TEST(StoreRecovery, ReadOnlyDirectoryGivesClearErrorThenWritesOnceWritable) {
  ScratchDir dir;
  const std::string mnt = dir.sub("mnt");
  if (auto why = testing::mount_tmpfs(mnt, "4m"); !why.empty()) GTEST_SKIP() << why;
  fs::create_directories(mnt + "/store");
  ASSERT_TRUE(testing::remount(mnt, /*read_only=*/true));

  auto direct = SessionStore::open(testing::options_for(mnt + "/store"));
  ASSERT_FALSE(direct);
  EXPECT_NE(direct.error().message.find("is not writable: Read-only file system"),
            std::string::npos)
      << direct.error().message;
  auto missing_dir = SessionStore::open(testing::options_for(mnt + "/other"));
  ASSERT_FALSE(missing_dir);
  EXPECT_NE(missing_dir.error().message.find("cannot create storage directory"), std::string::npos)
      << missing_dir.error().message;

  std::vector<std::string> notices;
  WriterOptions wo;
  wo.store = recording_options(mnt + "/store", &notices);
  StoreWriter writer(wo, {77, "ro-test", 1000, 1000, false, ""});
  for (int i = 0; i < 3; ++i) {
    RecordBatch b;
    b.snapshots.push_back(make_snapshot(1000 * (i + 1), (1 + i) << 20));
    writer.add(std::move(b));
    EXPECT_FALSE(writer.flush(1000 * (i + 1)));
  }
  EXPECT_FALSE(writer.connected());
  EXPECT_EQ(writer.pending_rows(), 3u);
  ASSERT_EQ(notices.size(), 1u) << "the failure is announced once, not every interval";
  EXPECT_NE(notices[0].find("not writable"), std::string::npos) << notices[0];
  EXPECT_NE(notices[0].find("monitoring continues in memory"), std::string::npos);

  ASSERT_TRUE(testing::remount(mnt, /*read_only=*/false));
  RecordBatch b;
  b.snapshots.push_back(make_snapshot(4000, 4 << 20));
  writer.add(std::move(b));
  ASSERT_TRUE(writer.flush(4000)) << writer.last_error();
  EXPECT_EQ(writer.pending_rows(), 0u);
  EXPECT_NE(notices.back().find("writing to"), std::string::npos);
  ASSERT_TRUE(writer.finish(5000));

  auto reader = SessionStore::open_existing(mnt + "/store");
  ASSERT_TRUE(reader) << reader.error().message;
  auto snaps = (*reader)->snapshots(*writer.session_id());
  ASSERT_TRUE(snaps);
  EXPECT_EQ(snaps->size(), 4u);
}

TEST(StoreRecovery, FullDiskKeepsRowsPendingAndWritesThemWhenSpaceReturns) {
  ScratchDir dir;
  const std::string mnt = dir.sub("mnt");
  if (auto why = testing::mount_tmpfs(mnt, "256k"); !why.empty()) GTEST_SKIP() << why;

  std::vector<std::string> notices;
  WriterOptions wo;
  wo.store = recording_options(mnt, &notices);
  wo.retention_every_ms = INT64_MAX / 2;
  StoreWriter writer(wo, {88, "full-disk", 0, 1000, true, ""});
  // Write until the tmpfs is full: sites with long stacks fill pages quickly.
  int64_t ts = 0;
  uint64_t site = 0;
  bool hit_full = false;
  for (int i = 0; i < 2000 && !hit_full; ++i) {
    RecordBatch b;
    b.snapshots.push_back(make_snapshot(ts += 1000, 1 << 20));
    for (int k = 0; k < 20; ++k) {
      auto s = testing::make_site(++site, 4096, 2);
      s.frames[0].function.assign(200, 'f');
      b.sites.push_back(std::move(s));
    }
    writer.add(std::move(b));
    hit_full = !writer.flush(ts);
  }
  ASSERT_TRUE(hit_full) << "a 256k tmpfs never filled up";
  EXPECT_NE(writer.last_error().find("full"), std::string::npos) << writer.last_error();
  ASSERT_FALSE(notices.empty());
  const size_t pending = writer.pending_rows();
  EXPECT_GT(pending, 0u);

  // Still full: more intervals keep the rows in memory.
  RecordBatch b;
  b.snapshots.push_back(make_snapshot(ts += 1000, 2 << 20));
  writer.add(std::move(b));
  EXPECT_FALSE(writer.flush(ts));
  EXPECT_GT(writer.pending_rows(), pending);

  // Space returns (the tmpfs grows, as an operator freeing disk would make room).
  ASSERT_EQ(::mount(nullptr, mnt.c_str(), nullptr, MS_REMOUNT, "size=16m"), 0);
  ASSERT_TRUE(writer.flush(ts + 1)) << writer.last_error();
  EXPECT_EQ(writer.pending_rows(), 0u);
  ASSERT_TRUE(writer.finish(ts + 2));

  auto reader = SessionStore::open_existing(mnt);
  ASSERT_TRUE(reader) << reader.error().message;
  auto snaps = (*reader)->snapshots(*writer.session_id());
  ASSERT_TRUE(snaps);
  EXPECT_EQ(static_cast<int64_t>(snaps->size()), ts / 1000) << "every interval's row is stored";
  EXPECT_EQ(writer.dropped_rows(), 0u);
}

TEST(StoreRecovery, PendingRowsAreBoundedAndDropsCounted) {
  ScratchDir dir;
  const std::string blocked = dir.sub("file-not-dir");
  { std::ofstream(blocked) << "x"; }  // a file where the directory should be: never writable
  WriterOptions wo;
  wo.store = testing::options_for(blocked);
  wo.max_pending_rows = 10;
  StoreWriter writer(wo, {1, "bounded", 0, 1000, false, ""});
  for (int i = 0; i < 25; ++i) {
    RecordBatch b;
    b.snapshots.push_back(make_snapshot(i * 1000, 1 << 20));
    b.sites.push_back(testing::make_site(1, 100 + i, 1 + i));  // same site each time
    writer.add(std::move(b));
    EXPECT_FALSE(writer.flush(i * 1000));
  }
  EXPECT_LE(writer.pending_rows(), 10u);
  EXPECT_GT(writer.dropped_rows(), 0u);
  EXPECT_EQ(writer.pending_rows() + writer.dropped_rows(), 50u);
  EXPECT_NE(writer.last_error().find("cannot create storage directory"), std::string::npos)
      << writer.last_error();
}

}  // namespace
}  // namespace memlens::storage
