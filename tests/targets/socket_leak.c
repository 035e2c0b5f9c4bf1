/* socket_leak: a connection pool that never returns connections. It listens on 127.0.0.1 (an
 * ephemeral port, printed), connects to itself RATE times a second and keeps both ends open.
 * Usage: socket_leak [SECONDS=60] [RATE_PER_SEC=10] */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "target_common.h"

int main(int argc, char** argv) {
  double seconds = target_arg(argc, argv, 1, 60);
  double rate = target_arg(argc, argv, 2, 10);
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr = {0};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (listener < 0 || bind(listener, (struct sockaddr*)&addr, sizeof addr) != 0 ||
      listen(listener, 1024) != 0 || getsockname(listener, (struct sockaddr*)&addr, &len) != 0) {
    perror("listen");
    return 1;
  }
  printf("listening on 127.0.0.1:%d\n", ntohs(addr.sin_port));
  fflush(stdout);
  int connected = 0;
  double start = target_now();
  for (;;) {
    double t = target_now() - start;
    if (t >= seconds) break;
    while (connected < (int)(rate * t) && connected < 20000) {
      int c = socket(AF_INET, SOCK_STREAM, 0);
      if (c < 0 || connect(c, (struct sockaddr*)&addr, sizeof addr) != 0) {
        perror("connect");
        return 1;
      }
      if (accept(listener, NULL, NULL) < 0) {
        perror("accept");
        return 1;
      }
      ++connected;
    }
    target_sleep_ms(20);
  }
  return 0;
}
