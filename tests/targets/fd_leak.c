/* fd_leak: opens a log file again and again without closing it (RATE descriptors/s).
 * Usage: fd_leak [SECONDS=60] [RATE_PER_SEC=20] [PATH=/tmp/memlens-fd-leak-PID.log] */
#include <fcntl.h>

#include "target_common.h"

int main(int argc, char** argv) {
  double seconds = target_arg(argc, argv, 1, 60);
  double rate = target_arg(argc, argv, 2, 20);
  char path[256];
  if (argc > 3)
    snprintf(path, sizeof path, "%s", argv[3]);
  else
    snprintf(path, sizeof path, "/tmp/memlens-fd-leak-%d.log", (int)getpid());
  int opened = 0;
  double start = target_now();
  for (;;) {
    double t = target_now() - start;
    if (t >= seconds) break;
    while (opened < (int)(rate * t) && opened < 60000) {
      int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0600);
      if (fd < 0) {
        perror("open");
        return 1;
      }
      ++opened;
    }
    target_sleep_ms(20);
  }
  if (argc <= 3) unlink(path);
  return 0;
}
