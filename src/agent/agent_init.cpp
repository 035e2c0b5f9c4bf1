#include "agent/agent_init.h"

#include <pthread.h>
#include <unistd.h>

#include "agent/agent_server.h"
#include "agent/real_functions.h"
#include "agent/sys.h"
#include "agent/tracker.h"
#include "agent/unwinder.h"

namespace memlens::agent {

__thread int t_reentry_depth __attribute__((tls_model("initial-exec"))) = 0;

namespace {
int g_init_state = 0;  // 0: not yet, 1: initialising, 2: done

void before_fork() {
  g_state.sites.lock();
  g_state.regions.lock();
  g_state.live.lock_all();
}

void after_fork_parent() {
  g_state.live.unlock_all();
  g_state.regions.unlock();
  g_state.sites.unlock();
}

void after_fork_child() {
  after_fork_parent();
  clock_ticking(false);  // the thread that ticked it is the parent's
  close_inherited_server_fds();
  if (!g_state.config.follow_fork) {
    __atomic_store_n(&g_state.active, false, __ATOMIC_RELAXED);  // untracked by default
    return;
  }
  // The child inherits every live allocation (they are its allocations too) and gets its own
  // socket, named by its own pid.
  ReentryGuard guard;
  g_state.fork_child = true;
  live_fronts_after_fork_child();
  Config fresh = read_config();
  for (unsigned i = 0; i < sizeof fresh.socket_name; ++i) {
    g_state.config.socket_name[i] = fresh.socket_name[i];
  }
  if (g_state.config.verbose) {
    LineWriter().str("memlens-agent: following fork, child pid=").num(uint64_t(getpid())).flush();
  }
  if (!g_state.config.no_server) start_server();
}
}  // namespace

bool ensure_started() {
  if (!resolve_real_functions()) return false;
  if (__atomic_load_n(&g_init_state, __ATOMIC_ACQUIRE) == 2) return true;
  int expected = 0;
  if (!__atomic_compare_exchange_n(&g_init_state, &expected, 1, false, __ATOMIC_ACQ_REL,
                                   __ATOMIC_ACQUIRE)) {
    return true;  // someone else is initialising: forward untracked meanwhile
  }
  ReentryGuard guard;
  g_state.config = read_config();
  log_config(g_state.config);
  if (!init_tracker()) {
    deactivate("could not map the agent's tables");
  } else {
    // libunwind is dlopen'ed from the constructor only; until then libgcc unwinds.
    wire::Unwinder first = g_state.config.unwinder == wire::Unwinder::kLibunwind
                               ? wire::Unwinder::kLibgcc
                               : g_state.config.unwinder;
    g_state.unwinder = unwinder_init(first, g_state.config.stack_cache);
    pthread_atfork(before_fork, after_fork_parent, after_fork_child);
    __atomic_store_n(&g_state.active, true, __ATOMIC_RELEASE);
  }
  __atomic_store_n(&g_init_state, 2, __ATOMIC_RELEASE);
  return true;
}

namespace {
__attribute__((constructor)) void agent_constructor() {
  if (!ensure_started()) return;
  ReentryGuard guard;
  if (g_state.config.unwinder == wire::Unwinder::kLibunwind) {
    g_state.unwinder = unwinder_init(wire::Unwinder::kLibunwind, g_state.config.stack_cache);
  }
  if (!g_state.config.no_server && __atomic_load_n(&g_state.active, __ATOMIC_ACQUIRE)) {
    start_server();
  }
}
}  // namespace

}  // namespace memlens::agent
