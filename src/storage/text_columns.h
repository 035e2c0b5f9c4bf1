// The few columns the store keeps as text: a site's frames, a leak's evidence, and a full
// pass's per-file and per-descriptor-target lists. Each is compact JSON with short keys,
// written once per site or only when it changed, so text stays a small part of the file.
//
// Pure functions; thread-safe. Decoding never throws: bad text yields an empty list.
//
//   std::string t = encode_frames(site.frames);
//   std::vector<Frame> back = decode_frames(t);
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "memlens/site.h"
#include "memlens/snapshot.h"

namespace memlens::storage {

std::string encode_frames(const std::vector<Frame>& frames);
std::vector<Frame> decode_frames(std::string_view text);

std::string encode_strings(const std::vector<std::string>& items);
std::vector<std::string> decode_strings(std::string_view text);

// Keeps the first kMaxListed entries (the lists arrive sorted by size, largest first).
constexpr size_t kMaxListed = 24;
std::string encode_files(const std::vector<FileMappingUsage>& files);
std::vector<FileMappingUsage> decode_files(std::string_view text);
std::string encode_descriptor_groups(const std::vector<DescriptorGroup>& groups);
std::vector<DescriptorGroup> decode_descriptor_groups(std::string_view text);

// Frames as "function (file:line) [module]" lines, leaf first: the stack text reports show.
std::string frames_to_text(const std::vector<Frame>& frames);

}  // namespace memlens::storage
