// ModuleCatalog: which kind of library a module is (DESIGN.md's moduleType table), from its
// soname or path. Matching is on the library's base name — the file name without directory,
// "lib" prefix and ".so..." suffix — compared whole, so "libzstd.so.1" is zstd (compression)
// and never z, "libsqlite3.so.0" is sqlite3 (database), "libssl.so.3" is ssl (crypto).
//
//   database:    sqlite3, pq, mysqlclient, mariadb, rocksdb, leveldb, lmdb
//   crypto:      crypto, ssl, gnutls, sodium, gcrypt, nettle (+ hogweed, nettle's public-key half)
//   network:     curl, ssh2, zmq, grpc, uv, event, nghttp2, websockets
//   compression: z, zstd, lz4, bz2, lzma, brotli, snappy
//   else other. Library name variants are folded first: a trailing version or flavour after a
//   '-' or '_' ("libcurl-gnutls", "libevent_core-2.1", "libgrpc++", "libbrotlienc") maps to
//   its family; CPython extension modules ("_ssl.cpython-311-...so", "zlib.cpython-...so")
//   are "other" — they are glue, the library they wrap is its own module.
//
// Pure functions; thread-safe.
//
//   module_type_for("/usr/lib/x86_64-linux-gnu/libcrypto.so.3") == ModuleType::kCrypto
#pragma once

#include <string>
#include <string_view>

#include "memlens/report.h"

namespace memlens::analysis {

ModuleType module_type_for(std::string_view soname_or_path);

// The library's base name: "/usr/lib/libz.so.1.2.13" → "z", "libstdc++.so.6" → "stdc++",
// "server" → "server".
std::string library_base_name(std::string_view soname_or_path);

}  // namespace memlens::analysis
