// Events the analyzer emits (the seed's analyzer.on(...) names) and a typed subscription list.
// Callbacks run on the analyzer's sampling thread: keep them short, copy what you need, and do
// not call back into the analyzer's blocking API from them.
//
//   auto sub = analyzer.events().on_leak([](const memlens::Leak& l) { page(l); });
//   // unsubscribes when `sub` is destroyed
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "memlens/report.h"
#include "memlens/snapshot.h"

namespace memlens {

struct Alert {
  std::string id;
  std::string type;  // "externalMemoryMB" | "externalRatio" | "rssMB" | "leakCount" | "growthRate"
  Severity severity = Severity::kMedium;  // kMedium = warning, kCritical = critical
  std::string message;
  double value = 0;
  double threshold = 0;
  int64_t timestamp = 0;  // ms since epoch
  bool active = true;     // false once the value fell back below the hysteresis band
  bool dismissed = false;
};

// A handle that removes its callback when destroyed.
class Subscription {
 public:
  Subscription() = default;
  explicit Subscription(std::function<void()> cancel) : cancel_(std::move(cancel)) {}
  Subscription(Subscription&&) noexcept = default;
  Subscription& operator=(Subscription&& o) noexcept {
    if (this != &o) {
      reset();
      cancel_ = std::move(o.cancel_);
    }
    return *this;
  }
  ~Subscription() { reset(); }
  void reset() {
    if (cancel_) {
      auto c = std::move(cancel_);
      cancel_ = nullptr;
      c();
    }
  }

 private:
  std::function<void()> cancel_;
};

// Thread-safe list of callbacks of one signature.
template <typename... Args>
class Signal {
 public:
  Subscription connect(std::function<void(Args...)> fn) {
    std::lock_guard lock(state_->mutex);
    uint64_t id = ++state_->next_id;
    state_->slots.push_back({id, std::move(fn)});
    std::weak_ptr<State> weak = state_;
    return Subscription([weak, id] {
      if (auto s = weak.lock()) {
        std::lock_guard lock(s->mutex);
        std::erase_if(s->slots, [id](const Slot& slot) { return slot.id == id; });
      }
    });
  }
  // Calls every callback outside the lock, on a copy taken under it.
  void emit(const Args&... args) const {
    std::vector<Slot> copy;
    {
      std::lock_guard lock(state_->mutex);
      copy = state_->slots;
    }
    for (auto& slot : copy) slot.fn(args...);
  }

 private:
  struct Slot {
    uint64_t id;
    std::function<void(Args...)> fn;
  };
  struct State {
    std::mutex mutex;
    std::vector<Slot> slots;
    uint64_t next_id = 0;
  };
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

// The analyzer's events (seed: externalMemoryLeakDetected, growthPatternDetected,
// bufferLeakDetected, plus snapshot and threshold alerts).
struct AnalyzerEvents {
  Signal<Snapshot> snapshot;                      // every sample
  Signal<Leak> leak_detected;                     // a new leak (or a known one whose severity rose)
  Signal<GrowthPattern> growth_pattern_detected;  // a non-stable pattern, new or changed type
  Signal<BufferLeakDetection> buffer_leak_detected;
  Signal<Alert> threshold_alert;  // raised (active) and cleared (active=false)
  Signal<Report> report;          // each autoReporting run
};

}  // namespace memlens
