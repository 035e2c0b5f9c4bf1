#include "ingest/agent_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <thread>

#include "base/clock.h"
#include "wire/codec.h"

namespace memlens::ingest {
namespace {

using std::chrono::milliseconds;

base::Error io_error(const std::string& what, pid_t pid, int err) {
  return base::Error{what + " (agent of pid " + std::to_string(pid) + ")" +
                         (err != 0 ? std::string(": ") + std::strerror(err) : std::string()),
                     err};
}

// Connects to the abstract socket once; -errno on failure.
int connect_once(pid_t pid) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -errno;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string name = std::string(wire::kSocketPrefix) + std::to_string(pid);
  std::memcpy(addr.sun_path + 1, name.data(), name.size());
  auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0) {
    int err = errno;
    ::close(fd);
    return -err;
  }
  return fd;
}

AgentStats to_stats(const wire::StatsRecord& r) {
  AgentStats s;
  s.live_bytes = r.live_bytes;
  s.live_allocations = r.live_allocations;
  s.heap_total = r.heap_total;
  s.total_allocations = r.total_allocations;
  s.total_frees = r.total_frees;
  s.dropped_events = r.dropped_events;
  s.agent_memory_bytes = r.agent_memory_bytes;
  s.live_table_bytes = r.live_table_bytes;
  s.live_table_entries = r.live_table_entries;
  s.sample_bytes = r.sample_bytes;
  s.site_count = r.site_count;
  s.node_count = r.node_count;
  s.wall_ms = r.wall_ms;
  s.active = (r.flags & wire::kFlagActive) != 0;
  s.deactivated = (r.flags & wire::kFlagDeactivated) != 0;
  s.unwinder = wire::unwinder_name(r.unwinder);
  return s;
}

}  // namespace

base::Result<AgentClient> AgentClient::connect(pid_t pid, milliseconds timeout) {
  AgentClient c(pid);
  if (auto st = c.open_and_greet(timeout); !st) return st.error();
  return c;
}

base::Status AgentClient::open_and_greet(milliseconds timeout) {
  fd_.reset();
  nodes_.clear();
  const int64_t deadline = base::mono_ns() + timeout.count() * 1000000;
  int fd = -ECONNREFUSED;
  for (;;) {
    fd = connect_once(pid_);
    if (fd >= 0 || base::mono_ns() >= deadline) break;
    if (-fd != ECONNREFUSED && -fd != ENOENT) break;  // not "not listening yet": give up now
    std::this_thread::sleep_for(milliseconds(20));
  }
  if (fd < 0) {
    return io_error("no memlens agent listening on @" + std::string(wire::kSocketPrefix) +
                        std::to_string(pid_) + " (was the process started with the agent?)",
                    pid_, -fd);
  }
  fd_.reset(fd);
  wire::HelloRequest hello{wire::kVersion, 0};
  wire::FrameHeader h = wire::make_header(wire::MsgType::kHello, sizeof hello, ++seq_);
  if (auto st = send_all(&h, sizeof h); !st) return st;
  if (auto st = send_all(&hello, sizeof hello); !st) return st;
  wire::FrameHeader rh{};
  if (auto st = recv_all(&rh, sizeof rh); !st) return st;
  if (const char* bad = wire::check_header(rh)) {
    fd_.reset();
    return base::Error{std::string("agent handshake failed: ") + bad};
  }
  wire::HelloReply r{};
  if (rh.type != uint16_t(wire::MsgType::kHelloReply) || rh.length != sizeof r) {
    fd_.reset();
    return base::Error{"agent handshake failed: unexpected reply"};
  }
  if (auto st = recv_all(&r, sizeof r); !st) return st;
  if (r.result == uint32_t(wire::HandshakeResult::kVersionMismatch)) {
    fd_.reset();
    return base::Error{"agent speaks protocol version " + std::to_string(r.agent_version) +
                       ", monitor " + std::to_string(wire::kVersion)};
  }
  info_ = AgentInfo{
      static_cast<pid_t>(r.pid),      r.sample_bytes, r.flags, r.max_depth, r.start_wall_ms,
      wire::unwinder_name(r.unwinder)};
  return {};
}

base::Status AgentClient::send_all(const void* data, size_t n) {
  auto* p = static_cast<const uint8_t*>(data);
  while (n > 0) {
    pollfd pfd{fd_.get(), POLLOUT, 0};
    int r = ::poll(&pfd, 1, static_cast<int>(io_timeout_.count()));
    if (r == 0) {
      fd_.reset();
      return io_error("timed out writing to the agent", pid_, 0);
    }
    ssize_t w = r > 0 ? ::send(fd_.get(), p, n, MSG_NOSIGNAL) : -1;
    if (w < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      int err = errno;
      fd_.reset();
      return io_error("lost the agent connection", pid_, err);
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return {};
}

base::Status AgentClient::recv_all(void* data, size_t n) {
  auto* p = static_cast<uint8_t*>(data);
  while (n > 0) {
    pollfd pfd{fd_.get(), POLLIN, 0};
    int r = ::poll(&pfd, 1, static_cast<int>(io_timeout_.count()));
    if (r == 0) {
      fd_.reset();
      return io_error("timed out waiting for the agent", pid_, 0);
    }
    ssize_t got = r > 0 ? ::recv(fd_.get(), p, n, 0) : -1;
    if (got == 0) {
      fd_.reset();
      return io_error("the agent closed the connection (process exited?)", pid_, 0);
    }
    if (got < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      int err = errno;
      fd_.reset();
      return io_error("lost the agent connection", pid_, err);
    }
    p += got;
    n -= static_cast<size_t>(got);
  }
  return {};
}

base::Result<std::vector<uint8_t>> AgentClient::exchange(uint16_t request, uint16_t expected) {
  if (!fd_) {
    if (auto st = open_and_greet(io_timeout_); !st) return st.error();
  }
  wire::FrameHeader h = wire::make_header(static_cast<wire::MsgType>(request), 0, ++seq_);
  if (auto st = send_all(&h, sizeof h); !st) return st.error();
  wire::FrameHeader rh{};
  if (auto st = recv_all(&rh, sizeof rh); !st) return st.error();
  if (const char* bad = wire::check_header(rh)) {
    fd_.reset();
    return base::Error{std::string("bad reply from the agent: ") + bad};
  }
  std::vector<uint8_t> body(rh.length);
  if (auto st = recv_all(body.data(), body.size()); !st) return st.error();
  if (rh.type == uint16_t(wire::MsgType::kError)) {
    wire::ErrorReply e{};
    std::memcpy(&e, body.data(), std::min(body.size(), sizeof e));
    return base::Error{"the agent refused the request (code " + std::to_string(e.code) + ")"};
  }
  if (rh.type != expected || rh.seq != seq_) {
    fd_.reset();
    return base::Error{"unexpected reply from the agent (type " + std::to_string(rh.type) + ")"};
  }
  return body;
}

std::vector<uint64_t> AgentClient::stack_of(uint32_t leaf) const {
  std::vector<uint64_t> stack;
  for (uint32_t id = leaf; id != 0 && id < nodes_.size() && nodes_[id].known;
       id = nodes_[id].parent) {
    stack.push_back(nodes_[id].ip);
    if (stack.size() > 4096) break;  // a corrupt parent chain must not loop forever
  }
  return stack;
}

base::Result<AgentPull> AgentClient::pull() {
  auto body = exchange(uint16_t(wire::MsgType::kPull), uint16_t(wire::MsgType::kPullReply));
  if (!body) return body.error();
  wire::PullView v{};
  if (!wire::parse_pull(body->data(), body->size(), &v)) {
    fd_.reset();
    return base::Error{"malformed pull reply from the agent"};
  }
  AgentPull out;
  out.stats = to_stats(v.stats);
  out.new_nodes = v.counts.node_count;
  for (uint32_t i = 0; i < v.counts.node_count; ++i) {
    wire::NodeRecord n = v.node(i);
    if (n.id >= nodes_.size()) nodes_.resize(size_t{n.id} + 1);
    nodes_[n.id] = CachedNode{n.parent, n.ip, true};
  }
  out.sites.reserve(v.counts.site_count);
  for (uint32_t i = 0; i < v.counts.site_count; ++i) {
    wire::SiteRecord r = v.site(i);
    SiteSample s;
    s.site_id = r.site_id;
    s.buffer_type = static_cast<BufferType>(r.buffer_type <= 3 ? r.buffer_type : 0);
    s.live_bytes = r.live_bytes;
    s.live_count = r.live_count;
    s.allocations = r.allocations;
    s.frees = r.frees;
    s.allocated_bytes = r.allocated_bytes;
    s.first_seen = r.first_seen_ms;
    s.last_seen = r.last_seen_ms;
    s.oldest_live = r.oldest_live_ms;
    for (int b = 0; b < kAgeBuckets && b < wire::kAgeBucketCount; ++b) {
      s.live_by_age[b] = r.live_by_age[b];
    }
    s.stack = stack_of(r.leaf_node);
    out.sites.push_back(std::move(s));
  }
  return out;
}

base::Result<GcReply> AgentClient::force_gc() {
  auto body = exchange(uint16_t(wire::MsgType::kForceGc), uint16_t(wire::MsgType::kGcReply));
  if (!body) return body.error();
  wire::GcReply r{};
  if (body->size() != sizeof r) return base::Error{"malformed force-gc reply from the agent"};
  std::memcpy(&r, body->data(), sizeof r);
  GcReply g;
  g.rss_before = r.rss_before_bytes;
  g.rss_after = r.rss_after_bytes;
  g.duration = std::chrono::nanoseconds(r.duration_ns);
  g.trimmed = r.trim_result == 1;
  return g;
}

base::Status AgentClient::shutdown() {
  auto body = exchange(uint16_t(wire::MsgType::kShutdown), uint16_t(wire::MsgType::kShutdownReply));
  fd_.reset();
  if (!body) return body.error();
  return {};
}

}  // namespace memlens::ingest
