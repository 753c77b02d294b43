// pingpong: request/response latency between two sockets, for the datapath benchmarks.
//
//   pingpong server --tcp|--udp -i IP -p PORT
//   pingpong client --tcp|--udp -i IP -p PORT [-t SECONDS] [-m SIZE] [-w WARMUP_MS]
//
// The client sends SIZE bytes, waits for SIZE bytes back, and repeats for SECONDS after a short
// warm-up; it prints one JSON line with the one-way latency (round trip / 2, as sockperf and
// netperf report it) in microseconds: {"samples":N,"lost":L,"p50_us":..,"p90_us":..,
// "p99_us":..,"max_us":..}. The server echoes every byte it reads (TCP: a thread per
// connection; UDP: each datagram back to its sender).
//
// Why not sockperf: its client sleeps a fixed 2 s after connecting, whatever the flags, so a 1 s
// measurement costs 3.3 s; the benchmark suite makes ~130 of them. Errors name the problem and
// exit 1 (2 for bad usage); a peer that does not answer (a dropped SYN or datagram) is an error
// after 5 s, never a hang.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SIZE 65536
#define ANSWER_TIMEOUT_S 5

struct options {
  int server, tcp;
  const char *ip;
  int port, seconds, size, warmup_ms;
};

static void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("pingpong: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(1);
}

static void usage(const char *why) {
  fprintf(stderr,
          "pingpong: %s\n"
          "usage: pingpong server --tcp|--udp -i IP -p PORT\n"
          "       pingpong client --tcp|--udp -i IP -p PORT [-t SECONDS] [-m SIZE] [-w WARMUP_MS]\n",
          why);
  exit(2);
}

static int number(const char *s, int min, int max, const char *what) {
  char *end;
  long v = strtol(s, &end, 10);
  if (*s == '\0' || *end != '\0' || v < min || v > max) {
    char msg[128];
    snprintf(msg, sizeof msg, "%s must be a number from %d to %d, not '%s'", what, min, max, s);
    usage(msg);
  }
  return (int)v;
}

static struct options parse(int argc, char **argv) {
  struct options o = {.tcp = -1, .port = -1, .seconds = 1, .size = 64, .warmup_ms = 100};
  if (argc < 2) usage("missing mode (server or client)");
  if (strcmp(argv[1], "server") == 0) o.server = 1;
  else if (strcmp(argv[1], "client") != 0) usage("the mode is server or client");
  for (int i = 2; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--tcp") == 0) o.tcp = 1;
    else if (strcmp(a, "--udp") == 0) o.tcp = 0;
    else if (v == NULL) usage("an option is missing its value");
    else if (strcmp(a, "-i") == 0) o.ip = argv[++i];
    else if (strcmp(a, "-p") == 0) o.port = number(argv[++i], 1, 65535, "the port (-p)");
    else if (strcmp(a, "-t") == 0) o.seconds = number(argv[++i], 1, 3600, "the seconds (-t)");
    else if (strcmp(a, "-m") == 0) o.size = number(argv[++i], 1, MAX_SIZE, "the size (-m)");
    else if (strcmp(a, "-w") == 0) o.warmup_ms = number(argv[++i], 0, 60000, "the warm-up (-w)");
    else usage("unknown option");
  }
  if (o.tcp < 0) usage("say --tcp or --udp");
  if (o.ip == NULL || o.port < 0) usage("-i IP and -p PORT are required");
  return o;
}

static struct sockaddr_in address(const struct options *o) {
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)o->port)};
  if (inet_pton(AF_INET, o->ip, &a.sin_addr) != 1) usage("-i must be an IPv4 address");
  return a;
}

static void set_int(int fd, int level, int name, int value) {
  if (setsockopt(fd, level, name, &value, sizeof value) < 0) die("setsockopt: %s", strerror(errno));
}

// --- server ---

// One connection: echoes what it reads until the peer closes (a blocking recv and send per
// message, as sockperf's server does, so the server adds no syscall of its own to the path).
static void *echo_connection(void *arg) {
  int fd = (int)(intptr_t)arg;
  char *buf = malloc(MAX_SIZE);
  for (ssize_t n; buf != NULL && (n = recv(fd, buf, MAX_SIZE, 0)) > 0;) {
    for (ssize_t off = 0, w; off < n; off += w) {
      w = send(fd, buf + off, (size_t)(n - off), MSG_NOSIGNAL);
      if (w <= 0) goto done;
    }
  }
done:
  free(buf);
  close(fd);
  return NULL;
}

// A thread per connection (threads share the process, so stopping the server stops them all).
static void serve_tcp(int lfd) {
  for (;;) {
    int c = accept(lfd, NULL, NULL);
    if (c < 0) continue;
    set_int(c, IPPROTO_TCP, TCP_NODELAY, 1);
    pthread_t t;
    if (pthread_create(&t, NULL, echo_connection, (void *)(intptr_t)c) != 0) {
      close(c); // no thread: the client sees its connection closed
      continue;
    }
    pthread_detach(t);
  }
}

static void serve_udp(int fd, char *buf) {
  for (;;) {
    struct sockaddr_in from;
    socklen_t len = sizeof from;
    ssize_t n = recvfrom(fd, buf, MAX_SIZE, 0, (struct sockaddr *)&from, &len);
    if (n < 0) continue;
    sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, len);
  }
}

static void server(const struct options *o) {
  struct sockaddr_in a = address(o);
  int fd = socket(AF_INET, o->tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
  if (fd < 0) die("socket: %s", strerror(errno));
  set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1);
  if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0)
    die("cannot bind %s:%d: %s", o->ip, o->port, strerror(errno));
  if (o->tcp && listen(fd, 128) < 0) die("listen: %s", strerror(errno));
  static char buf[MAX_SIZE];
  if (o->tcp) serve_tcp(fd);
  else serve_udp(fd, buf);
}

// --- client ---

static uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

// One request/response; 1 when answered, 0 when a UDP answer timed out (lost).
static int exchange(int fd, int tcp, char *out, char *in, int size) {
  if (send(fd, out, (size_t)size, 0) != size) die("send: %s", strerror(errno));
  for (int got = 0; got < size;) {
    ssize_t n = recv(fd, in + got, (size_t)(size - got), 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (tcp) die("no answer within %d s (is the traffic allowed?)", ANSWER_TIMEOUT_S);
      return 0;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) die("recv: %s", strerror(errno));
    if (n == 0) die("the server closed the connection");
    if (!tcp) return 1; // a datagram is whole
    got += (int)n;
  }
  return 1;
}

static int compare_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

// Nearest-rank percentile of sorted round trips, as one-way microseconds.
static double one_way_us(const uint64_t *rtt, size_t n, double pct) {
  size_t rank = (size_t)(pct / 100.0 * (double)n);
  if (rank >= n) rank = n - 1;
  return (double)rtt[rank] / 2000.0;
}

static void client(const struct options *o) {
  struct sockaddr_in a = address(o);
  int fd = socket(AF_INET, o->tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
  if (fd < 0) die("socket: %s", strerror(errno));
  // Bounds connect (the SYN may be dropped by policy) and every wait for an answer.
  struct timeval timeout = {.tv_sec = ANSWER_TIMEOUT_S};
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  if (o->tcp) set_int(fd, IPPROTO_TCP, TCP_NODELAY, 1);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0)
    die("cannot connect to %s:%d: %s (is the server up and the traffic allowed?)", o->ip, o->port,
        errno == EINPROGRESS ? "timed out" : strerror(errno));

  static char out[MAX_SIZE], in[MAX_SIZE];
  memset(out, 'p', (size_t)o->size);
  if (!exchange(fd, o->tcp, out, in, o->size))
    die("no answer within %d s (is the traffic allowed?)", ANSWER_TIMEOUT_S);
  uint64_t warm_end = now_ns() + (uint64_t)o->warmup_ms * 1000000u;
  while (now_ns() < warm_end) exchange(fd, o->tcp, out, in, o->size);

  size_t cap = 1 << 16, n = 0, lost = 0;
  uint64_t *rtt = malloc(cap * sizeof *rtt);
  if (rtt == NULL) die("out of memory");
  uint64_t end = now_ns() + (uint64_t)o->seconds * 1000000000u;
  for (uint64_t t0 = now_ns(); t0 < end;) {
    int answered = exchange(fd, o->tcp, out, in, o->size);
    uint64_t t1 = now_ns();
    if (!answered) {
      lost++;
    } else {
      if (n == cap) {
        cap *= 2;
        rtt = realloc(rtt, cap * sizeof *rtt);
        if (rtt == NULL) die("out of memory");
      }
      rtt[n++] = t1 - t0;
    }
    t0 = t1;
  }
  close(fd);
  if (n == 0) die("no answers in %d s (is the traffic allowed?)", o->seconds);
  qsort(rtt, n, sizeof *rtt, compare_u64);
  printf("{\"samples\":%zu,\"lost\":%zu,\"p50_us\":%.3f,\"p90_us\":%.3f,\"p99_us\":%.3f,"
         "\"max_us\":%.3f}\n",
         n, lost, one_way_us(rtt, n, 50), one_way_us(rtt, n, 90), one_way_us(rtt, n, 99),
         (double)rtt[n - 1] / 2000.0);
  free(rtt);
}

int main(int argc, char **argv) {
  struct options o = parse(argc, argv);
  if (o.server) server(&o);
  else client(&o);
  return 0;
}
