#include "analysis/module_catalog.h"

#include <array>
#include <utility>

namespace memlens::analysis {
namespace {

struct Entry {
  std::string_view base;
  ModuleType type;
};

// Families whose libraries come in several files: matched as a prefix of the base name
// followed by a separator or a known suffix (see family_of).
constexpr std::array<Entry, 30> kCatalog = {{
    {"sqlite3", ModuleType::kDatabase},     {"pq", ModuleType::kDatabase},
    {"mysqlclient", ModuleType::kDatabase}, {"mariadb", ModuleType::kDatabase},
    {"rocksdb", ModuleType::kDatabase},     {"leveldb", ModuleType::kDatabase},
    {"lmdb", ModuleType::kDatabase},        {"crypto", ModuleType::kCrypto},
    {"ssl", ModuleType::kCrypto},           {"gnutls", ModuleType::kCrypto},
    {"sodium", ModuleType::kCrypto},        {"gcrypt", ModuleType::kCrypto},
    {"nettle", ModuleType::kCrypto},        {"hogweed", ModuleType::kCrypto},
    {"curl", ModuleType::kNetwork},         {"ssh2", ModuleType::kNetwork},
    {"zmq", ModuleType::kNetwork},          {"grpc", ModuleType::kNetwork},
    {"uv", ModuleType::kNetwork},           {"event", ModuleType::kNetwork},
    {"nghttp2", ModuleType::kNetwork},      {"websockets", ModuleType::kNetwork},
    {"z", ModuleType::kCompression},        {"zstd", ModuleType::kCompression},
    {"lz4", ModuleType::kCompression},      {"bz2", ModuleType::kCompression},
    {"lzma", ModuleType::kCompression},     {"brotli", ModuleType::kCompression},
    {"snappy", ModuleType::kCompression},   {"mariadbclient", ModuleType::kDatabase},
}};

// Suffixes that name a part or flavour of the same library family.
constexpr std::array<std::string_view, 7> kFlavours = {"++",    "enc",       "dec",   "common",
                                                       "_core", "_pthreads", "_extra"};

bool family_match(std::string_view base, std::string_view family) {
  if (base == family) return true;
  if (!base.starts_with(family)) return false;
  std::string_view rest = base.substr(family.size());
  // "curl-gnutls", "event-2.1", "ssl3", "grpc++_unsecure": a separator, a version digit or a
  // known flavour suffix. "zstd" after "z" is none of these, so "z" does not claim it.
  if (rest.front() == '-' || rest.front() == '.') return true;
  // A version digit right after the name ("ssl3", "event2"), but not after a name that ends
  // in a digit itself ("lz4") nor after a one-letter name ("z3" is the Z3 solver, not zlib).
  if (rest.front() >= '0' && rest.front() <= '9')
    return family.size() >= 2 && (family.back() < '0' || family.back() > '9');
  for (std::string_view f : kFlavours)
    if (rest.starts_with(f)) return true;
  return false;
}

}  // namespace

std::string library_base_name(std::string_view s) {
  size_t slash = s.rfind('/');
  if (slash != std::string_view::npos) s = s.substr(slash + 1);
  size_t so = s.find(".so");
  if (so != std::string_view::npos &&
      (so + 3 == s.size() || s[so + 3] == '.'))  // ".so" or ".so.N", not ".something"
    s = s.substr(0, so);
  if (s.starts_with("lib") && s.size() > 3) s.remove_prefix(3);
  return std::string(s);
}

ModuleType module_type_for(std::string_view soname_or_path) {
  std::string base = library_base_name(soname_or_path);
  if (base.find(".cpython-") != std::string::npos) return ModuleType::kOther;
  // Exact names first, so "z" is only libz and never the prefix of "zstd"/"zmq".
  for (const Entry& e : kCatalog)
    if (base == e.base) return e.type;
  ModuleType best = ModuleType::kOther;
  size_t best_len = 0;
  for (const Entry& e : kCatalog)
    if (e.base.size() > best_len && family_match(base, e.base)) {
      best = e.type;
      best_len = e.base.size();
    }
  return best;
}

}  // namespace memlens::analysis
