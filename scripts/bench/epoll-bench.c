// epoll-bench.c  The C baseline of `npm run bench`: a minimal epoll server and client on loopback.
// Usage: epoll-bench server HOST PORT_BASE NPORTS            (one process per port; holds every accepted socket)
//        epoll-bench client HOST PORT_BASE NPORTS N CONC      (one process per 15 000 sockets; prints the rate)
// Output on stdout: (server) "listening" once every port listens; (client) "established N in MS ms".
// Runs until killed (server) or until N are held for a moment (client). Build: cc -O2 -o epoll-bench epoll-bench.c
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PER_PROCESS 15000

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void serve(const char *host, int port, int ready) {
  int l = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  int one = 1;
  setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
  inet_pton(AF_INET, host, &a.sin_addr);
  if (bind(l, (void *)&a, sizeof a) || listen(l, 4096)) { perror("bind/listen"); exit(1); }
  // tell the parent this port listens
  if (write(ready, "l", 1) != 1) exit(1);
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = l};
  epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev);
  for (;;) {
    struct epoll_event out[64];
    int n = epoll_wait(ep, out, 64, -1);
    for (int i = 0; i < n; i++) {
      // accept until EAGAIN; accepted sockets are held and never read
      while (accept4(l, NULL, NULL, SOCK_NONBLOCK) >= 0) {}
    }
  }
}

static int client(const char *host, int base, int nports, int count, int conc, int offset) {
  int ep = epoll_create1(0);
  int started = 0, done = 0, failed = 0, inflight = 0;
  while (done < count) {
    while (inflight < conc && started < count) {
      int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      if (s < 0) { failed++; started++; done++; continue; }
      struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(base + (offset + started) % nports)};
      inet_pton(AF_INET, host, &a.sin_addr);
      started++;
      if (connect(s, (void *)&a, sizeof a) == 0) { done++; continue; }
      if (errno != EINPROGRESS) { failed++; done++; close(s); continue; }
      struct epoll_event ev = {.events = EPOLLOUT, .data.fd = s};
      epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev);
      inflight++;
    }
    struct epoll_event out[256];
    int n = epoll_wait(ep, out, 256, 1000);
    for (int i = 0; i < n; i++) {
      int err = 0;
      socklen_t len = sizeof err;
      getsockopt(out[i].data.fd, SOL_SOCKET, SO_ERROR, &err, &len);
      epoll_ctl(ep, EPOLL_CTL_DEL, out[i].data.fd, NULL);
      if (err) { failed++; close(out[i].data.fd); }
      inflight--;
      done++;
    }
  }
  return failed;
}

int main(int argc, char **argv) {
  if (argc >= 5 && !strcmp(argv[1], "server")) {
    int base = atoi(argv[3]), nports = atoi(argv[4]);
    pid_t kids[nports];
    int ready[2];
    if (pipe(ready)) return 1;
    for (int p = 0; p < nports; p++) if ((kids[p] = fork()) == 0) serve(argv[2], base + p, ready[1]);
    // "listening" once every port listens: the caller starts the client then
    char c;
    for (int p = 0; p < nports; p++) if (read(ready[0], &c, 1) != 1) return 1;
    printf("listening\n");
    fflush(stdout);
    // SIGTERM to the parent ends the children too (they hold the sockets)
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigprocmask(SIG_BLOCK, &set, NULL);
    int sig = 0;
    sigwait(&set, &sig);
    for (int p = 0; p < nports; p++) kill(kids[p], SIGTERM);
    while (wait(NULL) > 0) {}
    return 0;
  }
  if (argc >= 7 && !strcmp(argv[1], "client")) {
    int base = atoi(argv[3]), nports = atoi(argv[4]), n = atoi(argv[5]), conc = atoi(argv[6]);
    int procs = (n + PER_PROCESS - 1) / PER_PROCESS;
    int pipes[2];
    if (pipe(pipes)) return 1;
    double t0 = now_ms();
    pid_t kids[procs];
    for (int i = 0; i < procs; i++) {
      int share = n / procs + (i < n % procs ? 1 : 0);
      if ((kids[i] = fork()) == 0) {
        int failed = client(argv[2], base, nports, share, conc, i * (n / procs));
        if (write(pipes[1], &failed, sizeof failed) != sizeof failed) return 1;
        // hold the connections until the parent has measured
        pause();
        return 0;
      }
    }
    int failed = 0;
    for (int i = 0; i < procs; i++) {
      int f = 0;
      if (read(pipes[0], &f, sizeof f) == sizeof f) failed += f;
    }
    double ms = now_ms() - t0;
    printf("established %d in %.0f ms (failed %d)\n", n - failed, ms, failed);
    fflush(stdout);
    // stop the children (they hold the sockets) and exit
    for (int i = 0; i < procs; i++) kill(kids[i], SIGTERM);
    while (wait(NULL) > 0) {}
    return 0;
  }
  fprintf(stderr, "usage: epoll-bench server HOST PORT_BASE NPORTS | client HOST PORT_BASE NPORTS N CONC\n");
  return 2;
}
