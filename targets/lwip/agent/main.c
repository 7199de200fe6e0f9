/*
 * tcpct-lwip-agent: drives lwIP 2.1.3 (Debian's liblwip) for the tcpct
 * harness, speaking the agent protocol of targets/AGENT-PROTOCOL.md on a Unix
 * socket, and running lwIP on eth0 through an AF_PACKET socket.
 *
 *   agent --control PATH [--iface eth0] [--addr 192.0.2.2/24]
 *   agent --version
 *
 * This file: command line, the AF_PACKET link and its reader thread, the
 * control connection, command handlers. stack.c: everything lwIP. The plumbing
 * every C agent shares (buffer, log, errno names, JSON, the control socket,
 * request framing) is in targets/common.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
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

#include "agent_buf.h"
#include "agent_control.h"
#include "agent_errno.h"
#include "agent_json.h"
#include "agent_lines.h"
#include "agent_log.h"
#include "agent_states.h"
#include "stack.h"

#define AGENT_NAME "tcpct-lwip-agent"
#define PROTOCOL 1
/* The stack's IPv6 address beside --addr's IPv4 one (RFC 3849 documentation prefix). */
#define ADDR6 "2001:db8::2"
#define ADDR6_PREFIX 64
#ifndef DEB_VERSION
#define DEB_VERSION "unknown"
#endif

static int g_ctl = -1;        /* the harness's connection */
static int g_raw = -1;        /* AF_PACKET socket on the interface */
static int g_wake_r = -1, g_wake_w = -1;
static volatile sig_atomic_t g_stop;

/* --- exit ----------------------------------------------------------------- */

static void exit_agent(int status) __attribute__((noreturn));
static void exit_agent(int status)
{
    /* Closes what the agent owns the normal way (FIN, or RST where the stack
     * decides so); lwIP sends these segments before tcp_close returns. */
    st_close_all();
    fflush(stderr);
    _exit(status);
}

/* Responses are built in a Buf (targets/common/agent_buf.h). */
typedef Buf Out;

/* The errno name of e. lwIP's agent reports a value without a name as EIO
 * (it meets only the usual socket errors). */
static const char *lwip_errno_name(int e)
{
    const char *name = errno_lookup(e);
    return name ? name : "EIO";
}

/* --- command plumbing ------------------------------------------------------ */

typedef struct {
    int err; /* 0: success */
    char msg[400];
} Fail;

static int fail(Fail *f, int e, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(Fail *f, int e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->msg, sizeof f->msg, fmt, ap);
    va_end(ap);
    f->err = e;
    return -1;
}

/* Integer argument; *out is set to def when it is absent and not required. */
static int arg_int(const JObject *r, const char *k, int required, long long def, long long lo, long long hi,
                   int allow_bool, long long *out, Fail *f)
{
    const JMember *m = json_arg(r, k);
    if (m == NULL) {
        if (required)
            return fail(f, EINVAL, "missing argument \"%s\"", k);
        *out = def;
        return 0;
    }
    if (m->type == JV_BOOL && allow_bool) {
        *out = m->num;
        return 0;
    }
    if (m->type != JV_INT)
        return fail(f, EINVAL, "argument \"%s\" must be an integer", k);
    if (m->num < lo || m->num > hi)
        return fail(f, EINVAL, "argument \"%s\" must be in %lld..%lld", k, lo, hi);
    *out = m->num;
    return 0;
}

static int arg_str(const JObject *r, const char *k, int required, const char *def, const char **out, Fail *f)
{
    const JMember *m = json_arg(r, k);
    if (m == NULL) {
        if (required)
            return fail(f, EINVAL, "missing argument \"%s\"", k);
        *out = def;
        return 0;
    }
    if (m->type != JV_STR)
        return fail(f, EINVAL, "argument \"%s\" must be a string", k);
    if (strlen(m->str) != m->slen)
        return fail(f, EINVAL, "argument \"%s\" contains a NUL character", k);
    *out = m->str;
    return 0;
}

/* An IP address: "A.B.C.D", or an IPv6 one in brackets or not; a v4-mapped
 * IPv6 address counts as IPv4. */
static int parse_ip(const char *s, st_ip *ip, Fail *f)
{
    struct in_addr a4;
    memset(ip, 0, sizeof *ip);
    if (inet_pton(AF_INET, s, &a4) == 1) {
        memcpy(ip->b, &a4, 4);
        return 0;
    }
    char tmp[64];
    size_t n = strlen(s);
    if (n >= 2 && n < sizeof tmp && s[0] == '[' && s[n - 1] == ']') {
        memcpy(tmp, s + 1, n - 2);
        tmp[n - 2] = 0;
        s = tmp;
    }
    struct in6_addr a6;
    if (inet_pton(AF_INET6, s, &a6) == 1) {
        if (IN6_IS_ADDR_V4MAPPED(&a6)) {
            memcpy(ip->b, &a6.s6_addr[12], 4);
            return 0;
        }
        ip->v6 = 1;
        memcpy(ip->b, a6.s6_addr, 16);
        return 0;
    }
    return fail(f, EINVAL, "\"%s\" is not an IP address", s);
}

static int st_fail(Fail *f, int rc, const char *what)
{
    return fail(f, rc, "%s: %s", what, st_msg());
}

/* --- waiting --------------------------------------------------------------- */

/* Waits until a callback of the stack wakes us or deadline (mono ms) passes.
 * The control connection is watched too: a harness that hangs up ends the
 * agent at once. */
static void wait_wake(long long deadline)
{
    long long left = deadline - mono_ms();
    if (left < 0)
        left = 0;
    struct pollfd p[2] = {
        { .fd = g_wake_r, .events = POLLIN },
        { .fd = g_ctl, .events = 0 }, /* POLLHUP/POLLERR are always reported */
    };
    int rc = poll(p, 2, left > INT_MAX ? INT_MAX : (int)left);
    if (g_stop) {
        agent_note("signal received; exiting");
        exit_agent(0);
    }
    if (rc > 0 && (p[1].revents & (POLLHUP | POLLERR))) {
        agent_note("control connection closed during a wait; exiting");
        exit_agent(0);
    }
    if (rc > 0 && (p[0].revents & POLLIN)) {
        char buf[256];
        while (read(g_wake_r, buf, sizeof buf) > 0) {
        }
    }
}

/* --- commands -------------------------------------------------------------- */

static const char *const COMMAND_NAMES[] = {
    "hello", "socket", "setsockopt", "getsockopt", "listen", "accept", "connect", "send",
    "recv", "shutdown", "close", "abort", "states", "reset", "bye",
};

static int cmd_hello(const JObject *r, Out *o, Fail *f)
{
    (void)r;
    (void)f;
    buf_member_str(o, "agent", AGENT_NAME);
    buf_member_int(o, "protocol", PROTOCOL);
    char stack[200];
    snprintf(stack, sizeof stack, "lwIP %s (Debian liblwip0 %s; raw TCP API, AF_PACKET netif)", st_lwip_version(),
             DEB_VERSION);
    buf_member_str(o, "stack", stack);
    buf_member_str(o, "probe", "agent");
    buf_member_key(o, "commands");
    buf_puts(o, "[");
    for (size_t i = 0; i < sizeof COMMAND_NAMES / sizeof COMMAND_NAMES[0]; i++) {
        if (i)
            buf_puts(o, ",");
        buf_json_str(o, COMMAND_NAMES[i]);
    }
    buf_puts(o, "]");
    /* every state of lwIP's enum tcp_state is read from its PCB lists */
    buf_member_key(o, "hiddenStates");
    buf_puts(o, "[]");
    buf_member_key(o, "families");
    buf_puts(o, "[\"inet\",\"inet6\"]");
    return 0;
}

static int cmd_socket(const JObject *r, Out *o, Fail *f)
{
    const char *fam;
    if (arg_str(r, "family", 0, "inet", &fam, f) < 0)
        return -1;
    int v6 = strcmp(fam, "inet6") == 0;
    if (!v6 && strcmp(fam, "inet") != 0)
        return fail(f, EINVAL, "argument \"family\" must be \"inet\" or \"inet6\"");
    int sock;
    int rc = st_socket(v6, &sock);
    if (rc)
        return st_fail(f, rc, "socket");
    buf_member_int(o, "sock", sock);
    return 0;
}

static int cmd_setsockopt(const JObject *r, Out *o, Fail *f)
{
    (void)o;
    long long sock, v;
    const char *name;
    if (arg_int(r, "sock", 1, 0, INT_MIN, INT_MAX, 0, &sock, f) < 0 || arg_str(r, "name", 1, NULL, &name, f) < 0
        || arg_int(r, "value", 1, 0, LLONG_MIN, LLONG_MAX, 1, &v, f) < 0)
        return -1;
    int rc = st_setsockopt((int)sock, name, v);
    return rc ? st_fail(f, rc, "setsockopt") : 0;
}

static int cmd_getsockopt(const JObject *r, Out *o, Fail *f)
{
    long long sock, v = 0;
    const char *name;
    if (arg_int(r, "sock", 1, 0, INT_MIN, INT_MAX, 0, &sock, f) < 0 || arg_str(r, "name", 1, NULL, &name, f) < 0)
        return -1;
    int rc = st_getsockopt((int)sock, name, &v);
    if (rc)
        return st_fail(f, rc, "getsockopt");
    buf_member_int(o, "value", v);
    if (strcmp(name, "SO_ERROR") == 0) {
        if (v == 0) {
            buf_member_key(o, "error");
            buf_puts(o, "null");
        } else {
            buf_member_str(o, "error", lwip_errno_name((int)v));
        }
    }
    return 0;
}

static int cmd_listen(const JObject *r, Out *o, Fail *f)
{
    long long port, backlog, sock;
    const char *addr;
    st_ip be;
    if (arg_int(r, "port", 1, 0, 0, 65535, 0, &port, f) < 0 || arg_int(r, "backlog", 0, 16, INT_MIN, INT_MAX, 0, &backlog, f) < 0
        || arg_int(r, "sock", 0, -1, INT_MIN, INT_MAX, 0, &sock, f) < 0 || arg_str(r, "addr", 0, "0.0.0.0", &addr, f) < 0
        || parse_ip(addr, &be, f) < 0)
        return -1;
    if (json_arg(r, "sock") != NULL && sock < 0)
        return fail(f, EBADF, "sock %lld is not a socket owned by the agent", sock);
    int out;
    char local[ST_ADDR_MAX];
    int rc = st_listen((int)sock, &be, (int)port, (int)backlog, &out, local);
    if (rc)
        return st_fail(f, rc, "listen");
    buf_member_int(o, "sock", out);
    buf_member_str(o, "local", local);
    return 0;
}

static int cmd_accept(const JObject *r, Out *o, Fail *f)
{
    long long sock, tmo;
    if (arg_int(r, "sock", 1, 0, INT_MIN, INT_MAX, 0, &sock, f) < 0
        || arg_int(r, "timeoutMs", 0, 1000, 0, 3600000, 0, &tmo, f) < 0)
        return -1;
    long long deadline = mono_ms() + tmo;
    int out;
    char remote[ST_ADDR_MAX], local[ST_ADDR_MAX];
    for (;;) {
        int rc = st_accept((int)sock, &out, remote, local);
        if (rc == 0)
            break;
        if (rc != EAGAIN)
            return st_fail(f, rc, "accept");
        if (mono_ms() >= deadline)
            return fail(f, EAGAIN, "accept: no connection within %lld ms", tmo);
        wait_wake(deadline);
    }
    buf_member_int(o, "sock", out);
    buf_member_str(o, "remote", remote);
    buf_member_str(o, "local", local);
    return 0;
}

static int cmd_connect(const JObject *r, Out *o, Fail *f)
{
    long long port, sock, lport;
    const char *addr;
    st_ip be;
    if (arg_str(r, "addr", 1, NULL, &addr, f) < 0 || arg_int(r, "port", 1, 0, 0, 65535, 0, &port, f) < 0
        || arg_int(r, "sock", 0, -1, INT_MIN, INT_MAX, 0, &sock, f) < 0
        || arg_int(r, "localPort", 0, -1, 0, 65535, 0, &lport, f) < 0 || parse_ip(addr, &be, f) < 0)
        return -1;
    if (json_arg(r, "sock") != NULL && sock < 0)
        return fail(f, EBADF, "sock %lld is not a socket owned by the agent", sock);
    int out, inprog = 0;
    char local[ST_ADDR_MAX];
    int rc = st_connect((int)sock, &be, (int)port, (int)lport, &out, local, &inprog);
    if (rc)
        return st_fail(f, rc, "connect");
    buf_member_int(o, "sock", out);
    buf_member_str(o, "local", local);
    buf_member_bool(o, "inProgress", inprog);
    return 0;
}

/* "oob": true on send and recv (agent protocol 5b) gets ENOSYS: the raw API has no urgent data (tcp_write takes only
 * TCP_WRITE_FLAG_COPY and TCP_WRITE_FLAG_MORE, no call reads an urgent pointer); hello names no "oob" feature. */
static int no_urgent_data(const JObject *r, const char *call, Fail *f)
{
    const JMember *m = json_arg(r, "oob");
    if (m == NULL || m->type == JV_NULL || (m->type == JV_BOOL && !m->num))
        return 0;
    if (m->type != JV_BOOL)
        return fail(f, EINVAL, "argument \"oob\" must be true or false");
    return fail(f, ENOSYS, "%s with oob: lwIP's raw API has no urgent data", call);
}

static int cmd_send(const JObject *r, Out *o, Fail *f)
{
    long long sock;
    const char *hex;
    if (arg_int(r, "sock", 1, 0, INT_MIN, INT_MAX, 0, &sock, f) < 0 || arg_str(r, "data", 1, NULL, &hex, f) < 0
        || no_urgent_data(r, "send", f) < 0)
        return -1;
    size_t n = strlen(hex);
    if (n % 2)
        return fail(f, EINVAL, "argument \"data\" must have an even number of hex digits");
    unsigned char *buf = malloc(n / 2 + 1);
    if (buf == NULL)
        return fail(f, ENOMEM, "send: out of memory");
    for (size_t i = 0; i < n; i += 2) {
        int hi = hexval(hex[i]), lo = hexval(hex[i + 1]);
        if (hi < 0 || lo < 0) {
            free(buf);
            return fail(f, EINVAL, "argument \"data\" must be hex digits");
        }
        buf[i / 2] = (unsigned char)(hi << 4 | lo);
    }
    size_t sent = 0;
    int rc = st_send((int)sock, buf, n / 2, &sent);
    free(buf);
    if (rc)
        return st_fail(f, rc, "send");
    buf_member_int(o, "sent", (long long)sent);
    return 0;
}

static int cmd_recv(const JObject *r, Out *o, Fail *f)
{
    long long sock, max, tmo;
    if (arg_int(r, "sock", 1, 0, INT_MIN, INT_MAX, 0, &sock, f) < 0
        || arg_int(r, "max", 0, 65536, 1, 1048576, 0, &max, f) < 0
        || arg_int(r, "timeoutMs", 0, 1000, 0, 3600000, 0, &tmo, f) < 0 || no_urgent_data(r, "recv", f) < 0)
        return -1;
    unsigned char *buf = malloc((size_t)max);
    if (buf == NULL)
        return fail(f, ENOMEM, "recv: out of memory");
    long long deadline = mono_ms() + tmo;
    size_t got = 0;
    int eof = 0;
    for (;;) {
        int rc = st_recv((int)sock, buf, (size_t)max, &got, &eof);
        if (rc == 0)
            break;
        if (rc != EAGAIN) {
            free(buf);
            return st_fail(f, rc, "recv");
        }
        if (mono_ms() >= deadline) {
            free(buf);
            return fail(f, EAGAIN, "recv: nothing to read within %lld ms", tmo);
        }
        wait_wake(deadline);
    }
    buf_member_key(o, "data");
    buf_puts(o, "\"");
    for (size_t i = 0; i < got; i++)
        buf_printf(o, "%02x", buf[i]);
    buf_puts(o, "\"");
    buf_member_bool(o, "eof", eof);
    free(buf);
    return 0;
}

static int cmd_shutdown(const JObject *r, Out *o, Fail *f)
{
    (void)o;
    long long sock;
    const char *how;
    if (arg_int(r, "sock", 1, 0, INT_MIN, INT_MAX, 0, &sock, f) < 0 || arg_str(r, "how", 1, NULL, &how, f) < 0)
        return -1;
    int rd, wr;
    if (strcmp(how, "rd") == 0)
        rd = 1, wr = 0;
    else if (strcmp(how, "wr") == 0)
        rd = 0, wr = 1;
    else if (strcmp(how, "rdwr") == 0)
        rd = 1, wr = 1;
    else
        return fail(f, EINVAL, "argument \"how\" must be \"rd\", \"wr\" or \"rdwr\"");
    int rc = st_shutdown((int)sock, rd, wr);
    return rc ? st_fail(f, rc, "shutdown") : 0;
}

static int cmd_close(const JObject *r, Out *o, Fail *f)
{
    (void)o;
    long long sock;
    if (arg_int(r, "sock", 1, 0, INT_MIN, INT_MAX, 0, &sock, f) < 0)
        return -1;
    int rc = st_close((int)sock);
    return rc ? st_fail(f, rc, "close") : 0;
}

static int cmd_abort(const JObject *r, Out *o, Fail *f)
{
    (void)o;
    long long sock;
    if (arg_int(r, "sock", 1, 0, INT_MIN, INT_MAX, 0, &sock, f) < 0)
        return -1;
    int rc = st_abort((int)sock);
    return rc ? st_fail(f, rc, "abort") : 0;
}

static void out_states(Out *o, const st_endpoint *e, size_t n)
{
    buf_puts(o, "[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_puts(o, ",");
        buf_puts(o, "{\"local\":");
        buf_json_str(o, e[i].local);
        buf_puts(o, ",\"remote\":");
        buf_json_str(o, e[i].remote);
        int code = e[i].code;
        buf_printf(o, ",\"state\":\"%s\",\"code\":\"%02X\"}", tcp_state_name((unsigned)code), code < 0x100 ? code : e[i].lwip_state);
    }
    buf_puts(o, "]");
}

static int cmd_states(const JObject *r, Out *o, Fail *f)
{
    (void)r;
    st_endpoint *e = NULL;
    size_t n = 0;
    int rc = st_states(&e, &n);
    if (rc)
        return st_fail(f, rc, "states");
    buf_member_key(o, "endpoints");
    out_states(o, e, n);
    free(e);
    return 0;
}

static int cmd_reset(const JObject *r, Out *o, Fail *f)
{
    (void)r;
    (void)f;
    int closed = 0;
    st_reset(&closed);
    buf_member_int(o, "closed", closed);
    return 0;
}

static int g_bye;

static int cmd_bye(const JObject *r, Out *o, Fail *f)
{
    (void)r;
    (void)o;
    (void)f;
    g_bye = 1;
    return 0;
}

typedef int (*Handler)(const JObject *, Out *, Fail *);
static const struct {
    const char *name;
    Handler fn;
} COMMANDS[] = {
    { "hello", cmd_hello },     { "socket", cmd_socket }, { "setsockopt", cmd_setsockopt },
    { "getsockopt", cmd_getsockopt }, { "listen", cmd_listen }, { "accept", cmd_accept },
    { "connect", cmd_connect }, { "send", cmd_send },     { "recv", cmd_recv },
    { "shutdown", cmd_shutdown }, { "close", cmd_close }, { "abort", cmd_abort },
    { "states", cmd_states },   { "reset", cmd_reset },   { "bye", cmd_bye },
};

/* --- the control connection -------------------------------------------------- */

/* A write to the harness failed: it is gone, there is nobody left to serve. */
static void harness_gone(void)
{
    agent_note("cannot write to the control connection (%s); exiting", strerror(errno));
    exit_agent(0);
}

static void respond_error(int have_id, long long id, int e, const char *msg)
{
    control_respond_error(have_id, id, lwip_errno_name(e), msg);
}

static void handle_line(const char *line, size_t len)
{
    if (!line_trim(&line, &len))
        return; /* blank line: ignored, no response */
    agent_log('<', line, len);
    JObject r;
    char perrmsg[200];
    char *store = malloc(len + 1);
    if (store == NULL)
        agent_oom();
    if (json_parse_request(line, len, store, &r, perrmsg, sizeof perrmsg) < 0) {
        char m[260];
        snprintf(m, sizeof m, "bad request: %s", perrmsg);
        respond_error(0, 0, EPROTO, m);
        free(store);
        return;
    }
    const JMember *idm = json_arg(&r, "id");
    if (idm == NULL || idm->type != JV_INT) {
        respond_error(0, 0, EPROTO, "bad request: \"id\" must be an integer");
        free(store);
        return;
    }
    long long id = idm->num;
    const JMember *cm = json_arg(&r, "cmd");
    if (cm == NULL || cm->type != JV_STR) {
        respond_error(1, id, EPROTO, "bad request: \"cmd\" must be a string");
        free(store);
        return;
    }
    Handler fn = NULL;
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
        if (strlen(COMMANDS[i].name) == cm->slen && memcmp(COMMANDS[i].name, cm->str, cm->slen) == 0)
            fn = COMMANDS[i].fn;
    if (fn == NULL) {
        Out m = { 0 };
        buf_puts(&m, "unknown command ");
        buf_json_strn(&m, cm->str, cm->slen);
        respond_error(1, id, ENOSYS, m.p);
        buf_free(&m);
        free(store);
        return;
    }
    Out o = { 0 };
    Fail f = { 0 };
    buf_printf(&o, "{\"id\":%lld,\"ok\":true", id);
    if (fn(&r, &o, &f) < 0) {
        respond_error(1, id, f.err ? f.err : EIO, f.msg);
    } else {
        buf_puts(&o, "}");
        control_respond(&o);
    }
    buf_free(&o);
    free(store);
    if (g_bye) {
        agent_note("bye; exiting");
        exit_agent(0);
    }
}

static void line_too_long(void)
{
    respond_error(0, 0, EPROTO, LINES_TOO_LONG_MSG);
}

static void serve(void)
{
    static char buf[16384];
    LineReader lines = { 0 };
    for (;;) {
        if (g_stop) {
            agent_note("signal received; exiting");
            exit_agent(0);
        }
        ssize_t n = recv(g_ctl, buf, sizeof buf, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            agent_note("control connection failed (%s); exiting", strerror(errno));
            exit_agent(0);
        }
        if (n == 0) {
            /* EOF: complete lines were answered as they came; a partial one is dropped */
            agent_note("control connection closed; exiting");
            exit_agent(0);
        }
        lines_feed(&lines, buf, (size_t)n);
        lines_dispatch(&lines, handle_line, line_too_long);
    }
}

/* --- the link: AF_PACKET on the interface ---------------------------------- */

static int tx_frame(const void *frame, size_t len)
{
    for (;;) {
        ssize_t w = send(g_raw, frame, len, 0);
        if (w == (ssize_t)len)
            return 0;
        if (w < 0 && errno == EINTR)
            continue;
        return -1;
    }
}

static void *rx_thread(void *arg)
{
    (void)arg;
    static unsigned char buf[65536];
    for (;;) {
        struct sockaddr_ll from;
        socklen_t fl = sizeof from;
        ssize_t n = recvfrom(g_raw, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            if (errno == ENETDOWN || errno == ENXIO) {
                /* the link went down (the harness removes the veth at the end): do not spin */
                struct timespec ts = { 0, 50 * 1000 * 1000 };
                nanosleep(&ts, NULL);
                continue;
            }
            agent_note("reading eth0 failed (%s); the stack receives nothing more", strerror(errno));
            return NULL;
        }
        if (from.sll_pkttype == PACKET_OUTGOING)
            continue; /* our own frames, as the kernel loops them back */
        st_input(buf, (size_t)n);
    }
    return NULL;
}

static int open_link(const char *ifname, unsigned char mac[6], unsigned *mtu)
{
    /* The harness moves the veth end into our namespace and names it after the
     * container has started: wait for it (bounded) before opening it. */
    long long until = mono_ms() + 30000;
    unsigned idx = 0;
    int probe = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (probe < 0) {
        agent_note("socket(AF_INET) failed: %s", strerror(errno));
        return -1;
    }
    int logged = 0;
    for (;;) {
        idx = if_nametoindex(ifname);
        if (idx != 0) {
            struct ifreq ifr;
            memset(&ifr, 0, sizeof ifr);
            snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", ifname);
            if (ioctl(probe, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_UP))
                break;
        }
        if (mono_ms() > until) {
            agent_note("%s did not appear (up) within 30 s", ifname);
            close(probe);
            return -1;
        }
        if (!logged) {
            agent_note("waiting for %s", ifname);
            logged = 1;
        }
        struct timespec ts = { 0, 20 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", ifname);
    if (ioctl(probe, SIOCGIFHWADDR, &ifr) < 0) {
        agent_note("cannot read the MAC address of %s: %s", ifname, strerror(errno));
        close(probe);
        return -1;
    }
    memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
    *mtu = 1500;
    if (ioctl(probe, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu >= 576 && ifr.ifr_mtu <= 9000)
        *mtu = (unsigned)ifr.ifr_mtu;
    close(probe);

    g_raw = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
    if (g_raw < 0) {
        agent_note("socket(AF_PACKET) failed: %s (the container needs the NET_RAW capability)", strerror(errno));
        return -1;
    }
    struct sockaddr_ll sll;
    memset(&sll, 0, sizeof sll);
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_ALL);
    sll.sll_ifindex = (int)idx;
    if (bind(g_raw, (struct sockaddr *)&sll, sizeof sll) < 0) {
        agent_note("bind(AF_PACKET, %s) failed: %s", ifname, strerror(errno));
        return -1;
    }
    int rcvbuf = 1 << 20;
    setsockopt(g_raw, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    return 0;
}

/* --- main ------------------------------------------------------------------ */

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

static int open_control(const char *path)
{
    char err[300];
    int l = control_listen(path, err, sizeof err);
    if (l < 0) {
        agent_note("cannot open the control socket: %s", err);
        return -1;
    }
    agent_note("listening on %s", path);
    int c = control_accept(l, path, &g_stop);
    if (c == -2) {
        agent_note("signal received; exiting");
        exit_agent(0);
    }
    if (c < 0) {
        agent_note("accept on the control socket failed: %s", strerror(errno));
        return -1;
    }
    agent_note("harness connected"); /* one client only: a second one gets "no such file" */
    return c;
}

static void usage(void)
{
    fprintf(stderr, "usage: agent --control PATH [--iface IFACE] [--addr A.B.C.D/LEN]\n"
                    "       agent --version\n");
}

int main(int argc, char **argv)
{
    const char *control = NULL, *iface = "eth0", *addr = "192.0.2.2/24";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--version") == 0) {
            printf("%s protocol %d (lwIP %s, Debian liblwip0 %s)\n", AGENT_NAME, PROTOCOL, st_lwip_version(),
                   DEB_VERSION);
            return 0;
        } else if (strcmp(argv[i], "--control") == 0 && i + 1 < argc) {
            control = argv[++i];
        } else if (strcmp(argv[i], "--iface") == 0 && i + 1 < argc) {
            iface = argv[++i];
        } else if (strcmp(argv[i], "--addr") == 0 && i + 1 < argc) {
            addr = argv[++i];
        } else {
            usage();
            return 2;
        }
    }
    if (control == NULL) {
        usage();
        return 2;
    }
    char abuf[64];
    snprintf(abuf, sizeof abuf, "%s", addr);
    char *slash = strchr(abuf, '/');
    int plen = 24;
    if (slash) {
        *slash = 0;
        plen = atoi(slash + 1);
    }
    struct in_addr ip;
    if (inet_pton(AF_INET, abuf, &ip) != 1 || plen < 1 || plen > 30) {
        fprintf(stderr, "agent: --addr must be A.B.C.D/LEN\n");
        return 2;
    }
    uint32_t mask = htonl(0xffffffffu << (32 - plen));

    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: waits return EINTR and see g_stop */
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);

    unsigned char mac[6];
    unsigned mtu;
    if (open_link(iface, mac, &mtu) < 0)
        return 1;
    int pfd[2];
    if (pipe2(pfd, O_NONBLOCK | O_CLOEXEC) < 0) {
        agent_note("pipe: %s", strerror(errno));
        return 1;
    }
    g_wake_r = pfd[0];
    g_wake_w = pfd[1];
    /* lwIP's tcpip thread and the frame reader must not take the signals
     * meant for the main thread: both start with every signal blocked. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    struct in6_addr ip6;
    inet_pton(AF_INET6, ADDR6, &ip6);
    int rc = st_start(mac, mtu, ip.s_addr, mask, ip6.s6_addr, ADDR6_PREFIX, tx_frame, g_wake_w);
    if (rc) {
        agent_note("starting lwIP failed: %s", st_msg());
        return 1;
    }
    agent_note("lwIP %s up on %s: %s/%d, MAC %02x:%02x:%02x:%02x:%02x:%02x, MTU %u", st_lwip_version(), iface, abuf, plen,
         mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], mtu);
    pthread_t th;
    rc = pthread_create(&th, NULL, rx_thread, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        agent_note("cannot start the frame reader: %s", strerror(rc));
        return 1;
    }
    g_ctl = open_control(control);
    if (g_ctl < 0)
        return 1;
    control_use(g_ctl, harness_gone);
    serve();
    return 0;
}
