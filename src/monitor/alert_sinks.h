// Alert sinks: deliver memlens's alerts outside the process. WebhookSink POSTs each alert's
// JSON to an http:// or https:// URL (timeout per attempt, retries with exponential backoff;
// https verifies the server's certificate chain and host name against the system trust store,
// or only against WebhookOptions::ca_file when given); CommandSink
// runs `/bin/sh -c CMD` with the JSON on stdin (`--on-alert`), a bounded number at a time, each
// killed after its timeout. AlertSinks subscribes them to an analyzer's threshold alerts
// (raised ones) and detected leaks.
//
// Never blocking the sampling thread: post() only queues (bounded; when full the oldest waiting
// alert is dropped and counted), and each sink's own worker thread(s) deliver.
//
// Ownership: each sink owns its threads; destruction stops them (an attempt in flight is cut
// short at its timeout). Thread-safety: post() and stats() from any thread.
//
//   monitor::AlertSinks sinks;
//   sinks.add(std::make_unique<monitor::WebhookSink>(monitor::WebhookOptions{.url = url}));
//   sinks.add(std::make_unique<monitor::CommandSink>(monitor::CommandOptions{.command = cmd}));
//   sinks.attach(*analyzer);  // until `sinks` is destroyed
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/result.h"
#include "memlens/analyzer.h"

namespace boost::asio::ssl {
class context;
}

namespace memlens::monitor {

struct SinkStats {
  uint64_t queued = 0, delivered = 0, failed = 0, dropped = 0, attempts = 0;
  std::string last_error;
};

// A bounded queue of JSON texts served by worker threads; the base of both sinks.
class AlertSink {
 public:
  virtual ~AlertSink();
  void post(std::string json);  // never blocks
  SinkStats stats() const;
  virtual std::string describe() const = 0;
  // Waits until nothing is queued or in flight (tests, shutdown); false on timeout.
  bool drain(std::chrono::milliseconds timeout);

 protected:
  AlertSink(size_t capacity, size_t workers);
  void start();  // called by the derived constructor once it is fully built
  void stop();   // called by the derived destructor, before its members go
  // Delivers one alert; returns an error message or empty on success.
  virtual std::string deliver(const std::string& json) = 0;
  // Sleeps for `d` unless the sink is stopping; false when stopping.
  bool pause(std::chrono::milliseconds d);
  void count_attempt();

 private:
  void work();

  size_t capacity_, worker_count_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  size_t in_flight_ = 0;
  bool stopping_ = false;
  SinkStats stats_;
  std::vector<std::thread> workers_;
};

struct WebhookOptions {
  std::string url;      // http[s]://host[:port][/path]
  std::string ca_file;  // https: PEM CA(s) to trust instead of the system store (webhookCaFile)
  std::chrono::milliseconds timeout{5000};  // per attempt: connect, send, response
  int max_attempts = 4;
  std::chrono::milliseconds initial_backoff{500};  // doubles after each failed attempt
  size_t capacity = 256;
};

class WebhookSink : public AlertSink {
 public:
  // Fails (one line) on a URL that is not http[s]://host[:port][/path], or an https URL whose
  // trust store (ca_file, or the system's) cannot be loaded.
  static base::Result<std::unique_ptr<WebhookSink>> create(WebhookOptions options);
  ~WebhookSink() override;
  std::string describe() const override { return "webhook " + options_.url; }

 private:
  explicit WebhookSink(WebhookOptions options);
  std::string deliver(const std::string& json) override;
  std::string post_once(const std::string& json);
  std::string post_once_tls(const std::string& json);

  WebhookOptions options_;
  std::string host_, port_, target_;
  std::unique_ptr<boost::asio::ssl::context> tls_;  // set for https:// only
};

struct CommandOptions {
  std::string command;  // run by /bin/sh -c
  std::chrono::milliseconds timeout{10'000};
  size_t max_concurrent = 2;
  size_t capacity = 256;
};

class CommandSink : public AlertSink {
 public:
  explicit CommandSink(CommandOptions options);
  ~CommandSink() override;
  std::string describe() const override { return "command " + options_.command; }

 private:
  std::string deliver(const std::string& json) override;
  CommandOptions options_;
};

// The JSON a sink receives: {"event": "threshold_alert"|"leak_detected", "pid", "command",
// "timestamp", "alert"|"leak": {...as in the HTTP API...}}.
std::string alert_payload(const Alert& alert, int pid, const std::string& command);
std::string leak_payload(const Leak& leak, int pid, const std::string& command, int64_t now_ms);

class AlertSinks {
 public:
  void add(std::unique_ptr<AlertSink> sink) { sinks_.push_back(std::move(sink)); }
  bool empty() const { return sinks_.empty(); }
  // Subscribes to raised threshold alerts and new leaks; the analyzer must outlive `this`.
  void attach(ProcessMemoryAnalyzer& analyzer);
  void post(const std::string& json);
  const std::vector<std::unique_ptr<AlertSink>>& sinks() const { return sinks_; }

 private:
  std::vector<std::unique_ptr<AlertSink>> sinks_;
  std::vector<Subscription> subscriptions_;  // declared last: unsubscribed before sinks go
};

}  // namespace memlens::monitor
