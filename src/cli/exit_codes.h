// Exit statuses of the memlens command (DESIGN.md "CLI"): 0 ran, 2 bad usage, 3 the target
// could not be started or attached; 1 for a failure while running (e.g. the report could not
// be written after all).
#pragma once

namespace memlens::cli {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;
constexpr int kExitTarget = 3;

}  // namespace memlens::cli
