// Access to the files under tests/data/proc (see its README for how they were captured).
#pragma once

#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>

namespace memlens::procfs::testing {

inline std::string data_path(const std::string& rel) {
  return std::string(MEMLENS_TEST_DATA_DIR) + "/proc/" + rel;
}

inline std::string read_data(const std::string& rel) {
  std::ifstream in(data_path(rel), std::ios::binary);
  if (!in) throw std::runtime_error("missing test data " + rel);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// target/facts: "key value" lines written by capture_target.c.
inline std::map<std::string, std::string> facts() {
  std::map<std::string, std::string> out;
  std::istringstream in(read_data("target/facts"));
  std::string key, value;
  while (in >> key && std::getline(in >> std::ws, value)) out[key] = value;
  return out;
}

inline uint64_t fact_address(const std::string& key) {
  return std::stoull(facts().at(key), nullptr, 16);
}

}  // namespace memlens::procfs::testing
