// A process with one of every kind of mapping and descriptor memlens classifies; capture.sh
// runs it and copies its /proc files. It writes the addresses and ports it created to the
// facts file (argv[1]) so the tests can check each one's class, then waits for SIGTERM.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define DIR_WITH_SPACE "/tmp/memlens capture"
static pthread_barrier_t ready;
static void* arena_block;
static void* thread_stack_var;

static void* thread_main(void* arg) {
  volatile char on_stack[64 * 1024];
  memset((char*)on_stack, 1, sizeof on_stack);
  if (arg) {  // the first thread's malloc lands in a fresh glibc arena
    // Small blocks stay below the mmap threshold, so they come from the thread's arena.
    for (int i = 0; i < 64; ++i) {
      void* block = malloc(8000);
      memset(block, 2, 8000);
      if (i == 0) arena_block = block;
    }
    thread_stack_var = (void*)on_stack;
  }
  pthread_barrier_wait(&ready);
  pause();
  return NULL;
}

static void* map_file(const char* path, size_t size, int flags) {
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  if (fd < 0 || ftruncate(fd, size) != 0) {
    perror(path);
    exit(1);
  }
  char* p = mmap(NULL, size, PROT_READ | PROT_WRITE, flags, fd, 0);
  if (p == MAP_FAILED) {
    perror("mmap");
    exit(1);
  }
  memset(p, 3, size);
  close(fd);
  return p;
}

static int tcp_listener(int family, int* port) {
  int s = socket(family, SOCK_STREAM, 0);
  struct sockaddr_storage ss = {0};
  socklen_t len;
  if (family == AF_INET) {
    struct sockaddr_in* a = (struct sockaddr_in*)&ss;
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    len = sizeof *a;
  } else {
    struct sockaddr_in6* a = (struct sockaddr_in6*)&ss;
    a->sin6_family = AF_INET6;
    a->sin6_addr = in6addr_loopback;
    len = sizeof *a;
  }
  if (bind(s, (struct sockaddr*)&ss, len) != 0 || listen(s, 8) != 0) {
    perror("listen");
    exit(1);
  }
  getsockname(s, (struct sockaddr*)&ss, &len);
  *port = ntohs(family == AF_INET ? ((struct sockaddr_in*)&ss)->sin_port
                                  : ((struct sockaddr_in6*)&ss)->sin6_port);
  int c = socket(family, SOCK_STREAM, 0);
  if (connect(c, (struct sockaddr*)&ss, len) != 0) {
    perror("connect");
    exit(1);
  }
  return accept(s, NULL, NULL);
}

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  mkdir(DIR_WITH_SPACE, 0700);
  void* spaced = map_file(DIR_WITH_SPACE "/with space.dat", 64 * 1024, MAP_PRIVATE);
  void* deleted = map_file("/tmp/memlens-capture-deleted.dat", 64 * 1024, MAP_SHARED);
  unlink("/tmp/memlens-capture-deleted.dat");
  char* shared_anon =
      mmap(NULL, 256 * 1024, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  memset(shared_anon, 4, 256 * 1024);
  int mfd = memfd_create("memlens-capture", 0);
  ftruncate(mfd, 128 * 1024);
  char* memfd_map = mmap(NULL, 128 * 1024, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
  memset(memfd_map, 5, 128 * 1024);
  void* shm = map_file("/dev/shm/memlens-capture", 32 * 1024, MAP_SHARED);
  char* main_heap = malloc(4096);
  memset(main_heap, 6, 4096);

  pthread_barrier_init(&ready, NULL, 3);
  pthread_t t1, t2;
  pthread_create(&t1, NULL, thread_main, (void*)1);
  pthread_create(&t2, NULL, thread_main, NULL);
  pthread_barrier_wait(&ready);

  int tcp_port = 0, tcp6_port = 0;
  tcp_listener(AF_INET, &tcp_port);
  tcp_listener(AF_INET6, &tcp6_port);
  int udp = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in dns = {.sin_family = AF_INET, .sin_port = htons(53)};
  inet_pton(AF_INET, "127.0.0.53", &dns.sin_addr);
  connect(udp, (struct sockaddr*)&dns, sizeof dns);
  int us = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un ua = {.sun_family = AF_UNIX};
  strcpy(ua.sun_path, DIR_WITH_SPACE "/sock");
  unlink(ua.sun_path);
  bind(us, (struct sockaddr*)&ua, sizeof ua);
  listen(us, 4);
  int uc = socket(AF_UNIX, SOCK_STREAM, 0);
  connect(uc, (struct sockaddr*)&ua, sizeof ua);
  int pair[2], pipes[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, pair);
  pipe(pipes);
  open("/etc/hostname", O_RDONLY);

  FILE* f = fopen(argv[1], "w");
  fprintf(f, "pid %d\nheap_addr %p\narena_addr %p\nthread_stack_addr %p\n", getpid(),
          (void*)main_heap, arena_block, thread_stack_var);
  fprintf(f, "spaced_addr %p\ndeleted_addr %p\nshared_anon_addr %p\nmemfd_addr %p\nshm_addr %p\n",
          spaced, deleted, (void*)shared_anon, (void*)memfd_map, shm);
  fprintf(f, "tcp_port %d\ntcp6_port %d\nunix_path %s\n", tcp_port, tcp6_port, ua.sun_path);
  fclose(f);
  pause();
  return 0;
}
