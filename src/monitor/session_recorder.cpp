#include "monitor/session_recorder.h"

#include <algorithm>

#include "base/clock.h"
#include "memlens/json.h"

namespace memlens::monitor {
namespace {

// Bounds the queue between two flushes (the store writer bounds what waits across failures).
constexpr size_t kMaxQueuedRows = 10'000;

}  // namespace

RecorderOptions SessionRecorder::options_for(const Config& config,
                                             std::function<void(const std::string&)> on_notice) {
  RecorderOptions o;
  o.writer.store.directory = config.storage_directory;
  o.writer.store.retention_ms = config.retention_period_ms;
  o.writer.store.size_budget_bytes = config.storage_budget_bytes;
  o.writer.store.downsample_after_ms = config.downsample_after_ms;
  o.writer.store.downsample_resolution_ms = config.downsample_resolution_ms;
  o.writer.store.on_notice = std::move(on_notice);
  return o;
}

SessionRecorder::SessionRecorder(ProcessMemoryAnalyzer& analyzer, RecorderOptions options)
    : analyzer_(analyzer), options_(std::move(options)) {}

std::unique_ptr<SessionRecorder> SessionRecorder::start(ProcessMemoryAnalyzer& analyzer,
                                                        RecorderOptions options) {
  std::unique_ptr<SessionRecorder> rec(new SessionRecorder(analyzer, std::move(options)));
  AnalyzerStatus st = analyzer.status();
  storage::SessionStart start;
  start.pid = st.pid;
  start.command = st.command;
  start.started_at = st.started_at ? st.started_at : base::wall_ms();
  start.interval_ms = analyzer.config().sampling_interval_ms;
  start.agent = st.agent_connected;
  start.config_json = analyzer.config().to_json_text();
  rec->writer_ = std::make_unique<storage::StoreWriter>(rec->options_.writer, start);
  rec->status_.path = rec->writer_->path();

  SessionRecorder* self = rec.get();
  auto queue = [self](auto&& fill, bool wake) {
    std::lock_guard lock(self->mutex_);
    if (self->queue_.rows() < kMaxQueuedRows) fill(self->queue_);
    self->dirty_ = true;
    if (wake) self->wake_.notify_one();
  };
  AnalyzerEvents& ev = analyzer.events();
  rec->subscriptions_.push_back(ev.snapshot.connect([queue](const Snapshot& s) {
    queue([&](storage::RecordBatch& b) { b.snapshots.push_back(s); }, true);
  }));
  rec->subscriptions_.push_back(ev.leak_detected.connect([queue](const Leak& l) {
    queue([&](storage::RecordBatch& b) { b.leaks.push_back(l); }, false);
  }));
  rec->subscriptions_.push_back(ev.growth_pattern_detected.connect([queue](const GrowthPattern& p) {
    queue([&](storage::RecordBatch& b) { b.patterns.push_back(p); }, false);
  }));
  rec->subscriptions_.push_back(ev.threshold_alert.connect([queue](const Alert& a) {
    queue([&](storage::RecordBatch& b) { b.alerts.push_back(a); }, false);
  }));
  rec->subscriptions_.push_back(ev.report.connect([queue](const Report& r) {
    std::string text = to_json(r).dump();
    queue(
        [&](storage::RecordBatch& b) {
          b.report_json = std::move(text);
          b.report_ts = r.generated_at;
        },
        false);
  }));
  // What the analyzer holds from before we subscribed (create() takes the first sample): a
  // snapshot seen both ways is stored once, as rows are keyed by (session, timestamp).
  {
    std::lock_guard lock(rec->mutex_);
    std::vector<Snapshot> earlier = analyzer.snapshots();
    rec->queue_.snapshots.insert(rec->queue_.snapshots.begin(), earlier.begin(), earlier.end());
    std::vector<Alert> alerts = analyzer.alerts();
    rec->queue_.alerts.insert(rec->queue_.alerts.begin(), alerts.begin(), alerts.end());
    rec->dirty_ = !rec->queue_.empty();
  }
  rec->thread_ = std::thread([self] { self->run(); });
  return rec;
}

SessionRecorder::~SessionRecorder() {
  stop();
}

storage::RecordBatch SessionRecorder::take_queue() {
  std::lock_guard lock(mutex_);
  storage::RecordBatch out = std::move(queue_);
  queue_ = {};
  dirty_ = false;
  return out;
}

void SessionRecorder::add_sites(storage::RecordBatch& batch) {
  if (!options_.record_sites) return;
  std::vector<SymbolizedSite> sites = analyzer_.sites();
  if (sites.size() > options_.max_sites) {
    std::partial_sort(sites.begin(),
                      sites.begin() + static_cast<std::ptrdiff_t>(options_.max_sites), sites.end(),
                      [](const SymbolizedSite& a, const SymbolizedSite& b) {
                        return a.sample.live_bytes > b.sample.live_bytes;
                      });
    sites.resize(options_.max_sites);
  }
  batch.sites = std::move(sites);
}

void SessionRecorder::publish_status() {
  std::lock_guard lock(mutex_);
  status_.connected = writer_->connected() && writer_->last_error().empty();
  status_.session_id = writer_->session_id().value_or(0);
  status_.pending_rows = writer_->pending_rows();
  status_.dropped_rows = writer_->dropped_rows();
  status_.written_batches = writer_->written_batches();
  status_.last_error = writer_->last_error();
}

void SessionRecorder::run() {
  const auto interval =
      std::chrono::milliseconds(std::max<int64_t>(analyzer_.config().sampling_interval_ms, 100));
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      // Wake on each snapshot; otherwise once an interval, so a failing store is retried even
      // when the target has gone quiet.
      wake_.wait_for(lock, interval, [this] { return stopping_ || dirty_; });
      if (stopping_) return;
    }
    storage::RecordBatch batch = take_queue();
    if (!batch.snapshots.empty()) add_sites(batch);
    writer_->add(std::move(batch));
    (void)writer_->flush(base::wall_ms());  // failures are announced by the writer, once
    publish_status();
  }
}

void SessionRecorder::flush_soon() {
  std::lock_guard lock(mutex_);
  dirty_ = true;
  wake_.notify_one();
}

void SessionRecorder::stop() {
  if (!thread_.joinable()) return;
  subscriptions_.clear();  // no callback runs after this returns
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    wake_.notify_one();
  }
  thread_.join();
  // The final state, written from this thread now that the writer thread is gone.
  storage::RecordBatch batch = take_queue();
  add_sites(batch);
  std::vector<Leak> leaks = analyzer_.leaks();
  batch.leaks.insert(batch.leaks.end(), leaks.begin(), leaks.end());
  if (analyzer_.status().snapshot_count > 0) {
    Report r = analyzer_.report();
    batch.report_json = to_json(r).dump();
    batch.report_ts = r.generated_at;
  }
  writer_->add(std::move(batch));
  (void)writer_->finish(base::wall_ms());
  publish_status();
}

RecorderStatus SessionRecorder::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

}  // namespace memlens::monitor
