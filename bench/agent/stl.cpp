// STL-heavy workload: maps of strings to vectors, unordered_map churn, string building and
// sorting — allocation through operator new from inlined libstdc++ code. Usage: stl [ROUNDS]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

int main(int argc, char** argv) {
  long rounds = argc > 1 ? std::atol(argv[1]) : 20;
  uint64_t check = 0;
  for (long r = 0; r < rounds; ++r) {
    std::map<std::string, std::vector<int>> index;
    std::unordered_map<int, std::string> names;
    for (int i = 0; i < 20000; ++i) {
      std::string key = "key-" + std::to_string((i * 7919 + r) % 15000);
      index[key].push_back(i);
      names[i % 5000] = key + "/" + std::to_string(i);
    }
    std::vector<std::string> keys;
    for (const auto& [k, v] : index) keys.push_back(k + std::to_string(v.size()));
    std::sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) {
      return a.size() < b.size() || (a.size() == b.size() && a < b);
    });
    for (int i = 0; i < 20000; i += 3) index.erase("key-" + std::to_string(i));
    check += keys.size() + index.size() + names.size() + keys.front().size();
  }
  std::printf("stl %llu\n", static_cast<unsigned long long>(check));
  return 0;
}
