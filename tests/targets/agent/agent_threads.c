/* 8 threads x N mixed operations (malloc, calloc, realloc, free, posix_memalign) with
 * cross-thread frees through a shared exchange ring. Every allocation is made in one of the
 * worker_* functions; at the end the program prints the bytes it still holds from them
 * ("expect live_bytes"), says ready, and frees nothing more until told.
 * Usage: agent_threads OPS [WAVES [THREADS]]: WAVES rounds of THREADS threads (at most 128), one
 * after the other, sharing the ring (a later wave frees what an exited one handed over). */
#include <pthread.h>

#include "scenario_common.h"

#define MAX_THREADS 128
#define RING 4096
#define SLOTS 256

static void* g_ring[RING];
static size_t g_ring_size[RING];
static unsigned g_ring_head, g_ring_tail;
static pthread_mutex_t g_ring_lock = PTHREAD_MUTEX_INITIALIZER;
static long g_ops = 100000;
static unsigned long long g_live[MAX_THREADS]; /* bytes each thread's slots hold at its end */

__attribute__((noinline)) void* worker_malloc(size_t n) {
  return malloc(n);
}
__attribute__((noinline)) void* worker_calloc(size_t n) {
  return calloc(1, n);
}
__attribute__((noinline)) void* worker_realloc(void* p, size_t n) {
  return realloc(p, n);
}
__attribute__((noinline)) void* worker_memalign(size_t n) {
  void* p = NULL;
  return posix_memalign(&p, 64, n) == 0 ? p : NULL;
}

static uint64_t next_rand(uint64_t* s) {
  *s ^= *s << 13;
  *s ^= *s >> 7;
  *s ^= *s << 17;
  return *s;
}

static void* worker(void* arg) {
  long id = (long)arg;
  void* slot[SLOTS] = {0};
  size_t size[SLOTS] = {0};
  uint64_t rng = 0x9E3779B97F4A7C15ull * (uint64_t)(id + 1);
  for (long op = 0; op < g_ops; ++op) {
    uint64_t r = next_rand(&rng);
    unsigned i = (unsigned)(r % SLOTS);
    size_t n = 1 + (size_t)((r >> 16) % 2048);
    switch ((r >> 40) % 6) {
      case 0:
      case 1:
        if (slot[i] == NULL) {
          slot[i] = worker_malloc(n);
          size[i] = n;
        }
        break;
      case 2:
        if (slot[i] == NULL) {
          slot[i] = worker_calloc(n);
          size[i] = n;
        } else {
          void* q = worker_realloc(slot[i], n);
          if (q) {
            slot[i] = q;
            size[i] = n;
          }
        }
        break;
      case 3:
        if (slot[i] == NULL) {
          slot[i] = worker_memalign(n);
          size[i] = n;
        }
        break;
      case 4: /* hand it to another thread, which frees it */
        if (slot[i] != NULL) {
          pthread_mutex_lock(&g_ring_lock);
          if (g_ring_head - g_ring_tail < RING) {
            g_ring[g_ring_head % RING] = slot[i];
            g_ring_size[g_ring_head % RING] = size[i];
            ++g_ring_head;
            slot[i] = NULL;
          }
          pthread_mutex_unlock(&g_ring_lock);
        }
        break;
      default: {
        void* p = NULL;
        size_t pn = 0;
        pthread_mutex_lock(&g_ring_lock);
        if (g_ring_head != g_ring_tail) {
          p = g_ring[g_ring_tail % RING];
          pn = g_ring_size[g_ring_tail % RING];
          ++g_ring_tail;
        }
        pthread_mutex_unlock(&g_ring_lock);
        (void)pn;
        if (p != NULL)
          free(p);
        else if (slot[i] != NULL) {
          free(slot[i]);
          slot[i] = NULL;
        }
      }
    }
  }
  unsigned long long live = 0;
  for (unsigned i = 0; i < SLOTS; ++i) live += slot[i] ? size[i] : 0;
  g_live[id % MAX_THREADS] = live;
  return NULL;
}

int main(int argc, char** argv) {
  if (argc > 1) g_ops = atol(argv[1]);
  SCENARIO_SYM(worker_malloc);
  SCENARIO_SYM(worker_calloc);
  SCENARIO_SYM(worker_realloc);
  SCENARIO_SYM(worker_memalign);
  SCENARIO_SYM(worker);
  SCENARIO_SYM(main);
  long waves = argc > 2 ? atol(argv[2]) : 1;
  long threads = argc > 3 ? atol(argv[3]) : 8;
  if (waves < 1 || threads < 1 || threads > MAX_THREADS) return 2;
  pthread_t t[MAX_THREADS];
  unsigned long long live = 0;
  for (long w = 0; w < waves; ++w) {
    for (long i = 0; i < threads; ++i) {
      if (pthread_create(&t[i], NULL, worker, (void*)(w * threads + i)) != 0) return 3;
    }
    for (long i = 0; i < threads; ++i) pthread_join(t[i], NULL);
    for (long i = 0; i < threads; ++i) live += g_live[(w * threads + i) % MAX_THREADS];
  }
  for (unsigned k = g_ring_tail; k != g_ring_head; ++k) live += g_ring_size[k % RING];
  scenario_expect("live_bytes", live);
  scenario_ready();
  return 0;
}
