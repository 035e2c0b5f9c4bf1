// SqliteDb and Statement: thin RAII owners of a sqlite3 connection and a prepared statement,
// turning SQLite's return codes into base::Status with one-line messages. Nothing more: the
// schema, the queries and the policies live in the store's own files.
//
// Ownership: SqliteDb owns the connection; a Statement must not outlive its SqliteDb.
// Thread-safety: none; one connection is used from one thread at a time (the store's caller).
//
//   auto db = SqliteDb::open("/tmp/x.db");
//   auto st = db->prepare("INSERT INTO t VALUES (?1)");
//   st->bind(1, int64_t{42});
//   if (auto s = st->run(); !s) log(s.error().message);
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace memlens::storage {

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(Statement&& o) noexcept : db_(o.db_), stmt_(o.stmt_) { o.stmt_ = nullptr; }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { sqlite3_finalize(stmt_); }

  void bind(int index, int64_t v) { sqlite3_bind_int64(stmt_, index, v); }
  void bind(int index, uint64_t v) { sqlite3_bind_int64(stmt_, index, static_cast<int64_t>(v)); }
  void bind(int index, int v) { sqlite3_bind_int64(stmt_, index, v); }
  void bind(int index, double v) { sqlite3_bind_double(stmt_, index, v); }
  void bind(int index, std::string_view v) {
    sqlite3_bind_text(stmt_, index, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void bind_null(int index) { sqlite3_bind_null(stmt_, index); }
  // Binds NULL for nullopt: NULL costs one header byte in a row, so optional columns are cheap.
  void bind(int index, std::optional<int64_t> v) { v ? bind(index, *v) : bind_null(index); }

  // Steps once: true while a row is available, false when done; error codes become Status.
  base::Result<bool> step();
  // Steps to completion and resets, keeping the bindings cleared for the next use.
  base::Status run();
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  int64_t int_at(int col) const { return sqlite3_column_int64(stmt_, col); }
  double double_at(int col) const { return sqlite3_column_double(stmt_, col); }
  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string text_at(int col) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class SqliteDb {
 public:
  // Opens (creating if asked) the file; does not read it yet: SQLite reads lazily, so a
  // garbage file is only noticed by the first query.
  static base::Result<std::unique_ptr<SqliteDb>> open(const std::string& path, bool create = true,
                                                      bool read_only = false);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  base::Result<Statement> prepare(std::string_view sql);
  base::Status exec(std::string_view sql);  // one or more statements without results
  // The first column of the first row as an integer (PRAGMA user_version, COUNT(*), ...).
  base::Result<int64_t> query_int(std::string_view sql);

  sqlite3* handle() const { return db_; }
  const std::string& path() const { return path_; }
  // The primary result code of the last failed call (SQLITE_FULL, SQLITE_CORRUPT, ...).
  int last_code() const { return sqlite3_errcode(db_) & 0xff; }

 private:
  SqliteDb(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::string path_;
};

// "SQLite: database or disk is full (code 13)", for messages.
std::string describe_sqlite_error(sqlite3* db, int code);

// True for codes that mean the file itself is not a usable memlens database.
inline bool is_corruption_code(int code) {
  code &= 0xff;
  return code == SQLITE_CORRUPT || code == SQLITE_NOTADB;
}

}  // namespace memlens::storage
