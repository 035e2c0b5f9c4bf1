// Test fixture: a real ProcessMemoryAnalyzer watching this test process (sampling every
// 100 ms) and a real Server on a free loopback port. One analyzer per test suite; a Server
// per test so options (token, TLS, limits) can differ.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <thread>

#include "memlens/analyzer.h"
#include "server/server.h"

namespace memlens::server::testing {

class ServerFixture : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Config config;
    config.sampling_interval_ms = 100;
    config.full_pass_interval_ms = 500;
    config.update_interval_ms = 200;
    Target target = Target::self();
    target.use_agent = false;
    auto created = ProcessMemoryAnalyzer::create(config, target);
    ASSERT_TRUE(created) << created.error().message;
    analyzer_ = std::move(*created).release();
    ASSERT_TRUE(analyzer_->start());
    ASSERT_TRUE(analyzer_->force_snapshot());
  }
  static void TearDownTestSuite() {
    if (analyzer_) analyzer_->stop();
    delete analyzer_;
    analyzer_ = nullptr;
  }

  void TearDown() override {
    if (server_) server_->stop();
  }

  // Starts a server with `options` (port 0 unless set); fails the test on error.
  void start(ServerOptions options = {}, int64_t update_interval_ms = 200) {
    options.port = 0;
    options.update_interval_ms = update_interval_ms;
    auto started = Server::start(*analyzer_, options);
    ASSERT_TRUE(started) << started.error().message;
    server_ = std::move(*started);
  }
  uint16_t port() const { return server_->port(); }

  // Polls `done` every 20 ms for up to 60 s (generous: the machine may be loaded).
  static bool eventually(const std::function<bool()>& done) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return done();
  }

  static inline ProcessMemoryAnalyzer* analyzer_ = nullptr;
  std::unique_ptr<Server> server_;
};

}  // namespace memlens::server::testing
