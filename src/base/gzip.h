// gzip: one buffer compressed into the gzip format (RFC 1952), as HTTP's Content-Encoding:
// gzip and pprof's profile.pb.gz expect. Pure function; thread-safe.
//
//   std::string body = memlens::base::gzip(json_text);  // empty only if zlib failed
#pragma once

#include <string>
#include <string_view>

namespace memlens::base {

// The compressed bytes; empty when zlib fails (out of memory), never a partial stream.
std::string gzip(std::string_view raw);

}  // namespace memlens::base
