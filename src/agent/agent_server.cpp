#include "agent/agent_server.h"

#include <errno.h>
#include <malloc.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent/pull_encoder.h"
#include "agent/sys.h"
#include "agent/tracker.h"
#include "wire/codec.h"

namespace memlens::agent {
namespace {

constexpr int kIoTimeoutMs = 5000;

// Waits for fd to become ready for `events`; false on timeout or error.
bool wait_for(int fd, short events, int timeout_ms) {
  pollfd p{fd, events, 0};
  for (;;) {
    int r = poll(&p, 1, timeout_ms);
    if (r > 0) return (p.revents & (events | POLLHUP)) != 0 && (p.revents & POLLNVAL) == 0;
    if (r == 0 || errno != EINTR) return false;
  }
}

bool read_exact(int fd, void* buf, size_t n) {
  auto* p = static_cast<uint8_t*>(buf);
  while (n > 0) {
    if (!wait_for(fd, POLLIN, kIoTimeoutMs)) return false;
    ssize_t r = recv(fd, p, n, 0);
    if (r == 0) return false;
    if (r < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return false;
    }
    p += r;
    n -= size_t(r);
  }
  return true;
}

bool write_exact(int fd, const void* buf, size_t n) {
  auto* p = static_cast<const uint8_t*>(buf);
  while (n > 0) {
    if (!wait_for(fd, POLLOUT, kIoTimeoutMs)) return false;
    ssize_t r = send(fd, p, n, MSG_NOSIGNAL);
    if (r < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return false;
    }
    p += r;
    n -= size_t(r);
  }
  return true;
}

bool reply(int fd, wire::MsgType type, uint32_t seq, const void* body, size_t n) {
  wire::FrameHeader h = wire::make_header(type, uint32_t(n), seq);
  return write_exact(fd, &h, sizeof h) && (n == 0 || write_exact(fd, body, n));
}

bool peer_allowed(int fd) {
  ucred cred{};
  socklen_t len = sizeof cred;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return false;
  return cred.uid == 0 || cred.uid == geteuid();
}

struct Session {
  int fd = -1;
  bool greeted = false;
  uint32_t node_cursor = 1;
};

PullBuffer g_pull;
bool g_stop = false;
int g_listener_fd = -1, g_client_fd = -1;  // for close_inherited_server_fds()

bool handle_hello(Session& s, const wire::FrameHeader& h, const uint8_t* body) {
  wire::HelloRequest req{};
  if (h.length >= sizeof req) memcpy(&req, body, sizeof req);
  wire::HelloReply r{};
  bool deactivated = __atomic_load_n(&g_state.deactivated, __ATOMIC_RELAXED);
  r.result = uint32_t(req.client_version != wire::kVersion ? wire::HandshakeResult::kVersionMismatch
                      : deactivated                        ? wire::HandshakeResult::kDeactivated
                                                           : wire::HandshakeResult::kOk);
  r.agent_version = wire::kVersion;
  r.pid = uint64_t(getpid());
  r.sample_bytes = g_state.config.sample_bytes;
  wire::StatsRecord st;
  fill_stats(&st);
  r.flags = st.flags;
  r.max_depth = g_state.config.max_depth;
  r.start_wall_ms = g_state.start_wall_ms;
  r.unwinder = uint32_t(g_state.unwinder);
  s.greeted = r.result != uint32_t(wire::HandshakeResult::kVersionMismatch);
  s.node_cursor = 1;  // a (re)connected client gets every node again
  return reply(s.fd, wire::MsgType::kHelloReply, h.seq, &r, sizeof r);
}

bool handle_gc(Session& s, const wire::FrameHeader& h) {
  wire::GcReply r{};
  r.rss_before_bytes = rss_bytes();
  uint64_t t0 = mono_ns();
  r.trim_result = malloc_trim(0);
  r.duration_ns = mono_ns() - t0;
  r.rss_after_bytes = rss_bytes();
  return reply(s.fd, wire::MsgType::kGcReply, h.seq, &r, sizeof r);
}

// Serves one request; false ends the session.
bool serve_one(Session& s) {
  wire::FrameHeader h;
  if (!read_exact(s.fd, &h, sizeof h) || wire::check_header(h) != nullptr) return false;
  uint8_t body[64];
  if (h.length > sizeof body) return false;  // no request carries more
  if (h.length > 0 && !read_exact(s.fd, body, h.length)) return false;
  auto type = wire::MsgType(h.type);
  if (type == wire::MsgType::kHello) return handle_hello(s, h, body);
  if (!s.greeted) {
    wire::ErrorReply e{2, 0};
    return reply(s.fd, wire::MsgType::kError, h.seq, &e, sizeof e);
  }
  switch (type) {
    case wire::MsgType::kPull: {
      if (!encode_pull(&g_pull, &s.node_cursor)) {
        wire::ErrorReply e{3, 0};
        return reply(s.fd, wire::MsgType::kError, h.seq, &e, sizeof e);
      }
      return reply(s.fd, wire::MsgType::kPullReply, h.seq, g_pull.data, g_pull.length);
    }
    case wire::MsgType::kForceGc:
      return handle_gc(s, h);
    case wire::MsgType::kShutdown:
      reply(s.fd, wire::MsgType::kShutdownReply, h.seq, nullptr, 0);
      __atomic_store_n(&g_state.active, false, __ATOMIC_RELAXED);
      g_stop = true;
      return false;
    default: {
      wire::ErrorReply e{1, 0};
      return reply(s.fd, wire::MsgType::kError, h.seq, &e, sizeof e);
    }
  }
}

int open_listener() {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return -1;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  size_t n = strlen(g_state.config.socket_name);
  memcpy(addr.sun_path + 1, g_state.config.socket_name, n);  // abstract: leading NUL
  socklen_t len = socklen_t(offsetof(sockaddr_un, sun_path) + 1 + n);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 || listen(fd, 4) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

void* server_main(void*) {
  ++t_reentry_depth;  // everything this thread allocates is the agent's, never recorded
  int listener = open_listener();
  __atomic_store_n(&g_listener_fd, listener, __ATOMIC_RELEASE);
  if (listener < 0) {
    LineWriter()
        .str("memlens-agent: cannot listen on @")
        .str(g_state.config.socket_name)
        .str(" errno=")
        .num(uint64_t(errno))
        .str(" (tracking continues, nobody can pull)")
        .flush();
    return nullptr;
  }
  Session s;
  clock_ticking(true);  // from now on allocations read the time this loop publishes
  while (!g_stop) {
    pollfd fds[2] = {{listener, POLLIN, 0}, {s.fd, POLLIN, 0}};
    int r = poll(fds, s.fd >= 0 ? 2 : 1, kClockTickMs);
    clock_tick();
    if (r <= 0) continue;
    if ((fds[0].revents & POLLIN) != 0) {
      int c = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
      if (c >= 0) {
        if (!peer_allowed(c)) {
          close(c);
        } else {  // the newest client wins: a monitor that reconnects replaces a stale one
          __atomic_store_n(&g_client_fd, -1, __ATOMIC_RELEASE);  // cleared before any close
          if (s.fd >= 0) close(s.fd);
          s = Session{};
          s.fd = c;
          __atomic_store_n(&g_client_fd, c, __ATOMIC_RELEASE);
        }
      }
      continue;
    }
    if (s.fd >= 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) != 0 && !serve_one(s)) {
      __atomic_store_n(&g_client_fd, -1, __ATOMIC_RELEASE);
      close(s.fd);
      s.fd = -1;
    }
  }
  clock_ticking(false);
  __atomic_store_n(&g_client_fd, -1, __ATOMIC_RELEASE);
  __atomic_store_n(&g_listener_fd, -1, __ATOMIC_RELEASE);
  if (s.fd >= 0) close(s.fd);
  close(listener);
  return nullptr;
}

}  // namespace

void close_inherited_server_fds() {
  int l = __atomic_exchange_n(&g_listener_fd, -1, __ATOMIC_ACQ_REL);
  int c = __atomic_exchange_n(&g_client_fd, -1, __ATOMIC_ACQ_REL);
  if (l >= 0) close(l);
  if (c >= 0) close(c);
  g_pull = PullBuffer{};  // the parent's reply buffer stays mapped; the child maps its own
}

void start_server() {
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);  // the thread inherits a fully blocked mask
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, 256 * 1024);
  pthread_t thread;
  int r = pthread_create(&thread, &attr, server_main, nullptr);
  pthread_attr_destroy(&attr);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (r != 0) {
    LineWriter()
        .str("memlens-agent: cannot start the socket thread, error ")
        .num(uint64_t(r))
        .flush();
  } else if (g_state.config.verbose) {
    LineWriter().str("memlens-agent: listening on @").str(g_state.config.socket_name).flush();
  }
}

}  // namespace memlens::agent
