#include "analysis/profile_export.h"

#include <algorithm>
#include <map>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "base/gzip.h"

namespace memlens::analysis {
namespace {

// --- collapsed ----------------------------------------------------------------------------

std::string frame_label(const Frame& f) {
  if (f.function == "??" || f.function.empty())
    return f.module.empty() ? fmt::format("[{:#x}]", f.address)
                            : fmt::format("[{}+{:#x}]", f.module, f.module_offset);
  std::string out;
  out.reserve(f.function.size());
  for (char c : f.function) {
    if (c == ';')
      out += ':';
    else if (c == '\n' || c == '\r' || c == '\t')
      out += ' ';
    else
      out += c;
  }
  return out;
}

// --- protobuf writer ------------------------------------------------------------------------
// Wire format: each field is a varint key (field_number << 3 | wire_type) then its payload;
// wire type 0 = varint, 2 = length-delimited (strings, sub-messages, packed repeated ints).

class ProtoWriter {
 public:
  void varint(uint64_t v) {
    while (v >= 0x80) {
      buf_ += static_cast<char>((v & 0x7f) | 0x80);
      v >>= 7;
    }
    buf_ += static_cast<char>(v);
  }
  void key(int field, int wire_type) { varint((static_cast<uint64_t>(field) << 3) | wire_type); }
  // proto3 scalars: zero is the default and is left out.
  void uint(int field, uint64_t v) {
    if (v == 0) return;
    key(field, 0);
    varint(v);
  }
  void boolean(int field, bool v) { uint(field, v ? 1 : 0); }
  void bytes(int field, std::string_view s) {  // always written: "" is a table entry too
    key(field, 2);
    varint(s.size());
    buf_.append(s);
  }
  void message(int field, const ProtoWriter& m) { bytes(field, m.buf_); }
  void packed(int field, const std::vector<uint64_t>& values) {
    if (values.empty()) return;
    ProtoWriter p;
    for (uint64_t v : values) p.varint(v);
    bytes(field, p.buf_);
  }
  std::string& str() { return buf_; }

 private:
  std::string buf_;
};

class StringTable {
 public:
  StringTable() { id(""); }
  uint64_t id(const std::string& s) {
    auto [it, added] = ids_.emplace(s, strings_.size());
    if (added) strings_.push_back(s);
    return it->second;
  }
  const std::vector<std::string>& strings() const { return strings_; }

 private:
  std::unordered_map<std::string, uint64_t> ids_;
  std::vector<std::string> strings_;
};

struct MappingInfo {
  uint64_t id = 0, start = UINT64_MAX, limit = 0;
  std::string path;
  bool functions = false, files = false, inlines = false;
};

}  // namespace

std::string to_collapsed(std::span<const SymbolizedSite> sites) {
  std::map<std::string, uint64_t> stacks;
  for (const SymbolizedSite& s : sites) {
    if (s.sample.live_bytes == 0) continue;
    std::string key;
    for (auto it = s.frames.rbegin(); it != s.frames.rend(); ++it) {
      if (!key.empty()) key += ';';
      key += frame_label(*it);
    }
    if (key.empty()) key = "[unknown]";
    stacks[key] += s.sample.live_bytes;
  }
  std::string out;
  for (const auto& [stack, bytes] : stacks) out += fmt::format("{} {}\n", stack, bytes);
  return out;
}

std::string to_pprof(std::span<const SymbolizedSite> sites, int64_t time_ms, bool gzip) {
  StringTable strings;
  ProtoWriter profile;
  for (auto [type, unit] : {std::pair{"alloc_objects", "count"},
                            {"alloc_space", "bytes"},
                            {"inuse_objects", "count"},
                            {"inuse_space", "bytes"}}) {
    ProtoWriter vt;
    vt.uint(1, strings.id(type));
    vt.uint(2, strings.id(unit));
    profile.message(1, vt);
  }

  std::map<std::string, MappingInfo> mappings;                        // by module path (or name)
  std::map<std::pair<std::string, std::string>, uint64_t> functions;  // (name, file) → id
  std::map<std::pair<std::string, uint64_t>, uint64_t> locations;     // (module, address) → id
  ProtoWriter location_msgs, function_msgs;

  auto mapping_for = [&](const Frame& f) -> MappingInfo* {
    if (f.module.empty()) return nullptr;
    std::string key = f.module_path.empty() ? f.module : f.module_path;
    MappingInfo& m = mappings[key];
    if (m.id == 0) {
      m.id = mappings.size();
      m.path = key;
    }
    m.start = std::min(m.start, f.address - std::min(f.address, f.module_offset));
    m.limit = std::max(m.limit, f.address + 1);
    m.functions |= f.function != "??";
    m.files |= !f.file.empty();
    return &m;
  };
  auto function_id = [&](const Frame& f) {
    auto [it, added] = functions.emplace(std::pair{f.function, f.file}, functions.size() + 1);
    if (added) {
      ProtoWriter fn;
      fn.uint(1, it->second);
      fn.uint(2, strings.id(f.function));
      fn.uint(3, strings.id(f.function));
      fn.uint(4, strings.id(f.file));
      function_msgs.message(5, fn);
    }
    return it->second;
  };

  for (const SymbolizedSite& s : sites) {
    std::vector<uint64_t> location_ids;
    // Frames of one address: its inline frames, then the frame that holds them (not inlined).
    for (size_t i = 0; i < s.frames.size();) {
      size_t end = i;
      while (end < s.frames.size() && s.frames[end].inlined && end + 1 < s.frames.size() &&
             s.frames[end + 1].address == s.frames[i].address)
        ++end;
      const Frame& outer = s.frames[end];
      MappingInfo* mapping = mapping_for(outer);
      if (mapping != nullptr && end > i) mapping->inlines = true;
      auto key = std::pair{mapping != nullptr ? mapping->path : std::string(), outer.address};
      auto [it, added] = locations.emplace(key, locations.size() + 1);
      if (added) {
        ProtoWriter loc;
        loc.uint(1, it->second);
        loc.uint(2, mapping != nullptr ? mapping->id : 0);
        loc.uint(3, outer.address);
        for (size_t j = i; j <= end; ++j) {
          if (s.frames[j].function == "??") continue;  // address only: no line entry
          ProtoWriter line;
          line.uint(1, function_id(s.frames[j]));
          line.uint(2, static_cast<uint64_t>(std::max(0, s.frames[j].line)));
          loc.message(4, line);
        }
        location_msgs.message(4, loc);
      }
      location_ids.push_back(it->second);
      i = end + 1;
    }
    ProtoWriter sample;
    sample.packed(1, location_ids);
    sample.packed(2, {s.sample.allocations, s.sample.allocated_bytes, s.sample.live_count,
                      s.sample.live_bytes});
    ProtoWriter label;
    label.uint(1, strings.id("bufferType"));
    label.uint(2, strings.id(to_string(s.sample.buffer_type)));
    sample.message(3, label);
    profile.message(2, sample);
  }

  std::vector<const MappingInfo*> ordered;
  for (const auto& [key, m] : mappings) ordered.push_back(&m);
  std::sort(ordered.begin(), ordered.end(),
            [](const MappingInfo* a, const MappingInfo* b) { return a->id < b->id; });
  for (const MappingInfo* m : ordered) {
    ProtoWriter mp;
    mp.uint(1, m->id);
    mp.uint(2, m->start);
    mp.uint(3, m->limit);
    mp.uint(5, strings.id(m->path));
    mp.boolean(7, m->functions);
    mp.boolean(8, m->files);
    mp.boolean(9, m->files);
    mp.boolean(10, m->inlines);
    profile.message(3, mp);
  }
  profile.str() += location_msgs.str();
  profile.str() += function_msgs.str();

  ProtoWriter period_type;
  period_type.uint(1, strings.id("space"));
  period_type.uint(2, strings.id("bytes"));
  uint64_t default_type = strings.id("inuse_space");
  uint64_t comment = strings.id("memlens: live memory by allocation stack");
  for (const std::string& s : strings.strings()) profile.bytes(6, s);
  profile.uint(9, static_cast<uint64_t>(time_ms) * 1'000'000);
  profile.message(11, period_type);
  profile.uint(12, 1);
  profile.packed(13, {comment});
  profile.uint(14, default_type);
  return gzip ? base::gzip(profile.str()) : profile.str();
}

}  // namespace memlens::analysis
