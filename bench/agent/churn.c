/* Malloc-bound churn: 2 threads, each allocating and freeing mixed sizes (16 B .. 4 KiB) over a
 * window of 256 live blocks, with a cross-thread hand-off every 64 operations. About 1.5 s
 * natively on the reference machine with the default count. Usage: churn [OPS_PER_THREAD] */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WINDOW 256
static long g_ops = 12000000;
static void* volatile g_mailbox[2];

static void* run(void* arg) {
  long id = (long)arg;
  void* slot[WINDOW] = {0};
  uint64_t s = 0x9E3779B97F4A7C15ull * (uint64_t)(id + 1);
  uint64_t sum = 0;
  for (long i = 0; i < g_ops; ++i) {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    unsigned k = (unsigned)(s % WINDOW);
    free(slot[k]);
    size_t n = 16 + (size_t)((s >> 20) % 4080);
    slot[k] = malloc(n);
    ((char*)slot[k])[0] = (char)i;
    sum += (uintptr_t)slot[k] & 0xff;
    if ((i & 63) == 0) { /* hand one block to the other thread, free what it left us */
      void* mine = __atomic_exchange_n(&g_mailbox[id], slot[k], __ATOMIC_ACQ_REL);
      slot[k] = NULL;
      free(mine);
    }
  }
  for (int k = 0; k < WINDOW; ++k) free(slot[k]);
  return (void*)(uintptr_t)sum;
}

int main(int argc, char** argv) {
  if (argc > 1) g_ops = atol(argv[1]);
  pthread_t t[2];
  for (long i = 0; i < 2; ++i) pthread_create(&t[i], NULL, run, (void*)i);
  uint64_t total = 0;
  for (int i = 0; i < 2; ++i) {
    void* r;
    pthread_join(t[i], &r);
    total += (uintptr_t)r;
  }
  free(g_mailbox[0]);
  free(g_mailbox[1]);
  printf("churn %llu\n", (unsigned long long)total);
  return 0;
}
