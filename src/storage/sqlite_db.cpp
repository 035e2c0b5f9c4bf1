#include "storage/sqlite_db.h"

#include <fmt/format.h>

namespace memlens::storage {

std::string describe_sqlite_error(sqlite3* db, int code) {
  const char* msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(code);
  return fmt::format("SQLite: {} (code {})", msg ? msg : "unknown error", code & 0xff);
}

base::Result<bool> Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  base::Error err{describe_sqlite_error(db_, rc), rc & 0xff};
  sqlite3_reset(stmt_);
  return err;
}

base::Status Statement::run() {
  for (;;) {
    auto r = step();
    if (!r) {
      sqlite3_clear_bindings(stmt_);
      return r.error();
    }
    if (!*r) break;
  }
  reset();
  return {};
}

std::string Statement::text_at(int col) const {
  const auto* p = sqlite3_column_text(stmt_, col);
  if (!p) return {};
  return std::string(reinterpret_cast<const char*>(p),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

base::Result<std::unique_ptr<SqliteDb>> SqliteDb::open(const std::string& path, bool create,
                                                       bool read_only) {
  sqlite3* db = nullptr;
  int flags = read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
  if (create && !read_only) flags |= SQLITE_OPEN_CREATE;
  flags |= SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = fmt::format("cannot open {}: {}", path, describe_sqlite_error(db, rc));
    sqlite3_close(db);
    return base::Error{msg, rc & 0xff};
  }
  sqlite3_extended_result_codes(db, 0);
  // Another memlens (e.g. `memlens sessions` while a run records) may hold the write lock
  // briefly; wait for it instead of failing.
  sqlite3_busy_timeout(db, 5000);
  return std::unique_ptr<SqliteDb>(new SqliteDb(db, path));
}

SqliteDb::~SqliteDb() {
  sqlite3_close_v2(db_);
}

base::Result<Statement> SqliteDb::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return base::Error{describe_sqlite_error(db_, rc), rc & 0xff};
  return Statement(db_, stmt);
}

base::Status SqliteDb::exec(std::string_view sql) {
  std::string copy(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, copy.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg =
        fmt::format("SQLite: {} (code {})", err ? err : sqlite3_errstr(rc), rc & 0xff);
    sqlite3_free(err);
    return base::Error{msg, rc & 0xff};
  }
  return {};
}

base::Result<int64_t> SqliteDb::query_int(std::string_view sql) {
  auto st = prepare(sql);
  if (!st) return st.error();
  auto r = st->step();
  if (!r) return r.error();
  return *r ? st->int_at(0) : int64_t{0};
}

}  // namespace memlens::storage
