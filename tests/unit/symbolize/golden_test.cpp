// Symbolizes code addresses of another process (symtest_target, built here with known
// debug-info shapes) from outside, and compares the frames with a golden file.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "base/clock.h"
#include "golden.h"
#include "symbolize/maps_parser.h"
#include "symbolize/module_map.h"
#include "symbolize/symbolizer.h"

namespace memlens::symbolize {
namespace {

// The target child with pipes on stdin/stdout; closing stdin ends it.
class TargetProcess {
 public:
  explicit TargetProcess(const char* program) {
    int in[2], out[2];
    if (pipe(in) != 0 || pipe(out) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(in[0], 0);
      dup2(out[1], 1);
      close(in[1]);
      close(out[0]);
      execl(program, program, static_cast<char*>(nullptr));
      _exit(127);
    }
    close(in[0]);
    close(out[1]);
    stdin_ = in[1];
    stdout_ = fdopen(out[0], "r");
  }
  ~TargetProcess() {
    if (stdin_ >= 0) close(stdin_);
    if (stdout_ != nullptr) fclose(stdout_);
    if (pid_ > 0) {
      int status = 0;
      waitpid(pid_, &status, 0);
    }
  }
  int pid() const { return pid_; }
  // Lines up to "ready"; empty when the child died first.
  std::vector<std::string> read_until_ready() {
    std::vector<std::string> lines;
    char buf[512];
    while (stdout_ != nullptr && std::fgets(buf, sizeof buf, stdout_) != nullptr) {
      std::string line(buf);
      if (!line.empty() && line.back() == '\n') line.pop_back();
      if (line == "ready") return lines;
      lines.push_back(line);
    }
    return {};
  }

 private:
  pid_t pid_ = -1;
  int stdin_ = -1;
  FILE* stdout_ = nullptr;
};

std::string basename_of(const std::string& p) {
  return std::string(path_basename(p));
}

// Golden rendering: file names reduced to their base name (the build directory varies); the
// module offset of an unknown frame is checked instead of printed (it moves with the
// compiler's code layout): a shared library's is relative to where it was loaded ("+offset"),
// a position-dependent program's is the absolute address, which is its link-time address
// ("+absolute").
std::string render(const std::string& label, const std::vector<Frame>& frames,
                   const ModuleMap& map) {
  std::ostringstream out;
  out << label << ":\n";
  for (const Frame& f : frames) {
    out << "  " << f.function;
    if (!f.file.empty()) out << " (" << basename_of(f.file) << ":" << f.line << ")";
    out << " [" << f.module;
    if (f.function == "??" && !f.module.empty()) {
      const Module* m = map.find(f.address);
      if (m != nullptr && m->base != 0 && f.module_offset == f.address - m->base)
        out << "+offset";
      else if (m != nullptr && f.module_offset == f.address)
        out << "+absolute";
      else
        out << "+WRONG-OFFSET";
    }
    out << "]";
    if (f.inlined) out << " (inlined)";
    if (f.in_executable) out << " (executable)";
    out << "\n";
  }
  return out.str();
}

// Symbolizes every address `program` prints and renders the frames for a golden file.
std::string symbolize_target(const char* program) {
  TargetProcess target(program);
  EXPECT_GT(target.pid(), 0);
  std::vector<std::string> lines = target.read_until_ready();
  EXPECT_FALSE(lines.empty()) << "target did not start: " << program;

  ModuleMap map;
  auto refreshed = map.refresh(target.pid(), base::wall_ms());
  EXPECT_TRUE(refreshed) << refreshed.error().message;
  Symbolizer symbolizer(map);

  std::string actual;
  for (const std::string& line : lines) {
    std::istringstream in(line);
    std::string label, kind, hex;
    in >> label >> kind >> hex;
    uint64_t address = std::stoull(hex, nullptr, 16);
    std::vector<Frame> frames = symbolizer.symbolize(address, kind == "ret");
    EXPECT_FALSE(frames.empty());
    for (const Frame& f : frames) EXPECT_EQ(f.address, address);
    actual += render(label, frames, map);
  }
  std::vector<std::string> errors = symbolizer.take_errors();
  EXPECT_TRUE(errors.empty()) << (errors.empty() ? "" : errors.front());
  return actual;
}

TEST(SymbolizeGolden, FramesOfAnotherProcessMatchGoldenFile) {
  memlens::testing::expect_golden("target_frames.expected", symbolize_target(SYMTEST_TARGET));
}

// ET_EXEC at a fixed address: link-time and run-time addresses coincide, and taking the
// address of a library function yields the program's PLT entry (canonical address).
TEST(SymbolizeGolden, PositionDependentProgramMatchesGoldenFile) {
  memlens::testing::expect_golden("target_frames_nopie.expected",
                                  symbolize_target(SYMTEST_TARGET_NOPIE));
}

TEST(SymbolizeGolden, RepeatedLookupsComeFromTheCache) {
  TargetProcess target(SYMTEST_TARGET);
  ASSERT_GT(target.pid(), 0);
  std::vector<std::string> lines = target.read_until_ready();
  ASSERT_FALSE(lines.empty());
  ModuleMap map;
  ASSERT_TRUE(map.refresh(target.pid(), base::wall_ms()));
  Symbolizer symbolizer(map);
  std::vector<uint64_t> stack;
  for (const std::string& line : lines) {
    std::istringstream in(line);
    std::string label, kind, hex;
    in >> label >> kind >> hex;
    if (kind == "ret") stack.push_back(std::stoull(hex, nullptr, 16));
  }
  std::vector<Frame> first = symbolizer.symbolize_stack(stack);
  size_t files = symbolizer.files_opened();
  std::vector<Frame> second = symbolizer.symbolize_stack(stack);
  EXPECT_EQ(symbolizer.files_opened(), files);  // no module read twice
  ASSERT_EQ(first.size(), second.size());
  for (size_t i = 0; i < first.size(); ++i) EXPECT_EQ(first[i].function, second[i].function);
  // Inline expansion happens inside a stack too: more frames than addresses.
  EXPECT_GT(first.size(), stack.size());
}

}  // namespace
}  // namespace memlens::symbolize
