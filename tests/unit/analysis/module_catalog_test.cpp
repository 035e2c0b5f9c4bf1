#include "analysis/module_catalog.h"

#include <gtest/gtest.h>

namespace memlens::analysis {
namespace {

TEST(ModuleCatalog, DesignTableByBaseName) {
  struct Case {
    const char* name;
    ModuleType type;
  } cases[] = {
      {"libsqlite3.so.0", ModuleType::kDatabase},
      {"libpq.so.5", ModuleType::kDatabase},
      {"libmysqlclient.so.21", ModuleType::kDatabase},
      {"libmariadb.so.3", ModuleType::kDatabase},
      {"librocksdb.so.7.8", ModuleType::kDatabase},
      {"libleveldb.so.1d", ModuleType::kDatabase},
      {"liblmdb.so.0", ModuleType::kDatabase},
      {"libcrypto.so.3", ModuleType::kCrypto},
      {"libssl.so.3", ModuleType::kCrypto},
      {"libgnutls.so.30", ModuleType::kCrypto},
      {"libsodium.so.23", ModuleType::kCrypto},
      {"libgcrypt.so.20", ModuleType::kCrypto},
      {"libnettle.so.8", ModuleType::kCrypto},
      {"libcurl.so.4", ModuleType::kNetwork},
      {"libssh2.so.1", ModuleType::kNetwork},
      {"libzmq.so.5", ModuleType::kNetwork},
      {"libgrpc.so.29", ModuleType::kNetwork},
      {"libuv.so.1", ModuleType::kNetwork},
      {"libevent-2.1.so.7", ModuleType::kNetwork},
      {"libnghttp2.so.14", ModuleType::kNetwork},
      {"libwebsockets.so.17", ModuleType::kNetwork},
      {"libz.so.1", ModuleType::kCompression},
      {"libzstd.so.1", ModuleType::kCompression},
      {"liblz4.so.1", ModuleType::kCompression},
      {"libbz2.so.1.0", ModuleType::kCompression},
      {"liblzma.so.5", ModuleType::kCompression},
      {"libbrotlienc.so.1", ModuleType::kCompression},
      {"libsnappy.so.1", ModuleType::kCompression},
  };
  for (const Case& c : cases) EXPECT_EQ(module_type_for(c.name), c.type) << c.name;
}

TEST(ModuleCatalog, PathsAndRealFileNames) {
  EXPECT_EQ(module_type_for("/usr/lib/x86_64-linux-gnu/libcrypto.so.3"), ModuleType::kCrypto);
  // The file behind the soname libz.so.1, as /proc/PID/maps shows it.
  EXPECT_EQ(module_type_for("/usr/lib/x86_64-linux-gnu/libz.so.1.2.13"), ModuleType::kCompression);
  EXPECT_EQ(module_type_for("liblzma.so.5.4.1"), ModuleType::kCompression);
  EXPECT_EQ(module_type_for("libz.so"), ModuleType::kCompression);
}

TEST(ModuleCatalog, NamesThatOnlyLookAlike) {
  // "z" is zlib only: zstd, zmq and the Z3 solver are not.
  EXPECT_EQ(module_type_for("libzstd.so.1"), ModuleType::kCompression);
  EXPECT_EQ(module_type_for("libzmq.so.5"), ModuleType::kNetwork);
  EXPECT_EQ(module_type_for("libz3.so.4"), ModuleType::kOther);
  EXPECT_EQ(module_type_for("libzip.so.4"), ModuleType::kOther);
  EXPECT_EQ(module_type_for("libsslx.so"), ModuleType::kOther);
  EXPECT_EQ(module_type_for("libeventlog.so"), ModuleType::kOther);
  EXPECT_EQ(module_type_for("libc.so.6"), ModuleType::kOther);
  EXPECT_EQ(module_type_for("libstdc++.so.6"), ModuleType::kOther);
  EXPECT_EQ(module_type_for("server"), ModuleType::kOther);
  EXPECT_EQ(module_type_for(""), ModuleType::kOther);
  // CPython's wrappers are glue, not the library they wrap.
  EXPECT_EQ(module_type_for("_ssl.cpython-311-x86_64-linux-gnu.so"), ModuleType::kOther);
  EXPECT_EQ(module_type_for("zlib.cpython-311-x86_64-linux-gnu.so"), ModuleType::kOther);
}

TEST(ModuleCatalog, FlavoursOfAFamily) {
  EXPECT_EQ(module_type_for("libcurl-gnutls.so.4"), ModuleType::kNetwork);
  EXPECT_EQ(module_type_for("libevent_core-2.1.so.7"), ModuleType::kNetwork);
  EXPECT_EQ(module_type_for("libgrpc++.so.1.51"), ModuleType::kNetwork);
  EXPECT_EQ(module_type_for("libbrotlidec.so.1"), ModuleType::kCompression);
  EXPECT_EQ(module_type_for("libbrotlicommon.so.1"), ModuleType::kCompression);
  EXPECT_EQ(module_type_for("libhogweed.so.6"), ModuleType::kCrypto);
  EXPECT_EQ(module_type_for("libssl3.so"), ModuleType::kCrypto);
}

TEST(ModuleCatalog, LibraryBaseName) {
  EXPECT_EQ(library_base_name("/usr/lib/libz.so.1.2.13"), "z");
  EXPECT_EQ(library_base_name("libstdc++.so.6"), "stdc++");
  EXPECT_EQ(library_base_name("server"), "server");
  EXPECT_EQ(library_base_name("libsomething.solver"), "something.solver");
}

}  // namespace
}  // namespace memlens::analysis
