/*
 * agent.c - the tcpct agent for libslirp (the 4.4BSD-derived TCP/IP stack of
 * QEMU's user-mode networking).
 *
 * The stack under test is slirp's TCP, on its "guest" side. The harness plays
 * the guest: it is 192.0.2.1 on the virtual network 192.0.2.0/24, where slirp
 * is the host 192.0.2.2. Slirp runs inside this process, on the frames of an
 * AF_PACKET socket on eth0 (slirp_input) and writes its own frames there
 * (send_packet callback). Slirp turns every guest connection into a kernel
 * socket inside the container, and the other way round:
 *
 *   guest SYN to 192.0.2.2:P  -> slirp connects to 127.0.0.1:P, so the
 *                                agent's "listen" is a kernel listening socket
 *                                on 127.0.0.1:P and "accept" accepts on it;
 *   agent "connect" 192.0.2.1:P -> a slirp host forwarding 127.0.0.1:H ->
 *                                guest 192.0.2.1:P (slirp_add_hostfwd) and a
 *                                kernel connect to 127.0.0.1:H; slirp accepts
 *                                it and opens the guest connection (SYN).
 *
 * send/recv/shutdown/close/abort act on the agent's kernel socket; slirp reads
 * and writes the other end and carries it over to its guest connection. The
 * TCP endpoints the agent reports ("states") are slirp's guest connections, as
 * slirp_connection_info() prints them, with slirp's BSD state names mapped to
 * RFC 9293 names. Slirp has no guest-facing listening endpoint at all, so the
 * agent never reports LISTEN (hello: "hiddenStates": ["LISTEN"]).
 *
 * The protocol is targets/AGENT-PROTOCOL.md. One thread: slirp's timers and
 * sockets are driven by slirp_pollfds_fill / slirp_pollfds_poll (and
 * slirp_handle_timer for its own timers) in the agent's event loop, which also
 * serves the control connection and the waits of accept and recv.
 *
 *   agent --control PATH        serve the harness on unix socket PATH
 *   agent --parse-info FILE     offline: print the "states" JSON for a saved
 *                               slirp_connection_info() text
 *   agent --version
 *
 * Build: see ../build.sh (gcc, with ../../common/agent_*.c; dynamic, libslirp0
 * + glib).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <slirp/libslirp.h>

#include "agent_buf.h"
#include "agent_control.h"
#include "agent_errno.h"
#include "agent_json.h"
#include "agent_lines.h"
#include "agent_log.h"

#define AGENT_NAME "tcpct-slirp-agent"
#define PROTOCOL_VERSION 1
#define DEFAULT_BACKLOG 16
#define DEFAULT_TIMEOUT_MS 1000
#define DEFAULT_RECV_MAX 65536
#define MAX_RECV 1048576
#define MAX_TIMEOUT_MS 3600000
#define MAX_OWNED 256           /* sockets the harness can own at once */
#define MAX_STASH 32            /* kernel-accepted connections a listener holds back */
#define MAX_ENDPOINTS 1024      /* slirp connections read per "states" */
#define MAX_ACTIVE_MAP 256      /* remembered active opens (guest port -> local port) */
#define FRAMES_PER_ROUND 256    /* bound on frames handed to slirp per loop round */
#define IFACE "eth0"
#define EINTF_WAIT_MS 5000      /* how long to wait for eth0 to appear */

/* The virtual network. The harness is the guest, slirp is the host. */
#define NET_ADDR "192.0.2.0"
#define NET_MASK "255.255.255.0"
#define VHOST_ADDR "192.0.2.2"
#define GUEST_ADDR "192.0.2.1"
#define VNAMESERVER_ADDR "192.0.2.3"   /* must lie in the network; DNS is disabled */

/* ======================================================================
 * 1. Utilities: the clock in ns (the buffer, the log, errno names, JSON,
 *    the control socket and request framing are in targets/common)
 * ====================================================================== */

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* ======================================================================
 * 2. Slirp's connection table: parsing slirp_connection_info()
 * ====================================================================== */

typedef struct {
    char bsd[32];          /* slirp's name: ESTABLISHED, SYN_RCVD, ... */
    const char *state;     /* RFC 9293 name */
    const char *code;      /* two hex digits, as in AGENT-PROTOCOL.md section 6 */
    int fd;                /* slirp's host-side socket */
    bool incoming;         /* opened by slirp towards the guest (host forwarding) */
    struct in_addr laddr;  /* slirp's end on the guest network */
    int lport;
    struct in_addr raddr;  /* the guest's end */
    int rport;
} SlirpConn;

static const struct {
    const char *bsd, *rfc, *code;
} STATE_MAP[] = {
    {"CLOSED", "CLOSED", "07"},
    {"LISTEN", "LISTEN", "0A"},
    {"SYN_SENT", "SYN-SENT", "02"},
    {"SYN_RCVD", "SYN-RECEIVED", "03"},
    {"ESTABLISHED", "ESTABLISHED", "01"},
    {"CLOSE_WAIT", "CLOSE-WAIT", "08"},
    {"FIN_WAIT_1", "FIN-WAIT-1", "04"},
    {"CLOSING", "CLOSING", "0B"},
    {"LAST_ACK", "LAST-ACK", "09"},
    {"FIN_WAIT_2", "FIN-WAIT-2", "05"},
    {"TIME_WAIT", "TIME-WAIT", "06"},
};

/* Active opens the agent made: guest endpoint -> the port slirp uses on its side. */
static struct {
    struct in_addr guest;
    int guest_port;
    int local_port;
} g_active[MAX_ACTIVE_MAP];
static int g_active_next;

static void remember_active(struct in_addr guest, int guest_port, int local_port)
{
    for (int i = 0; i < MAX_ACTIVE_MAP; i++) {
        if (g_active[i].guest_port == guest_port && g_active[i].guest.s_addr == guest.s_addr) {
            g_active[i].local_port = local_port;
            return;
        }
    }
    g_active[g_active_next].guest = guest;
    g_active[g_active_next].guest_port = guest_port;
    g_active[g_active_next].local_port = local_port;
    g_active_next = (g_active_next + 1) % MAX_ACTIVE_MAP;
}

static bool g_offline;  /* --parse-info: slirp's descriptors are not ours to ask */

/*
 * The port slirp uses on its side of a connection it opened towards the guest:
 * slirp's SYN comes from 192.0.2.2 and the port of the kernel socket that
 * connected to the forwarding (sotranslate_accept), i.e. the agent's socket.
 */
static int incoming_local_port(const SlirpConn *c)
{
    for (int i = 0; i < MAX_ACTIVE_MAP; i++) {
        if (g_active[i].guest_port == c->rport && g_active[i].guest.s_addr == c->raddr.s_addr) {
            return g_active[i].local_port;
        }
    }
    if (!g_offline && c->fd >= 0) {
        struct sockaddr_in peer;
        socklen_t len = sizeof peer;
        if (getpeername(c->fd, (struct sockaddr *)&peer, &len) == 0 && peer.sin_family == AF_INET) {
            return ntohs(peer.sin_port);
        }
    }
    return 0;
}

/*
 * Parses slirp_connection_info() text. TCP lines look like
 *   "  TCP[ESTABLISHED]   12       192.0.2.1 40000       192.0.2.2  5000     0     0"
 * (state, slirp's fd, source address and port, destination address and port,
 * receive and send queue). For a connection the guest opened, source is the
 * guest and destination the address it connected to. For one slirp opened
 * towards the guest (host forwarding, SS_INCOMING), source is the local
 * address of slirp's kernel socket (127.0.0.1 here) and destination the guest.
 * HOST_FORWARD lines are the forwardings' kernel listeners, not TCP endpoints
 * of the guest network: skipped. Returns the count, or -1 on a malformed line.
 */
static int parse_connection_info(const char *text, SlirpConn *out, int max, char *why, size_t whylen)
{
    int n = 0;
    const char *line = text;
    int lineno = 0;
    struct in_addr loopback;
    inet_pton(AF_INET, "127.0.0.1", &loopback);
    while (line && *line) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char buf[512];
        lineno++;
        if (len >= sizeof buf) {
            len = sizeof buf - 1;
        }
        memcpy(buf, line, len);
        buf[len] = '\0';
        line = end ? end + 1 : NULL;

        const char *s = buf;
        while (*s == ' ') {
            s++;
        }
        if (strncmp(s, "TCP[", 4) != 0) {
            continue;   /* the header, UDP and ICMP lines */
        }
        char st[32], src[64], dst[64];
        int fd, sport, dport, rq, sq;
        if (sscanf(s, "TCP[%31[^]]] %d %63s %d %63s %d %d %d", st, &fd, src, &sport, dst, &dport, &rq, &sq) != 8) {
            snprintf(why, whylen, "line %d: malformed: %.160s", lineno, s);
            return -1;
        }
        if (strcmp(st, "HOST_FORWARD") == 0 || strcmp(st, "NONE") == 0) {
            continue;
        }
        if (n >= max) {
            break;
        }
        SlirpConn *c = &out[n];
        memset(c, 0, sizeof *c);
        snprintf(c->bsd, sizeof c->bsd, "%s", st);
        c->state = "UNKNOWN";
        c->code = "00";
        for (size_t i = 0; i < sizeof STATE_MAP / sizeof STATE_MAP[0]; i++) {
            if (strcmp(STATE_MAP[i].bsd, st) == 0) {
                c->state = STATE_MAP[i].rfc;
                c->code = STATE_MAP[i].code;
            }
        }
        c->fd = fd;
        struct in_addr sa = {0}, da = {0};
        if (strcmp(src, "*") != 0 && inet_pton(AF_INET, src, &sa) != 1) {
            snprintf(why, whylen, "line %d: bad source address: %s", lineno, src);
            return -1;
        }
        if (inet_pton(AF_INET, dst, &da) != 1) {
            snprintf(why, whylen, "line %d: bad destination address: %s", lineno, dst);
            return -1;
        }
        if (sa.s_addr == loopback.s_addr) {
            c->incoming = true;
            c->raddr = da;
            c->rport = dport;
            inet_pton(AF_INET, VHOST_ADDR, &c->laddr);
            c->lport = incoming_local_port(c);
        } else {
            c->incoming = false;
            c->raddr = sa;
            c->rport = sport;
            c->laddr = da;
            c->lport = dport;
        }
        n++;
    }
    return n;
}

static void buf_endpoints(Buf *b, const SlirpConn *c, int n)
{
    buf_puts(b, "[");
    for (int i = 0; i < n; i++) {
        char la[INET_ADDRSTRLEN], ra[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &c[i].laddr, la, sizeof la);
        inet_ntop(AF_INET, &c[i].raddr, ra, sizeof ra);
        buf_printf(b, "%s{\"local\":\"%s:%d\",\"remote\":\"%s:%d\",\"state\":\"%s\",\"code\":\"%s\"}", i ? "," : "", la,
                   c[i].lport, ra, c[i].rport, c[i].state, c[i].code);
    }
    buf_puts(b, "]");
}

/* ======================================================================
 * 3. Slirp glue: the packet socket, callbacks, timers, the event loop
 * ====================================================================== */

static Slirp *g_slirp;
static int g_pkt = -1;          /* AF_PACKET socket on eth0 */
static int g_ifindex;
static unsigned char g_mac[6];  /* eth0's MAC */
static int g_ctl = -1;          /* the control connection */
static bool g_ctl_eof;
static LineReader g_lines;       /* control bytes read, not yet handled */
static unsigned long g_frames_in, g_frames_out;

typedef struct Timer {
    SlirpTimerId id;
    SlirpTimerCb cb;            /* legacy timer_new; NULL for timer_new_opaque */
    void *cb_opaque;
    int64_t expire_ms;
    bool armed;
    struct Timer *next;
} Timer;
static Timer *g_timers;

static struct pollfd *g_pfd;
static int g_npfd, g_cappfd;

static void exit_agent(int status) __attribute__((noreturn));
static void exit_agent(int status)
{
    agent_note("exiting with status %d (%lu frames in, %lu out)", status, g_frames_in, g_frames_out);
    exit(status);
}

static ssize_t cb_send_packet(const void *buf, size_t len, void *opaque)
{
    (void)opaque;
    ssize_t n = send(g_pkt, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n < 0) {
        agent_note("send_packet: %s", strerror(errno));
        return -1;
    }
    g_frames_out++;
    return n;
}

static void cb_guest_error(const char *msg, void *opaque)
{
    (void)opaque;
    agent_note("slirp: guest error: %s", msg);
}

/*
 * Slirp runs its TCP slow timer (tcp_slowtimo, PR_SLOWHZ = 2 ticks a second)
 * from slirp_pollfds_poll, when at least 499 ms passed since the last run, by
 * the clock it reads first thing there (its "curtime"). The agent mirrors that
 * moment so that its loop wakes when the next tick is due: otherwise a tick
 * would wait for the first wake-up after it is due and the 500 ms ticks would
 * stretch (by up to the interval of the harness's state polls).
 */
static bool g_capture_curtime;
static int64_t g_curtime_ms;        /* slirp's curtime in the last slirp_pollfds_poll */
static int64_t g_last_slowtimo_ms;  /* mirror of slirp->last_slowtimo */
#define SLIRP_TIMEOUT_SLOW 499      /* TIMEOUT_SLOW in slirp.c */

static int64_t cb_clock_get_ns(void *opaque)
{
    (void)opaque;
    int64_t ns = now_ns();
    if (g_capture_curtime) {
        g_capture_curtime = false;
        g_curtime_ms = ns / 1000000;
    }
    return ns;
}

static void *cb_timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
    (void)opaque;
    Timer *t = calloc(1, sizeof *t);
    if (!t) {
        agent_oom();
    }
    t->cb = cb;
    t->cb_opaque = cb_opaque;
    t->next = g_timers;
    g_timers = t;
    return t;
}

static void *cb_timer_new_opaque(SlirpTimerId id, void *cb_opaque, void *opaque)
{
    (void)opaque;
    Timer *t = calloc(1, sizeof *t);
    if (!t) {
        agent_oom();
    }
    t->id = id;
    t->cb_opaque = cb_opaque;
    t->next = g_timers;
    g_timers = t;
    return t;
}

static void cb_timer_free(void *timer, void *opaque)
{
    (void)opaque;
    for (Timer **pp = &g_timers; *pp; pp = &(*pp)->next) {
        if (*pp == timer) {
            *pp = ((Timer *)timer)->next;
            free(timer);
            return;
        }
    }
}

static void cb_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
    (void)opaque;
    Timer *t = timer;
    t->expire_ms = expire_ms;
    t->armed = true;
}

static void cb_register_poll_fd(int fd, void *opaque)
{
    (void)fd;
    (void)opaque;
}

static void cb_unregister_poll_fd(int fd, void *opaque)
{
    (void)fd;
    (void)opaque;
}

static void cb_notify(void *opaque)
{
    (void)opaque;
}

static const SlirpCb CALLBACKS = {
    .send_packet = cb_send_packet,
    .guest_error = cb_guest_error,
    .clock_get_ns = cb_clock_get_ns,
    .timer_new = cb_timer_new,
    .timer_free = cb_timer_free,
    .timer_mod = cb_timer_mod,
    .register_poll_fd = cb_register_poll_fd,
    .unregister_poll_fd = cb_unregister_poll_fd,
    .notify = cb_notify,
    .timer_new_opaque = cb_timer_new_opaque,
};

static int pfd_add(int fd, short events)
{
    if (g_npfd == g_cappfd) {
        int cap = g_cappfd ? g_cappfd * 2 : 64;
        struct pollfd *p = realloc(g_pfd, (size_t)cap * sizeof *p);
        if (!p) {
            agent_oom();
        }
        g_pfd = p;
        g_cappfd = cap;
    }
    g_pfd[g_npfd].fd = fd;
    g_pfd[g_npfd].events = events;
    g_pfd[g_npfd].revents = 0;
    return g_npfd++;
}

static int cb_add_poll(int fd, int events, void *opaque)
{
    (void)opaque;
    short ev = 0;
    if (events & SLIRP_POLL_IN) ev |= POLLIN;
    if (events & SLIRP_POLL_OUT) ev |= POLLOUT;
    if (events & SLIRP_POLL_PRI) ev |= POLLPRI;
    if (events & SLIRP_POLL_ERR) ev |= POLLERR;
    if (events & SLIRP_POLL_HUP) ev |= POLLHUP;
    return pfd_add(fd, ev);
}

static int cb_get_revents(int idx, void *opaque)
{
    (void)opaque;
    if (idx < 0 || idx >= g_npfd) {
        return 0;
    }
    short re = g_pfd[idx].revents;
    int ev = 0;
    if (re & POLLIN) ev |= SLIRP_POLL_IN;
    if (re & POLLOUT) ev |= SLIRP_POLL_OUT;
    if (re & POLLPRI) ev |= SLIRP_POLL_PRI;
    if (re & POLLERR) ev |= SLIRP_POLL_ERR;
    if (re & POLLHUP) ev |= SLIRP_POLL_HUP;
    return ev;
}

/* Hands the frames waiting on eth0 to slirp (at most FRAMES_PER_ROUND). */
static void input_frames(void)
{
    static unsigned char frame[65536];
    for (int i = 0; i < FRAMES_PER_ROUND; i++) {
        struct sockaddr_ll from;
        socklen_t fl = sizeof from;
        ssize_t n = recvfrom(g_pkt, frame, sizeof frame, MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
        if (n < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                agent_note("reading eth0: %s", strerror(errno));
            }
            return;
        }
        if (from.sll_pkttype == PACKET_OUTGOING) {
            continue;   /* our own frames, seen on the way out */
        }
        g_frames_in++;
        slirp_input(g_slirp, frame, (int)n);
    }
}

static void fire_timers(void)
{
    int64_t now = now_ns() / 1000000;
    bool again = true;
    /* a timer callback may free or re-arm timers: restart the scan after each one */
    for (int rounds = 0; again && rounds < 64; rounds++) {
        again = false;
        for (Timer *t = g_timers; t; t = t->next) {
            if (t->armed && t->expire_ms <= now) {
                t->armed = false;
                if (t->cb) {
                    t->cb(t->cb_opaque);
                } else {
                    slirp_handle_timer(g_slirp, t->id, t->cb_opaque);
                }
                again = true;
                break;
            }
        }
    }
}

static void read_control(void)
{
    char tmp[16384];
    for (int i = 0; i < 64; i++) {
        ssize_t n = recv(g_ctl, tmp, sizeof tmp, MSG_DONTWAIT);
        if (n > 0) {
            lines_feed(&g_lines, tmp, (size_t)n);
            continue;
        }
        if (n == 0) {
            g_ctl_eof = true;
        } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            g_ctl_eof = true;   /* a broken control connection ends the agent like EOF */
        }
        return;
    }
}

static volatile sig_atomic_t g_signal;

static void on_signal(int sig)
{
    g_signal = sig;
}

/*
 * One round of the event loop: waits at most max_ms (also bounded by slirp's
 * own timeout and timers) for the control connection, eth0, slirp's sockets
 * and, if extra_fd >= 0, extra_fd with extra_events; then lets slirp handle
 * its sockets and timers and hands it the frames that arrived. Returns the
 * revents of extra_fd. in_wait: a control EOF ends the agent at once.
 */
static short pump(long long max_ms, int extra_fd, short extra_events, bool in_wait)
{
    if (g_signal) {
        agent_note("signal %d", (int)g_signal);
        exit_agent(0);
    }
    g_npfd = 0;
    int ictl = g_ctl_eof ? -1 : pfd_add(g_ctl, POLLIN);
    int ipkt = pfd_add(g_pkt, POLLIN);
    int iextra = extra_fd >= 0 ? pfd_add(extra_fd, extra_events) : -1;

    uint32_t timeout = max_ms < 0 ? 1000 : (max_ms > 1000 ? 1000 : (uint32_t)max_ms);
    int64_t now = now_ns() / 1000000;
    for (Timer *t = g_timers; t; t = t->next) {
        if (t->armed) {
            int64_t d = t->expire_ms - now;
            if (d < 0) {
                d = 0;
            }
            if ((uint64_t)d < timeout) {
                timeout = (uint32_t)d;
            }
        }
    }
    /*
     * Offered 1000 ms, slirp_pollfds_fill answers 2 when its fast timer (delayed
     * ACK) is pending, 499 when its slow timer runs (it has TCP sockets), else
     * 1000. The slow tick is then awaited until the moment it is due.
     */
    uint32_t slirp_t = 1000;
    slirp_pollfds_fill(g_slirp, &slirp_t, cb_add_poll, NULL);
    bool slowtimo = slirp_t != 1000;
    if (slirp_t < timeout) {
        timeout = slirp_t;
    }
    if (slowtimo) {
        int64_t due = g_last_slowtimo_ms + SLIRP_TIMEOUT_SLOW - now;
        if (due < 0) {
            due = 0;
        }
        if ((uint64_t)due < timeout) {
            timeout = (uint32_t)due;
        }
    }

    int rc = poll(g_pfd, (nfds_t)g_npfd, (int)timeout);
    int select_error = rc < 0 ? 1 : 0;
    if (rc < 0 && errno != EINTR) {
        agent_note("poll: %s", strerror(errno));
    }
    if (rc < 0) {
        for (int i = 0; i < g_npfd; i++) {
            g_pfd[i].revents = 0;
        }
    }
    short extra_re = iextra >= 0 ? g_pfd[iextra].revents : 0;
    bool pkt_ready = (g_pfd[ipkt].revents & POLLIN) != 0;
    bool ctl_ready = ictl >= 0 && (g_pfd[ictl].revents & (POLLIN | POLLHUP | POLLERR)) != 0;

    /* slirp's own sockets first: its socket list must not change between fill and poll */
    g_capture_curtime = true;
    slirp_pollfds_poll(g_slirp, select_error, cb_get_revents, NULL);
    g_capture_curtime = false;
    if (slowtimo && g_curtime_ms - g_last_slowtimo_ms >= SLIRP_TIMEOUT_SLOW) {
        g_last_slowtimo_ms = g_curtime_ms;   /* slirp ran tcp_slowtimo just now */
    }
    fire_timers();
    if (pkt_ready) {
        input_frames();
    }
    if (ctl_ready) {
        read_control();
        if (g_ctl_eof && in_wait) {
            agent_note("harness hung up during a wait");
            exit_agent(0);
        }
    }
    return extra_re;
}

/* ======================================================================
 * 4. Owned sockets and command handlers
 * ====================================================================== */

enum { K_FREE, K_UNBOUND, K_LISTENER, K_CONN };

typedef struct {
    int kind;
    int fd;                  /* the agent's kernel socket; also the protocol's "sock" */
    /* K_LISTENER */
    int port;
    int stash[MAX_STASH];    /* accepted from the kernel, not yet handed to the harness */
    int nstash;
    /* K_CONN made by connect: slirp's forwarding to remove on close */
    int hostfwd_port;
} Owned;

static Owned g_owned[MAX_OWNED];

static Owned *owned_find(int fd)
{
    for (int i = 0; i < MAX_OWNED; i++) {
        if (g_owned[i].kind != K_FREE && g_owned[i].fd == fd) {
            return &g_owned[i];
        }
    }
    return NULL;
}

static Owned *owned_add(int fd, int kind)
{
    for (int i = 0; i < MAX_OWNED; i++) {
        if (g_owned[i].kind == K_FREE) {
            memset(&g_owned[i], 0, sizeof g_owned[i]);
            g_owned[i].fd = fd;
            g_owned[i].kind = kind;
            return &g_owned[i];
        }
    }
    return NULL;
}

/* SO_LINGER 0, then close: the kernel sends RST, which slirp reads as ECONNRESET and aborts its side (tcp_drop). */
static void close_abortively(int fd)
{
    struct linger l = {.l_onoff = 1, .l_linger = 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    close(fd);
}

static void remove_hostfwd(int port)
{
    struct in_addr lo;
    inet_pton(AF_INET, "127.0.0.1", &lo);
    /* let slirp take a connection still queued on the forwarding's listener first */
    pump(0, -1, 0, false);
    if (slirp_remove_hostfwd(g_slirp, 0, lo, port) < 0) {
        agent_note("slirp_remove_hostfwd 127.0.0.1:%d: not found", port);
    }
}

/* Releases an owned socket: abortive or normal close, and what slirp holds for it. */
static void owned_release(Owned *o, bool abortive)
{
    for (int i = 0; i < o->nstash; i++) {
        close_abortively(o->stash[i]);   /* the kernel resets unaccepted connections of a closed listener, too */
    }
    o->nstash = 0;
    if (abortive) {
        close_abortively(o->fd);
    } else {
        close(o->fd);
    }
    if (o->hostfwd_port) {
        remove_hostfwd(o->hostfwd_port);
    }
    o->kind = K_FREE;
}

typedef struct {
    Buf body;       /* result members, each starting with ',' */
    int err;        /* 0: ok */
    char errno_str[24];
    char msg[512];
} Out;

static int fail(Out *o, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(Out *o, int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(o->msg, sizeof o->msg, fmt, ap);
    va_end(ap);
    o->err = err;
    char tmp[16];
    snprintf(o->errno_str, sizeof o->errno_str, "%s", errno_name(err, tmp, sizeof tmp));
    return -1;
}

static int fail_sys(Out *o, const char *call)
{
    int e = errno;
    return fail(o, e, "%s: %s", call, strerror(e));
}

static int arg_int(const JObject *r, Out *o, const char *key, bool required, long long dflt, long long lo, long long hi,
                   long long *v)
{
    const JMember *m = json_arg(r, key);
    if (!m) {
        if (required) {
            return fail(o, EINVAL, "argument \"%s\" is required", key);
        }
        *v = dflt;
        return 0;
    }
    if (m->type == JV_BOOL) {
        *v = m->num;
    } else if (m->type == JV_INT) {
        *v = m->num;
    } else {
        return fail(o, EINVAL, "argument \"%s\" must be an integer", key);
    }
    if (*v < lo || *v > hi) {
        return fail(o, EINVAL, "argument \"%s\" must be in %lld..%lld", key, lo, hi);
    }
    return 0;
}

static int arg_str(const JObject *r, Out *o, const char *key, bool required, const char *dflt, const char **v)
{
    const JMember *m = json_arg(r, key);
    if (!m) {
        if (required) {
            return fail(o, EINVAL, "argument \"%s\" is required", key);
        }
        *v = dflt;
        return 0;
    }
    if (m->type != JV_STR || strlen(m->str) != m->slen) {
        return fail(o, EINVAL, "argument \"%s\" must be a string", key);
    }
    *v = m->str;
    return 0;
}

static int arg_bool(const JObject *r, Out *o, const char *key, bool dflt, bool *v)
{
    const JMember *m = json_arg(r, key);
    if (!m) {
        *v = dflt;
        return 0;
    }
    if (m->type != JV_BOOL) {
        return fail(o, EINVAL, "argument \"%s\" must be true or false", key);
    }
    *v = m->num != 0;
    return 0;
}

static int arg_sock(const JObject *r, Out *o, bool required, Owned **s)
{
    long long v;
    if (arg_int(r, o, "sock", required, -1, INT_MIN, INT_MAX, &v) < 0) {
        return -1;
    }
    if (v == -1 && !required && !json_arg(r, "sock")) {
        *s = NULL;
        return 0;
    }
    Owned *w = owned_find((int)v);
    if (!w) {
        return fail(o, EBADF, "sock %lld is not a socket owned by the agent", v);
    }
    *s = w;
    return 0;
}

/* "192.0.2.1" or "[..]" / IPv6: slirp's guest network is IPv4 only. */
static int arg_ipv4(Out *o, const char *text, struct in_addr *a)
{
    char tmp[64];
    size_t n = strlen(text);
    if (n >= 2 && text[0] == '[' && text[n - 1] == ']' && n - 2 < sizeof tmp) {
        memcpy(tmp, text + 1, n - 2);
        tmp[n - 2] = '\0';
        text = tmp;
    }
    if (inet_pton(AF_INET, text, a) == 1) {
        return 0;
    }
    struct in6_addr a6;
    if (inet_pton(AF_INET6, text, &a6) == 1) {
        if (IN6_IS_ADDR_V4MAPPED(&a6)) {
            memcpy(a, &a6.s6_addr[12], 4);
            return 0;
        }
        return fail(o, EAFNOSUPPORT, "slirp's guest network is IPv4 only (IPv6 is not enabled): %s", text);
    }
    return fail(o, EINVAL, "argument \"addr\" is not an IP address: %s", text);
}

static void res_int(Out *o, const char *k, long long v)
{
    buf_member_int(&o->body, k, v);
}

static void res_str(Out *o, const char *k, const char *v)
{
    buf_member_str(&o->body, k, v);
}

static void res_bool(Out *o, const char *k, bool v)
{
    buf_member_bool(&o->body, k, v);
}

static int new_tcp_socket(Out *o)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        fail_sys(o, "socket");
    }
    return fd;
}

static int read_slirp(SlirpConn *conns, int max, Out *o)
{
    char *info = slirp_connection_info(g_slirp);
    char why[256];
    int n = parse_connection_info(info, conns, max, why, sizeof why);
    if (n < 0) {
        agent_note("cannot parse slirp_connection_info: %s", why);
        if (o) {
            fail(o, EIO, "states: cannot parse slirp_connection_info(): %s", why);
        }
    }
    free(info);
    return n;
}

/* The slirp connection whose host socket is the peer of the agent's kernel socket fd (a guest-opened connection). */
static const SlirpConn *conn_of_accepted(int fd, const SlirpConn *conns, int n)
{
    struct sockaddr_in peer;
    socklen_t pl = sizeof peer;
    if (getpeername(fd, (struct sockaddr *)&peer, &pl) < 0 || peer.sin_family != AF_INET) {
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        if (conns[i].incoming || conns[i].fd < 0) {
            continue;
        }
        struct sockaddr_in mine;
        socklen_t ml = sizeof mine;
        if (getsockname(conns[i].fd, (struct sockaddr *)&mine, &ml) == 0 && mine.sin_family == AF_INET &&
            mine.sin_port == peer.sin_port && mine.sin_addr.s_addr == peer.sin_addr.s_addr) {
            return &conns[i];
        }
    }
    return NULL;
}

static int cmd_hello(const JObject *r, Out *o);
static int cmd_socket(const JObject *r, Out *o);
static int cmd_listen(const JObject *r, Out *o);
static int cmd_accept(const JObject *r, Out *o);
static int cmd_connect(const JObject *r, Out *o);
static int cmd_send(const JObject *r, Out *o);
static int cmd_recv(const JObject *r, Out *o);
static int cmd_shutdown(const JObject *r, Out *o);
static int cmd_close(const JObject *r, Out *o);
static int cmd_abort(const JObject *r, Out *o);
static int cmd_states(const JObject *r, Out *o);
static int cmd_reset(const JObject *r, Out *o);
static int cmd_bye(const JObject *r, Out *o);
static int cmd_sockopt(const JObject *r, Out *o);
static int cmd_connection_info(const JObject *r, Out *o);
static int cmd_atmark(const JObject *r, Out *o);
static int cmd_poll(const JObject *r, Out *o);

static const struct {
    const char *name;
    int (*fn)(const JObject *, Out *);
    bool listed;     /* in hello's "commands" */
} COMMANDS[] = {
    {"hello", cmd_hello, true},
    {"socket", cmd_socket, true},
    {"listen", cmd_listen, true},
    {"accept", cmd_accept, true},
    {"connect", cmd_connect, true},
    {"send", cmd_send, true},
    {"recv", cmd_recv, true},
    {"shutdown", cmd_shutdown, true},
    {"close", cmd_close, true},
    {"abort", cmd_abort, true},
    {"states", cmd_states, true},
    {"reset", cmd_reset, true},
    {"bye", cmd_bye, true},
    {"connectionInfo", cmd_connection_info, true},
    {"atmark", cmd_atmark, true},
    {"poll", cmd_poll, true},
    {"setsockopt", cmd_sockopt, false},
    {"getsockopt", cmd_sockopt, false},
};

static bool g_bye;

static int cmd_hello(const JObject *r, Out *o)
{
    (void)r;
    char stack[128];
    snprintf(stack, sizeof stack, "libslirp %s (4.4BSD-derived TCP of QEMU user-mode networking)", slirp_version_string());
    res_str(o, "agent", AGENT_NAME);
    res_int(o, "protocol", PROTOCOL_VERSION);
    res_str(o, "stack", stack);
    res_str(o, "probe", "agent");
    buf_puts(&o->body, ",\"commands\":[");
    bool first = true;
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++) {
        if (COMMANDS[i].listed) {
            buf_printf(&o->body, "%s\"%s\"", first ? "" : ",", COMMANDS[i].name);
            first = false;
        }
    }
    buf_puts(&o->body, "]");
    /* send and recv take oob (5b): on the kernel socket, whose urgent data slirp carries to and from its guest TCP */
    buf_puts(&o->body, ",\"features\":[\"oob\"]");
    /* slirp has no guest-facing listening endpoint: a LISTEN is never read, so never reported */
    buf_puts(&o->body, ",\"hiddenStates\":[\"LISTEN\"]");
    char mac[24];
    snprintf(mac, sizeof mac, "52:55:%02x:%02x:%02x:%02x", 192, 0, 2, 2);
    res_str(o, "stackMac", mac);
    return 0;
}

static int cmd_sockopt(const JObject *r, Out *o)
{
    (void)r;
    return fail(o, ENOSYS, "libslirp has no per-connection options for its TCP (its API offers none); "
                           "options of the agent's kernel socket would not reach slirp's TCP");
}

static int cmd_socket(const JObject *r, Out *o)
{
    const char *family;
    if (arg_str(r, o, "family", false, "inet", &family) < 0) {
        return -1;
    }
    if (strcmp(family, "inet6") == 0) {
        return fail(o, EAFNOSUPPORT, "socket: slirp's guest network is IPv4 only");
    }
    if (strcmp(family, "inet") != 0) {
        return fail(o, EINVAL, "argument \"family\" must be \"inet\" or \"inet6\"");
    }
    int fd = new_tcp_socket(o);
    if (fd < 0) {
        return -1;
    }
    if (!owned_add(fd, K_UNBOUND)) {
        close(fd);
        return fail(o, EMFILE, "socket: the agent holds %d sockets already", MAX_OWNED);
    }
    res_int(o, "sock", fd);
    return 0;
}

static int cmd_listen(const JObject *r, Out *o)
{
    long long port, backlog;
    const char *addr;
    Owned *given;
    if (arg_int(r, o, "port", true, 0, 0, 65535, &port) < 0 ||
        arg_int(r, o, "backlog", false, DEFAULT_BACKLOG, INT_MIN, INT_MAX, &backlog) < 0 ||
        arg_str(r, o, "addr", false, "0.0.0.0", &addr) < 0 || arg_sock(r, o, false, &given) < 0) {
        return -1;
    }
    struct in_addr a;
    if (arg_ipv4(o, addr, &a) < 0) {
        return -1;
    }
    struct in_addr vhost;
    inet_pton(AF_INET, VHOST_ADDR, &vhost);
    if (a.s_addr != INADDR_ANY && a.s_addr != vhost.s_addr) {
        return fail(o, EADDRNOTAVAIL, "bind: slirp forwards only connections to its host address %s to this "
                                      "namespace, not to %s", VHOST_ADDR, addr);
    }
    if (given && given->kind != K_UNBOUND) {
        return fail(o, EINVAL, "listen: sock %d is already bound, listening or connected", given->fd);
    }
    int fd = given ? given->fd : new_tcp_socket(o);
    if (fd < 0) {
        return -1;
    }
    /* A guest SYN to 192.0.2.2:PORT makes slirp connect to 127.0.0.1:PORT. */
    int one = 1;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    const char *step = "setsockopt";
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        (step = "bind", bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) ||
        (step = "listen", listen(fd, (int)backlog) < 0)) {
        fail_sys(o, step);
        if (!given) {
            close(fd);
        }
        return -1;
    }
    socklen_t sl = sizeof sa;
    getsockname(fd, (struct sockaddr *)&sa, &sl);
    Owned *w = given;
    if (!w && !(w = owned_add(fd, K_LISTENER))) {
        close(fd);
        return fail(o, EMFILE, "listen: the agent holds %d sockets already", MAX_OWNED);
    }
    w->kind = K_LISTENER;
    w->port = ntohs(sa.sin_port);
    char local[32];
    snprintf(local, sizeof local, "%s:%d", VHOST_ADDR, w->port);
    res_int(o, "sock", fd);
    res_str(o, "local", local);
    return 0;
}

static int cmd_accept(const JObject *r, Out *o)
{
    Owned *l;
    long long timeout;
    if (arg_sock(r, o, true, &l) < 0 || arg_int(r, o, "timeoutMs", false, DEFAULT_TIMEOUT_MS, 0, MAX_TIMEOUT_MS, &timeout) < 0) {
        return -1;
    }
    if (l->kind != K_LISTENER) {
        errno = EINVAL;
        return fail_sys(o, "accept");
    }
    long long deadline = mono_ms() + timeout;
    static SlirpConn conns[MAX_ENDPOINTS];
    for (;;) {
        /* take what the kernel completed (slirp's connect to 127.0.0.1:PORT) */
        while (l->nstash < MAX_STASH) {
            int a = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (a < 0) {
                if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ECONNABORTED && errno != EINTR) {
                    return fail_sys(o, "accept");
                }
                if (errno == EAGAIN || errno == EWOULDBLOCK) {
                    break;
                }
                continue;
            }
            l->stash[l->nstash++] = a;
        }
        /*
         * Hand out a connection once slirp's guest side has left SYN-RECEIVED: the kernel
         * completes slirp's loopback connect before slirp even sends its SYN,ACK to the guest.
         */
        if (l->nstash > 0) {
            int n = read_slirp(conns, MAX_ENDPOINTS, NULL);
            for (int i = 0; i < l->nstash; i++) {
                const SlirpConn *c = n > 0 ? conn_of_accepted(l->stash[i], conns, n) : NULL;
                if (c && strcmp(c->bsd, "SYN_RCVD") == 0) {
                    continue;
                }
                int fd = l->stash[i];
                memmove(&l->stash[i], &l->stash[i + 1], (size_t)(l->nstash - i - 1) * sizeof l->stash[0]);
                l->nstash--;
                if (!owned_add(fd, K_CONN)) {
                    close_abortively(fd);
                    return fail(o, EMFILE, "accept: the agent holds %d sockets already", MAX_OWNED);
                }
                char remote[32], local[32];
                if (c) {
                    char ra[INET_ADDRSTRLEN], la[INET_ADDRSTRLEN];
                    inet_ntop(AF_INET, &c->raddr, ra, sizeof ra);
                    inet_ntop(AF_INET, &c->laddr, la, sizeof la);
                    snprintf(remote, sizeof remote, "%s:%d", ra, c->rport);
                    snprintf(local, sizeof local, "%s:%d", la, c->lport);
                } else {
                    /* slirp has dropped its side already: the guest endpoint is unknown */
                    snprintf(remote, sizeof remote, "0.0.0.0:0");
                    snprintf(local, sizeof local, "%s:%d", VHOST_ADDR, l->port);
                }
                res_int(o, "sock", fd);
                res_str(o, "remote", remote);
                res_str(o, "local", local);
                return 0;
            }
        }
        long long left = deadline - mono_ms();
        if (left <= 0) {
            return fail(o, EAGAIN, "accept: no connection within %lld ms", timeout);
        }
        pump(left < 20 ? left : 20, l->fd, POLLIN, true);
    }
}

static int cmd_connect(const JObject *r, Out *o)
{
    const char *addr;
    long long port, lport;
    Owned *given;
    if (arg_str(r, o, "addr", true, NULL, &addr) < 0 || arg_int(r, o, "port", true, 0, 0, 65535, &port) < 0 ||
        arg_int(r, o, "localPort", false, -1, 0, 65535, &lport) < 0 || arg_sock(r, o, false, &given) < 0) {
        return -1;
    }
    struct in_addr guest, net, mask, vhost;
    if (arg_ipv4(o, addr, &guest) < 0) {
        return -1;
    }
    inet_pton(AF_INET, NET_ADDR, &net);
    inet_pton(AF_INET, NET_MASK, &mask);
    inet_pton(AF_INET, VHOST_ADDR, &vhost);
    if ((guest.s_addr & mask.s_addr) != net.s_addr) {
        /* Not slirp's answer but the agent's: it can only ask slirp for a forwarding to a guest on its network, so an
         * OPEN to any other address (a multicast group, say) cannot be put to slirp at all. */
        return fail(o, ENOSYS, "connect: the slirp agent opens connections only through a host forwarding to a guest on %s/24; "
                    "%s cannot be put to slirp", NET_ADDR, addr);
    }
    if (guest.s_addr == vhost.s_addr || port == 0) {
        return fail(o, ENETUNREACH, "connect: slirp opens connections only to guests on %s/24 (not to itself, not to port 0)",
                    NET_ADDR);
    }
    if (given && given->kind != K_UNBOUND) {
        return fail(o, EISCONN, "connect: sock %d is already listening or connected", given->fd);
    }
    int fd = given ? given->fd : new_tcp_socket(o);
    if (fd < 0) {
        return -1;
    }
    struct in_addr lo;
    inet_pton(AF_INET, "127.0.0.1", &lo);
    int one = 1;
    if (lport >= 0) {
        /* slirp's SYN leaves from the port of the socket that connects to the forwarding */
        struct sockaddr_in b = {.sin_family = AF_INET, .sin_port = htons((uint16_t)lport), .sin_addr = lo};
        if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 || bind(fd, (struct sockaddr *)&b, sizeof b) < 0) {
            fail_sys(o, "bind");
            if (!given) {
                close(fd);
            }
            return -1;
        }
    }
    /* A host forwarding 127.0.0.1:H -> guest:PORT on a free port H, for this connection alone. */
    int hport = 0;
    for (int attempt = 0; attempt < 5 && !hport; attempt++) {
        int t = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in b = {.sin_family = AF_INET, .sin_port = 0, .sin_addr = lo};
        socklen_t bl = sizeof b;
        if (t < 0 || bind(t, (struct sockaddr *)&b, sizeof b) < 0 || getsockname(t, (struct sockaddr *)&b, &bl) < 0) {
            int e = errno;
            if (t >= 0) {
                close(t);
            }
            errno = e;
            fail_sys(o, "connect: choosing a port for slirp's forwarding");
            if (!given) {
                close(fd);
            }
            return -1;
        }
        close(t);
        if (slirp_add_hostfwd(g_slirp, 0, lo, ntohs(b.sin_port), guest, (int)port) == 0) {
            hport = ntohs(b.sin_port);
        }
    }
    if (!hport) {
        if (!given) {
            close(fd);
        }
        return fail(o, EADDRINUSE, "connect: slirp_add_hostfwd failed 5 times");
    }
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)hport), .sin_addr = lo};
    if (connect(fd, (struct sockaddr *)&to, sizeof to) < 0 && errno != EINPROGRESS) {
        fail_sys(o, "connect");
        if (!given) {
            close(fd);
        }
        slirp_remove_hostfwd(g_slirp, 0, lo, hport);
        return -1;
    }
    struct sockaddr_in me;
    socklen_t ml = sizeof me;
    getsockname(fd, (struct sockaddr *)&me, &ml);
    Owned *w = given;
    if (!w && !(w = owned_add(fd, K_CONN))) {
        close(fd);
        slirp_remove_hostfwd(g_slirp, 0, lo, hport);
        return fail(o, EMFILE, "connect: the agent holds %d sockets already", MAX_OWNED);
    }
    w->kind = K_CONN;
    w->hostfwd_port = hport;
    remember_active(guest, (int)port, ntohs(me.sin_port));
    char local[32];
    snprintf(local, sizeof local, "%s:%d", VHOST_ADDR, ntohs(me.sin_port));
    res_int(o, "sock", fd);
    res_str(o, "local", local);
    /* slirp has not even sent its SYN yet: it accepts this connection in the next round of the loop */
    res_bool(o, "inProgress", true);
    return 0;
}

static int decode_hex(const char *s, size_t n, unsigned char *out)
{
    for (size_t i = 0; i < n / 2; i++) {
        int h = hexval((unsigned char)s[2 * i]), l = hexval((unsigned char)s[2 * i + 1]);
        if (h < 0 || l < 0) {
            return -1;
        }
        out[i] = (unsigned char)(h * 16 + l);
    }
    return 0;
}

static int cmd_send(const JObject *r, Out *o)
{
    Owned *s;
    const char *hex;
    bool oob = false;
    if (arg_sock(r, o, true, &s) < 0 || arg_str(r, o, "data", true, NULL, &hex) < 0 || arg_bool(r, o, "oob", false, &oob) < 0) {
        return -1;
    }
    size_t n = strlen(hex);
    if (n % 2) {
        return fail(o, EINVAL, "argument \"data\" must have an even number of hex digits");
    }
    unsigned char *bytes = malloc(n / 2 + 1);
    if (!bytes) {
        agent_oom();
    }
    if (decode_hex(hex, n, bytes) < 0) {
        free(bytes);
        return fail(o, EINVAL, "argument \"data\" must be hex digits");
    }
    ssize_t k = send(s->fd, bytes, n / 2, MSG_DONTWAIT | MSG_NOSIGNAL | (oob ? MSG_OOB : 0));
    free(bytes);
    if (k < 0) {
        return fail_sys(o, "send");
    }
    res_int(o, "sent", k);
    return 0;
}

static int cmd_recv(const JObject *r, Out *o)
{
    Owned *s;
    long long max, timeout;
    if (arg_sock(r, o, true, &s) < 0 || arg_int(r, o, "max", false, DEFAULT_RECV_MAX, 1, MAX_RECV, &max) < 0 ||
        arg_int(r, o, "timeoutMs", false, DEFAULT_TIMEOUT_MS, 0, MAX_TIMEOUT_MS, &timeout) < 0) {
        return -1;
    }
    bool oob = false;
    if (arg_bool(r, o, "oob", false, &oob) < 0) {
        return -1;
    }
    /* oob (5b): recv(MSG_OOB) on the kernel socket; its EINVAL (no urgent octet) is retried until the timeout, as
     * slirp may not have carried the guest's urgent data over yet, and then reported */
    int flags = MSG_DONTWAIT | (oob ? MSG_OOB : 0);
    unsigned char *data = malloc((size_t)max);
    if (!data) {
        agent_oom();
    }
    long long deadline = mono_ms() + timeout;
    ssize_t k;
    for (;;) {
        k = recv(s->fd, data, (size_t)max, flags);
        if (k >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && !(oob && errno == EINVAL))) {
            break;
        }
        long long left = deadline - mono_ms();
        if (left <= 0) {
            if (oob && errno == EINVAL) {
                break;
            }
            free(data);
            return fail(o, EAGAIN, "recv: nothing to read within %lld ms", timeout);
        }
        pump(left < 20 ? left : 20, s->fd, oob ? POLLPRI : POLLIN, true);
    }
    if (k < 0) {
        free(data);
        return fail_sys(o, "recv");
    }
    buf_puts(&o->body, ",\"data\":\"");
    for (ssize_t i = 0; i < k; i++) {
        buf_printf(&o->body, "%02x", data[i]);
    }
    buf_puts(&o->body, "\"");
    res_bool(o, "eof", k == 0);
    free(data);
    return 0;
}

/* 5b: sockatmark of the kernel socket, after a round of slirp's loop (what it received from the guest written out) */
static int cmd_atmark(const JObject *r, Out *o)
{
    Owned *s;
    if (arg_sock(r, o, true, &s) < 0) {
        return -1;
    }
    pump(0, -1, 0, true);
    int at = 0;
    if (ioctl(s->fd, SIOCATMARK, &at) < 0) {
        return fail_sys(o, "ioctl(SIOCATMARK)");
    }
    res_bool(o, "atmark", at != 0);
    return 0;
}

/* protocol 2's poll on the kernel socket, slirp's loop running meanwhile (pri: the urgent data slirp carried over) */
static const struct {
    const char *name;
    short bit;
} POLL_EVENTS[] = {
    {"in", POLLIN}, {"out", POLLOUT}, {"pri", POLLPRI}, {"rdhup", POLLRDHUP},
    {"err", POLLERR}, {"hup", POLLHUP}, {"nval", POLLNVAL},
};

static int cmd_poll(const JObject *r, Out *o)
{
    Owned *s;
    long long timeout;
    const char *events;
    if (arg_sock(r, o, true, &s) < 0 || arg_str(r, o, "events", true, NULL, &events) < 0 ||
        arg_int(r, o, "timeoutMs", false, 0, 0, MAX_TIMEOUT_MS, &timeout) < 0) {
        return -1;
    }
    short want = 0;
    for (const char *p = events; *p;) {
        size_t n = strcspn(p, ",");
        bool known = false;
        for (size_t i = 0; i < 4; i++) {
            if (strlen(POLL_EVENTS[i].name) == n && strncmp(p, POLL_EVENTS[i].name, n) == 0) {
                want |= POLL_EVENTS[i].bit;
                known = true;
            }
        }
        if (!known && n > 0) {
            return fail(o, EINVAL, "argument \"events\": unknown event \"%.*s\" (in, out, pri, rdhup)", (int)n, p);
        }
        p += n;
        if (*p == ',') {
            p++;
        }
    }
    long long deadline = mono_ms() + timeout;
    short got = 0;
    for (;;) {
        long long left = deadline - mono_ms();
        struct pollfd p = {.fd = s->fd, .events = want};
        if (poll(&p, 1, 0) > 0 && p.revents) {
            got = p.revents;
            break;
        }
        if (left <= 0) {
            break;
        }
        pump(left < 20 ? left : 20, s->fd, want, true);
    }
    buf_puts(&o->body, ",\"revents\":\"");
    bool first = true;
    for (size_t i = 0; i < sizeof POLL_EVENTS / sizeof POLL_EVENTS[0]; i++) {
        if (got & POLL_EVENTS[i].bit) {
            buf_printf(&o->body, "%s%s", first ? "" : ",", POLL_EVENTS[i].name);
            first = false;
        }
    }
    buf_puts(&o->body, "\"");
    return 0;
}

static int cmd_shutdown(const JObject *r, Out *o)
{
    Owned *s;
    const char *how;
    if (arg_sock(r, o, true, &s) < 0 || arg_str(r, o, "how", true, NULL, &how) < 0) {
        return -1;
    }
    int h;
    if (strcmp(how, "rd") == 0) {
        h = SHUT_RD;
    } else if (strcmp(how, "wr") == 0) {
        h = SHUT_WR;
    } else if (strcmp(how, "rdwr") == 0) {
        h = SHUT_RDWR;
    } else {
        return fail(o, EINVAL, "argument \"how\" must be \"rd\", \"wr\" or \"rdwr\"");
    }
    if (shutdown(s->fd, h) < 0) {
        return fail_sys(o, "shutdown");
    }
    return 0;
}

static int cmd_close(const JObject *r, Out *o)
{
    Owned *s;
    if (arg_sock(r, o, true, &s) < 0) {
        return -1;
    }
    owned_release(s, false);
    return 0;
}

static int cmd_abort(const JObject *r, Out *o)
{
    Owned *s;
    if (arg_sock(r, o, true, &s) < 0) {
        return -1;
    }
    owned_release(s, true);
    return 0;
}

static int cmd_states(const JObject *r, Out *o)
{
    (void)r;
    static SlirpConn conns[MAX_ENDPOINTS];
    int n = read_slirp(conns, MAX_ENDPOINTS, o);
    if (n < 0) {
        return -1;
    }
    buf_puts(&o->body, ",\"endpoints\":");
    buf_endpoints(&o->body, conns, n);
    return 0;
}

/* Diagnostics (not in the protocol): slirp_connection_info() as slirp prints it. */
static int cmd_connection_info(const JObject *r, Out *o)
{
    (void)r;
    char *info = slirp_connection_info(g_slirp);
    res_str(o, "text", info);
    free(info);
    return 0;
}

static int cmd_reset(const JObject *r, Out *o)
{
    (void)r;
    int closed = 0;
    for (int i = 0; i < MAX_OWNED; i++) {
        if (g_owned[i].kind != K_FREE) {
            owned_release(&g_owned[i], true);
            closed++;
        }
    }
    res_int(o, "closed", closed);
    return 0;
}

static int cmd_bye(const JObject *r, Out *o)
{
    (void)r;
    (void)o;
    g_bye = true;
    return 0;
}

/* ======================================================================
 * 5. Control connection: requests in, responses out
 * ====================================================================== */

/* A write to the harness failed: it is gone, there is nobody left to serve. */
static void harness_gone(void)
{
    agent_note("writing to the harness: %s", strerror(errno));
    exit_agent(0);
}

static void handle_line(const char *line, size_t len)
{
    if (!line_trim(&line, &len)) {
        return;     /* blank lines are ignored */
    }
    agent_log('<', line, len);
    static JObject req;
    char *store = malloc(len + 1);
    if (!store) {
        agent_oom();
    }
    char perr[200];
    if (json_parse_request(line, len, store, &req, perr, sizeof perr) < 0) {
        char msg[256];
        snprintf(msg, sizeof msg, "bad request: %s", perr);
        control_respond_error(false, 0, "EPROTO", msg);
        free(store);
        return;
    }
    const JMember *id = json_arg(&req, "id");
    const JMember *cmd = json_arg(&req, "cmd");
    if (!id || id->type != JV_INT) {
        control_respond_error(false, 0, "EPROTO", "bad request: \"id\" must be an integer");
        free(store);
        return;
    }
    if (!cmd || cmd->type != JV_STR) {
        control_respond_error(true, id->num, "EPROTO", "bad request: \"cmd\" must be a string");
        free(store);
        return;
    }
    int (*fn)(const JObject *, Out *) = NULL;
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++) {
        if (strcmp(COMMANDS[i].name, cmd->str) == 0) {
            fn = COMMANDS[i].fn;
        }
    }
    Out o = {0};
    int rc;
    if (!fn) {
        char shown[80];
        snprintf(shown, sizeof shown, "%s", cmd->str);
        rc = fail(&o, ENOSYS, "unknown command \"%s\"", shown);
    } else {
        rc = fn(&req, &o);
    }
    if (rc == 0) {
        Buf resp = {0};
        json_ok_response(&resp, id->num, o.body.p ? o.body.p : "", o.body.len);
        control_respond(&resp);
        buf_free(&resp);
    } else {
        control_respond_error(true, id->num, o.errno_str, o.msg);
    }
    buf_free(&o.body);
    free(store);
    if (g_bye) {
        agent_note("bye");
        exit_agent(0);
    }
}

static void line_too_long(void)
{
    control_respond_error(false, 0, "EPROTO", LINES_TOO_LONG_MSG);
}

/* Handles every complete line read so far; over-long lines get one EPROTO
 * answer. A command may read more control input while it waits: each line
 * is taken out of g_lines before it is handled. */
static void handle_input(void)
{
    lines_dispatch(&g_lines, handle_line, line_too_long);
}

/* ======================================================================
 * 6. Start-up: eth0, slirp, the control socket
 * ====================================================================== */

static void open_eth0(void)
{
    long long give_up = mono_ms() + EINTF_WAIT_MS;
    for (;;) {
        g_ifindex = (int)if_nametoindex(IFACE);
        if (g_ifindex > 0) {
            break;
        }
        if (mono_ms() > give_up) {
            agent_note("no interface %s after %d ms: the harness wires it before connecting", IFACE, EINTF_WAIT_MS);
            exit_agent(1);
        }
        struct timespec ts = {0, 20 * 1000000};
        nanosleep(&ts, NULL);
    }
    g_pkt = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL));
    if (g_pkt < 0) {
        agent_note("socket(AF_PACKET): %s (the container needs NET_RAW)", strerror(errno));
        exit_agent(1);
    }
    struct sockaddr_ll ll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL), .sll_ifindex = g_ifindex};
    if (bind(g_pkt, (struct sockaddr *)&ll, sizeof ll) < 0) {
        agent_note("bind(AF_PACKET, %s): %s", IFACE, strerror(errno));
        exit_agent(1);
    }
#ifdef PACKET_IGNORE_OUTGOING
    int one = 1;
    setsockopt(g_pkt, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one);
#endif
    /*
     * Slirp sends from its own MAC, 52:55:c0:00:02:02, and the harness answers slirp's
     * ARP requests to that MAC: eth0 must take frames for it too.
     */
    struct packet_mreq mr = {.mr_ifindex = g_ifindex, .mr_type = PACKET_MR_PROMISC};
    if (setsockopt(g_pkt, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof mr) < 0) {
        agent_note("promiscuous mode on %s: %s", IFACE, strerror(errno));
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", IFACE);
    if (ioctl(g_pkt, SIOCGIFHWADDR, &ifr) == 0) {
        memcpy(g_mac, ifr.ifr_hwaddr.sa_data, 6);
    }
}

static void start_slirp(void)
{
    SlirpConfig cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.version = 4;
    cfg.restricted = 0;
    cfg.in_enabled = true;
    inet_pton(AF_INET, NET_ADDR, &cfg.vnetwork);
    inet_pton(AF_INET, NET_MASK, &cfg.vnetmask);
    inet_pton(AF_INET, VHOST_ADDR, &cfg.vhost);
    cfg.in6_enabled = false;
    inet_pton(AF_INET, GUEST_ADDR, &cfg.vdhcp_start);
    inet_pton(AF_INET, VNAMESERVER_ADDR, &cfg.vnameserver);
    cfg.if_mtu = 1500;
    cfg.if_mru = 1500;
    cfg.disable_host_loopback = false;   /* 192.0.2.2 must reach 127.0.0.1 */
    cfg.enable_emu = false;
    cfg.disable_dns = true;
    cfg.disable_dhcp = true;
    g_slirp = slirp_new(&cfg, &CALLBACKS, NULL);
    if (!g_slirp) {
        agent_note("slirp_new failed");
        exit_agent(1);
    }
    agent_note("libslirp %s on %s (ifindex %d, MAC %02x:%02x:%02x:%02x:%02x:%02x); slirp is %s with MAC 52:55:c0:00:02:02, guest %s",
         slirp_version_string(), IFACE, g_ifindex, g_mac[0], g_mac[1], g_mac[2], g_mac[3], g_mac[4], g_mac[5], VHOST_ADDR,
         GUEST_ADDR);
}

static int serve(const char *path)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    char err[300];
    int ls = control_listen(path, err, sizeof err);
    if (ls < 0) {
        agent_note("%s", err);
        return 1;
    }
    agent_note("waiting for the harness on %s", path);
    g_ctl = control_accept(ls, path, &g_signal);
    if (g_ctl == -2) {
        agent_note("signal %d", (int)g_signal);
        return 0;
    }
    if (g_ctl < 0) {
        agent_note("accept on %s: %s", path, strerror(errno));
        return 1;
    }
    control_use(g_ctl, harness_gone);
    agent_note("harness connected");

    open_eth0();
    start_slirp();

    for (;;) {
        handle_input();
        if (g_ctl_eof) {
            agent_note("harness closed the control connection");
            exit_agent(0);
        }
        pump(-1, -1, 0, false);
    }
}

/* --parse-info FILE: the endpoints of a saved slirp_connection_info() text. */
static int parse_info_file(const char *file)
{
    g_offline = true;
    FILE *f = fopen(file, "r");
    if (!f) {
        fprintf(stderr, "agent: --parse-info: %s: %s\n", file, strerror(errno));
        return 2;
    }
    Buf text = {0};
    char tmp[4096];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) {
        buf_add(&text, tmp, n);
    }
    fclose(f);
    static SlirpConn conns[MAX_ENDPOINTS];
    char why[256];
    int k = parse_connection_info(text.p ? text.p : "", conns, MAX_ENDPOINTS, why, sizeof why);
    free(text.p);
    if (k < 0) {
        fprintf(stderr, "agent: --parse-info: %s: %s\n", file, why);
        return 2;
    }
    Buf out = {0};
    buf_puts(&out, "{\"endpoints\":");
    buf_endpoints(&out, conns, k);
    buf_puts(&out, "}\n");
    fputs(out.p, stdout);
    free(out.p);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--version") == 0) {
        printf("%s protocol %d (libslirp %s)\n", AGENT_NAME, PROTOCOL_VERSION, slirp_version_string());
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "--control") == 0) {
        return serve(argv[2]);
    }
    if (argc == 3 && strcmp(argv[1], "--parse-info") == 0) {
        return parse_info_file(argv[2]);
    }
    fprintf(stderr, "usage: agent --control PATH | --parse-info FILE | --version\n");
    return 2;
}
