// Opening the store: directory, file classification, moving a bad file aside, pragmas,
// migrations. Writing, reading and retention live in their own files.
#include "storage/session_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "base/clock.h"
#include "storage/schema.h"

namespace memlens::storage {
namespace {

namespace fs = std::filesystem;

base::Status ensure_writable_directory(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    return base::Error{fmt::format("cannot create storage directory {}: {}", dir, ec.message()),
                       ec.value()};
  }
  // A probe file tells "read-only file system" or "permission denied" plainly, where SQLite
  // would only say "unable to open database file".
  std::string probe = dir + "/.memlens-write-probe";
  int fd = ::open(probe.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0) {
    int err = errno;
    return base::Error{
        fmt::format("storage directory {} is not writable: {}", dir, std::strerror(err)), err};
  }
  ::close(fd);
  ::unlink(probe.c_str());
  return {};
}

// Renames path (and its -wal/-shm companions) to path.corrupt-<ts>; returns the new name.
base::Result<std::string> move_aside(const std::string& path) {
  std::string target = fmt::format("{}.corrupt-{}", path, base::wall_ms());
  if (::rename(path.c_str(), target.c_str()) != 0) {
    int err = errno;
    return base::Error{fmt::format("cannot move {} aside: {}", path, std::strerror(err)), err};
  }
  for (const char* suffix : {"-wal", "-shm"}) {
    std::string side = path + suffix;
    if (::access(side.c_str(), F_OK) == 0) (void)::rename(side.c_str(), (target + suffix).c_str());
  }
  return target;
}

const char* describe_kind(FileKind kind) {
  return kind == FileKind::kForeign ? "is another program's SQLite database"
                                    : "is not a valid SQLite database (corrupt or foreign bytes)";
}

base::Status configure(SqliteDb& db, bool fresh) {
  // auto_vacuum only takes effect before the first table exists; INCREMENTAL lets retention
  // give pages back to the file system without a full VACUUM.
  if (fresh) {
    if (auto s = db.exec("PRAGMA auto_vacuum = INCREMENTAL"); !s) return s;
  }
  auto st = db.prepare("PRAGMA journal_mode = WAL");
  if (!st) return st.error();
  auto row = st->step();
  if (!row) return row.error();
  if (*row && st->text_at(0) != "wal") {
    return base::Error{
        fmt::format("{}: cannot switch to WAL mode (got {})", db.path(), st->text_at(0))};
  }
  // NORMAL in WAL mode: a commit survives a crash of memlens (kill -9); only an OS crash or
  // power loss may lose the last transactions.
  return db.exec("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = OFF");
}

}  // namespace

std::string store_path(const StoreOptions& options) {
  return (fs::path(options.directory) / options.file_name).string();
}

void RecordBatch::merge(RecordBatch&& later) {
  auto move_all = [](auto& into, auto& from) {
    into.insert(into.end(), std::make_move_iterator(from.begin()),
                std::make_move_iterator(from.end()));
  };
  move_all(snapshots, later.snapshots);
  move_all(sites, later.sites);
  move_all(leaks, later.leaks);
  move_all(patterns, later.patterns);
  move_all(alerts, later.alerts);
  if (later.report_json) {
    report_json = std::move(later.report_json);
    report_ts = later.report_ts;
  }
}

void SessionStore::notice(const std::string& line) const {
  if (options_.on_notice) {
    options_.on_notice(line);
  } else {
    std::fprintf(stderr, "memlens: %s\n", line.c_str());
  }
}

base::Result<std::unique_ptr<SessionStore>> SessionStore::open(const StoreOptions& options) {
  if (auto s = ensure_writable_directory(options.directory); !s) return s.error();
  const std::string path = store_path(options);
  auto say = [&](const std::string& line) {
    if (options.on_notice) {
      options.on_notice(line);
    } else {
      std::fprintf(stderr, "memlens: %s\n", line.c_str());
    }
  };
  for (int attempt = 0;; ++attempt) {
    auto db = SqliteDb::open(path);
    if (!db) return db.error();
    auto kind = classify_file(**db);
    if (!kind)
      return base::Error{fmt::format("cannot read {}: {}", path, kind.error().message),
                         kind.error().code};
    if (*kind == FileKind::kCorrupt || *kind == FileKind::kForeign) {
      db->reset();  // close before renaming
      if (attempt > 0)
        return base::Error{
            fmt::format("{} is still unusable after moving the "
                        "old file aside",
                        path)};
      auto moved = move_aside(path);
      if (!moved) return moved.error();
      say(fmt::format("storage: {} {}; moved it to {} and started a fresh store", path,
                      describe_kind(*kind), *moved));
      continue;
    }
    if (auto s = configure(**db, *kind == FileKind::kEmpty); !s) return s.error();
    if (auto s = migrate(**db); !s) return s.error();
    return std::unique_ptr<SessionStore>(new SessionStore(std::move(*db), options));
  }
}

base::Result<std::unique_ptr<SessionStore>> SessionStore::open_existing(const std::string& path) {
  std::error_code ec;
  std::string file = path;
  if (fs::is_directory(path, ec)) file = (fs::path(path) / "memlens.db").string();
  if (!fs::exists(file, ec))
    return base::Error{fmt::format("no memlens store at {}", file), ENOENT};
  // Read-write without create: a session whose recorder was killed left a -wal file that the
  // first reader must be able to recover; SQLite falls back to read-only when it must.
  auto db = SqliteDb::open(file, /*create=*/false);
  if (!db) return db.error();
  auto kind = classify_file(**db);
  if (!kind) return base::Error{fmt::format("cannot read {}: {}", file, kind.error().message)};
  if (*kind != FileKind::kMemlens) {
    return base::Error{fmt::format("{} is not a memlens store ({})", file,
                                   *kind == FileKind::kEmpty ? "empty" : describe_kind(*kind))};
  }
  auto version = (*db)->query_int("PRAGMA user_version");
  if (!version) return version.error();
  if (*version != kSchemaVersion) {
    return base::Error{fmt::format("{} has schema version {}; this memlens reads {}", file,
                                   *version, kSchemaVersion)};
  }
  StoreOptions options;
  options.directory = fs::path(file).parent_path().string();
  options.file_name = fs::path(file).filename().string();
  return std::unique_ptr<SessionStore>(new SessionStore(std::move(*db), options));
}

base::Result<uint64_t> SessionStore::used_bytes() {
  auto pages = db_->query_int("PRAGMA page_count");
  if (!pages) return pages.error();
  auto free_pages = db_->query_int("PRAGMA freelist_count");
  if (!free_pages) return free_pages.error();
  auto page_size = db_->query_int("PRAGMA page_size");
  if (!page_size) return page_size.error();
  return static_cast<uint64_t>((*pages - *free_pages) * *page_size);
}

}  // namespace memlens::storage
