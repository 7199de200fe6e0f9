/*
 * tcpct-lwip-agent: drives lwIP 2.1.3 (Debian's liblwip) for the tcpct
 * harness, speaking the agent protocol of targets/AGENT-PROTOCOL.md on a Unix
 * socket, and running lwIP on eth0 through an AF_PACKET socket.
 *
 *   agent --control PATH [--iface eth0] [--addr 192.0.2.2/24]
 *   agent --version
 *
 * This file: command line, the AF_PACKET link and its reader thread, the
 * control connection, JSON requests and responses. stack.c: everything lwIP.
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

#include "stack.h"

#define AGENT_NAME "tcpct-lwip-agent"
#define PROTOCOL 1
#define MAX_LINE 65536
#ifndef DEB_VERSION
#define DEB_VERSION "unknown"
#endif

static int g_ctl = -1;        /* the harness's connection */
static int g_raw = -1;        /* AF_PACKET socket on the interface */
static int g_wake_r = -1, g_wake_w = -1;
static volatile sig_atomic_t g_stop;

/* --- logging --------------------------------------------------------------- */

static long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void log_line(char mark, const char *s, size_t n)
{
    /* one fprintf per entry, control bytes escaped as \xNN */
    size_t cap = n * 4 + 64;
    char *b = malloc(cap);
    if (b == NULL)
        return;
    size_t k = (size_t)snprintf(b, cap, "%lld %c ", mono_ms(), mark);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x20 || ch == 0x7f)
            k += (size_t)snprintf(b + k, cap - k, "\\x%02x", ch);
        else
            b[k++] = (char)ch;
    }
    b[k++] = '\n';
    fwrite(b, 1, k, stderr);
    fflush(stderr);
    free(b);
}

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
    char m[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m, sizeof m, fmt, ap);
    va_end(ap);
    log_line('#', m, strlen(m));
}

static void exit_agent(int status) __attribute__((noreturn));
static void exit_agent(int status)
{
    /* Closes what the agent owns the normal way (FIN, or RST where the stack
     * decides so); lwIP sends these segments before tcp_close returns. */
    st_close_all();
    fflush(stderr);
    _exit(status);
}

/* --- output buffer ---------------------------------------------------------- */

typedef struct {
    char *b;
    size_t n, cap;
} Out;

static void out_raw(Out *o, const char *s, size_t n)
{
    if (o->n + n + 1 > o->cap) {
        size_t cap = o->cap ? o->cap : 256;
        while (cap < o->n + n + 1)
            cap *= 2;
        char *nb = realloc(o->b, cap);
        if (nb == NULL) {
            fprintf(stderr, "agent: out of memory\n");
            _exit(1);
        }
        o->b = nb;
        o->cap = cap;
    }
    memcpy(o->b + o->n, s, n);
    o->n += n;
    o->b[o->n] = 0;
}

static void out_s(Out *o, const char *s)
{
    out_raw(o, s, strlen(s));
}

static void out_f(Out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void out_f(Out *o, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof tmp) {
        out_raw(o, tmp, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (big == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    out_raw(o, big, (size_t)n);
    free(big);
}

/* A JSON string, ASCII only: non-ASCII bytes and controls as \u00XX. */
static void out_jstr(Out *o, const char *s, size_t n)
{
    out_raw(o, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"')
            out_raw(o, "\\\"", 2);
        else if (c == '\\')
            out_raw(o, "\\\\", 2);
        else if (c == '\n')
            out_raw(o, "\\n", 2);
        else if (c == '\r')
            out_raw(o, "\\r", 2);
        else if (c == '\t')
            out_raw(o, "\\t", 2);
        else if (c < 0x20 || c >= 0x7f)
            out_f(o, "\\u%04x", c);
        else
            out_raw(o, (const char *)&c, 1);
    }
    out_raw(o, "\"", 1);
}

static void out_key(Out *o, const char *k)
{
    out_raw(o, ",", 1);
    out_jstr(o, k, strlen(k));
    out_raw(o, ":", 1);
}

static void out_kstr(Out *o, const char *k, const char *v)
{
    out_key(o, k);
    out_jstr(o, v, strlen(v));
}

static void out_kint(Out *o, const char *k, long long v)
{
    out_key(o, k);
    out_f(o, "%lld", v);
}

static void out_kbool(Out *o, const char *k, int v)
{
    out_key(o, k);
    out_s(o, v ? "true" : "false");
}

/* --- errno names ----------------------------------------------------------- */

static const struct {
    int e;
    const char *name;
} ERRNOS[] = {
    { EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { ESRCH, "ESRCH" }, { EINTR, "EINTR" }, { EIO, "EIO" },
    { ENXIO, "ENXIO" }, { E2BIG, "E2BIG" }, { ENOEXEC, "ENOEXEC" }, { EBADF, "EBADF" }, { ECHILD, "ECHILD" },
    { EAGAIN, "EAGAIN" }, { ENOMEM, "ENOMEM" }, { EACCES, "EACCES" }, { EFAULT, "EFAULT" }, { EBUSY, "EBUSY" },
    { EEXIST, "EEXIST" }, { EXDEV, "EXDEV" }, { ENODEV, "ENODEV" }, { ENOTDIR, "ENOTDIR" }, { EISDIR, "EISDIR" },
    { EINVAL, "EINVAL" }, { ENFILE, "ENFILE" }, { EMFILE, "EMFILE" }, { ENOTTY, "ENOTTY" }, { EFBIG, "EFBIG" },
    { ENOSPC, "ENOSPC" }, { ESPIPE, "ESPIPE" }, { EROFS, "EROFS" }, { EMLINK, "EMLINK" }, { EPIPE, "EPIPE" },
    { EDOM, "EDOM" }, { ERANGE, "ERANGE" }, { ENOSYS, "ENOSYS" }, { EPROTO, "EPROTO" },
    { ENOTSOCK, "ENOTSOCK" }, { EDESTADDRREQ, "EDESTADDRREQ" }, { EMSGSIZE, "EMSGSIZE" },
    { EPROTOTYPE, "EPROTOTYPE" }, { ENOPROTOOPT, "ENOPROTOOPT" }, { EPROTONOSUPPORT, "EPROTONOSUPPORT" },
    { EOPNOTSUPP, "EOPNOTSUPP" }, { EAFNOSUPPORT, "EAFNOSUPPORT" }, { EADDRINUSE, "EADDRINUSE" },
    { EADDRNOTAVAIL, "EADDRNOTAVAIL" }, { ENETDOWN, "ENETDOWN" }, { ENETUNREACH, "ENETUNREACH" },
    { ENETRESET, "ENETRESET" }, { ECONNABORTED, "ECONNABORTED" }, { ECONNRESET, "ECONNRESET" },
    { ENOBUFS, "ENOBUFS" }, { EISCONN, "EISCONN" }, { ENOTCONN, "ENOTCONN" }, { ESHUTDOWN, "ESHUTDOWN" },
    { ETIMEDOUT, "ETIMEDOUT" }, { ECONNREFUSED, "ECONNREFUSED" }, { EHOSTDOWN, "EHOSTDOWN" },
    { EHOSTUNREACH, "EHOSTUNREACH" }, { EALREADY, "EALREADY" }, { EINPROGRESS, "EINPROGRESS" },
};

static const char *errno_name(int e)
{
    for (size_t i = 0; i < sizeof ERRNOS / sizeof ERRNOS[0]; i++)
        if (ERRNOS[i].e == e)
            return ERRNOS[i].name;
    return "EIO";
}

/* --- JSON requests --------------------------------------------------------- */

typedef enum { JV_STR, JV_INT, JV_BOOL, JV_NULL } JType;

typedef struct {
    char *key;
    size_t klen;
    JType t;
    char *s; /* JV_STR: decoded UTF-8, NUL-terminated (may hold NULs) */
    size_t slen;
    long long i; /* JV_INT, JV_BOOL */
} JMember;

#define MAX_MEMBERS 64

typedef struct {
    JMember m[MAX_MEMBERS];
    int n;
} JObject;

typedef struct {
    const char *p, *end, *start;
    char err[160];
} Parser;

static int perr(Parser *ps, const char *what)
{
    snprintf(ps->err, sizeof ps->err, "%s at column %ld", what, (long)(ps->p - ps->start) + 1);
    return -1;
}

static void skip_ws(Parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static void put_utf8(Out *o, unsigned long cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xc0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xe0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        b[2] = (char)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        b[0] = (char)(0xf0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        b[3] = (char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    out_raw(o, b, n);
}

static int hex4(Parser *ps, unsigned long *v)
{
    if (ps->end - ps->p < 4)
        return perr(ps, "truncated \\u escape");
    unsigned long x = 0;
    for (int i = 0; i < 4; i++) {
        char c = ps->p[i];
        x <<= 4;
        if (c >= '0' && c <= '9')
            x |= (unsigned long)(c - '0');
        else if (c >= 'a' && c <= 'f')
            x |= (unsigned long)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            x |= (unsigned long)(c - 'A' + 10);
        else
            return perr(ps, "bad hex digit in \\u escape");
    }
    ps->p += 4;
    *v = x;
    return 0;
}

/* Parses a string at ps->p (which is at '"'); the result is malloc'd. */
static int parse_string(Parser *ps, char **out, size_t *outlen)
{
    Out o = { 0 };
    ps->p++; /* the quote */
    for (;;) {
        if (ps->p >= ps->end) {
            free(o.b);
            return perr(ps, "unterminated string");
        }
        unsigned char c = (unsigned char)*ps->p;
        if (c == '"') {
            ps->p++;
            break;
        }
        if (c < 0x20) {
            free(o.b);
            return perr(ps, "control character in string");
        }
        if (c != '\\') {
            out_raw(&o, (const char *)&c, 1);
            ps->p++;
            continue;
        }
        ps->p++;
        if (ps->p >= ps->end) {
            free(o.b);
            return perr(ps, "unterminated escape");
        }
        char e = *ps->p++;
        switch (e) {
        case '"': out_raw(&o, "\"", 1); break;
        case '\\': out_raw(&o, "\\", 1); break;
        case '/': out_raw(&o, "/", 1); break;
        case 'b': out_raw(&o, "\b", 1); break;
        case 'f': out_raw(&o, "\f", 1); break;
        case 'n': out_raw(&o, "\n", 1); break;
        case 'r': out_raw(&o, "\r", 1); break;
        case 't': out_raw(&o, "\t", 1); break;
        case 'u': {
            unsigned long cp;
            if (hex4(ps, &cp) < 0) {
                free(o.b);
                return -1;
            }
            if (cp >= 0xdc00 && cp <= 0xdfff) {
                free(o.b);
                return perr(ps, "lone low surrogate in \\u escape");
            }
            if (cp >= 0xd800 && cp <= 0xdbff) {
                unsigned long lo;
                if (ps->end - ps->p < 2 || ps->p[0] != '\\' || ps->p[1] != 'u') {
                    free(o.b);
                    return perr(ps, "high surrogate without its low surrogate");
                }
                ps->p += 2;
                if (hex4(ps, &lo) < 0) {
                    free(o.b);
                    return -1;
                }
                if (lo < 0xdc00 || lo > 0xdfff) {
                    free(o.b);
                    return perr(ps, "high surrogate without its low surrogate");
                }
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            }
            put_utf8(&o, cp);
            break;
        }
        default:
            free(o.b);
            ps->p--;
            return perr(ps, "bad escape in string");
        }
    }
    if (o.b == NULL)
        out_raw(&o, "", 0);
    *out = o.b;
    *outlen = o.n;
    return 0;
}

static int parse_value(Parser *ps, JMember *m)
{
    if (ps->p >= ps->end)
        return perr(ps, "expected a value");
    char c = *ps->p;
    if (c == '"') {
        m->t = JV_STR;
        return parse_string(ps, &m->s, &m->slen);
    }
    if (c == '{')
        return perr(ps, "nested objects are not allowed");
    if (c == '[')
        return perr(ps, "arrays are not allowed");
    if (c == '-' || (c >= '0' && c <= '9')) {
        const char *s = ps->p;
        int neg = 0;
        if (*ps->p == '-') {
            neg = 1;
            ps->p++;
        }
        if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9')
            return perr(ps, "bad number");
        unsigned long long v = 0;
        int overflow = 0;
        if (*ps->p == '0') {
            ps->p++;
        } else {
            while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') {
                unsigned d = (unsigned)(*ps->p - '0');
                if (v > (ULLONG_MAX - d) / 10)
                    overflow = 1;
                else
                    v = v * 10 + d;
                ps->p++;
            }
        }
        if (ps->p < ps->end && (*ps->p == '.' || *ps->p == 'e' || *ps->p == 'E'))
            return perr(ps, "numbers with a fraction or an exponent are not allowed");
        if (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
            return perr(ps, "leading zero in number");
        if (overflow || (!neg && v > (unsigned long long)LLONG_MAX)
            || (neg && v > (unsigned long long)LLONG_MAX + 1ULL)) {
            ps->p = s;
            return perr(ps, "integer out of range");
        }
        m->t = JV_INT;
        m->i = neg ? (long long)(0ULL - v) : (long long)v;
        return 0;
    }
    static const struct {
        const char *w;
        JType t;
        int v;
    } LIT[] = { { "true", JV_BOOL, 1 }, { "false", JV_BOOL, 0 }, { "null", JV_NULL, 0 } };
    for (size_t i = 0; i < 3; i++) {
        size_t n = strlen(LIT[i].w);
        if ((size_t)(ps->end - ps->p) >= n && memcmp(ps->p, LIT[i].w, n) == 0) {
            ps->p += n;
            m->t = LIT[i].t;
            m->i = LIT[i].v;
            return 0;
        }
    }
    return perr(ps, "expected a value");
}

static void jobj_free(JObject *o)
{
    for (int i = 0; i < o->n; i++) {
        free(o->m[i].key);
        free(o->m[i].s);
    }
    o->n = 0;
}

static int parse_object(const char *line, size_t len, JObject *o, char *err, size_t errlen)
{
    Parser ps = { .p = line, .end = line + len, .start = line };
    o->n = 0;
    skip_ws(&ps);
    if (ps.p >= ps.end || *ps.p != '{') {
        perr(&ps, "expected '{'");
        goto fail;
    }
    ps.p++;
    skip_ws(&ps);
    if (ps.p < ps.end && *ps.p == '}') {
        ps.p++;
    } else {
        for (;;) {
            skip_ws(&ps);
            if (ps.p >= ps.end || *ps.p != '"') {
                perr(&ps, "expected a member name");
                goto fail;
            }
            if (o->n == MAX_MEMBERS) {
                perr(&ps, "too many members");
                goto fail;
            }
            JMember *m = &o->m[o->n];
            memset(m, 0, sizeof *m);
            const char *kpos = ps.p;
            if (parse_string(&ps, &m->key, &m->klen) < 0)
                goto fail;
            o->n++;
            for (int i = 0; i < o->n - 1; i++) {
                if (o->m[i].klen == m->klen && memcmp(o->m[i].key, m->key, m->klen) == 0) {
                    ps.p = kpos;
                    perr(&ps, "duplicate key");
                    goto fail;
                }
            }
            skip_ws(&ps);
            if (ps.p >= ps.end || *ps.p != ':') {
                perr(&ps, "expected ':'");
                goto fail;
            }
            ps.p++;
            skip_ws(&ps);
            if (parse_value(&ps, m) < 0)
                goto fail;
            skip_ws(&ps);
            if (ps.p < ps.end && *ps.p == ',') {
                ps.p++;
                continue;
            }
            if (ps.p < ps.end && *ps.p == '}') {
                ps.p++;
                break;
            }
            perr(&ps, "expected ',' or '}'");
            goto fail;
        }
    }
    skip_ws(&ps);
    if (ps.p != ps.end) {
        perr(&ps, "unexpected text after the object");
        goto fail;
    }
    return 0;
fail:
    snprintf(err, errlen, "%s", ps.err);
    jobj_free(o);
    return -1;
}

/* A member by name; an explicit null counts as absent. */
static const JMember *jget(const JObject *o, const char *k)
{
    size_t kl = strlen(k);
    for (int i = 0; i < o->n; i++)
        if (o->m[i].klen == kl && memcmp(o->m[i].key, k, kl) == 0)
            return o->m[i].t == JV_NULL ? NULL : &o->m[i];
    return NULL;
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
    const JMember *m = jget(r, k);
    if (m == NULL) {
        if (required)
            return fail(f, EINVAL, "missing argument \"%s\"", k);
        *out = def;
        return 0;
    }
    if (m->t == JV_BOOL && allow_bool) {
        *out = m->i;
        return 0;
    }
    if (m->t != JV_INT)
        return fail(f, EINVAL, "argument \"%s\" must be an integer", k);
    if (m->i < lo || m->i > hi)
        return fail(f, EINVAL, "argument \"%s\" must be in %lld..%lld", k, lo, hi);
    *out = m->i;
    return 0;
}

static int arg_str(const JObject *r, const char *k, int required, const char *def, const char **out, Fail *f)
{
    const JMember *m = jget(r, k);
    if (m == NULL) {
        if (required)
            return fail(f, EINVAL, "missing argument \"%s\"", k);
        *out = def;
        return 0;
    }
    if (m->t != JV_STR)
        return fail(f, EINVAL, "argument \"%s\" must be a string", k);
    if (strlen(m->s) != m->slen)
        return fail(f, EINVAL, "argument \"%s\" contains a NUL character", k);
    *out = m->s;
    return 0;
}

/* An IPv4 address for this IPv4-only stack: "A.B.C.D", or an IPv6 form that is
 * v4-mapped. Any other IPv6 address: EAFNOSUPPORT. */
static int parse_v4(const char *s, uint32_t *be, Fail *f)
{
    struct in_addr a4;
    if (inet_pton(AF_INET, s, &a4) == 1) {
        *be = a4.s_addr;
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
            memcpy(be, &a6.s6_addr[12], 4);
            return 0;
        }
        return fail(f, EAFNOSUPPORT, "%s is an IPv6 address: the lwIP netif of this agent is IPv4 only", s);
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
        note("signal received; exiting");
        exit_agent(0);
    }
    if (rc > 0 && (p[1].revents & (POLLHUP | POLLERR))) {
        note("control connection closed during a wait; exiting");
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
    out_kstr(o, "agent", AGENT_NAME);
    out_kint(o, "protocol", PROTOCOL);
    char stack[200];
    snprintf(stack, sizeof stack, "lwIP %s (Debian liblwip0 %s; raw TCP API, AF_PACKET netif)", st_lwip_version(),
             DEB_VERSION);
    out_kstr(o, "stack", stack);
    out_kstr(o, "probe", "agent");
    out_key(o, "commands");
    out_s(o, "[");
    for (size_t i = 0; i < sizeof COMMAND_NAMES / sizeof COMMAND_NAMES[0]; i++) {
        if (i)
            out_s(o, ",");
        out_jstr(o, COMMAND_NAMES[i], strlen(COMMAND_NAMES[i]));
    }
    out_s(o, "]");
    /* every state of lwIP's enum tcp_state is read from its PCB lists */
    out_key(o, "hiddenStates");
    out_s(o, "[]");
    return 0;
}

static int cmd_socket(const JObject *r, Out *o, Fail *f)
{
    const char *fam;
    if (arg_str(r, "family", 0, "inet", &fam, f) < 0)
        return -1;
    if (strcmp(fam, "inet6") == 0)
        return fail(f, EAFNOSUPPORT, "socket: the lwIP netif of this agent is IPv4 only");
    if (strcmp(fam, "inet") != 0)
        return fail(f, EINVAL, "argument \"family\" must be \"inet\" or \"inet6\"");
    int sock;
    int rc = st_socket(&sock);
    if (rc)
        return st_fail(f, rc, "socket");
    out_kint(o, "sock", sock);
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
    out_kint(o, "value", v);
    if (strcmp(name, "SO_ERROR") == 0) {
        if (v == 0) {
            out_key(o, "error");
            out_s(o, "null");
        } else {
            out_kstr(o, "error", errno_name((int)v));
        }
    }
    return 0;
}

static int cmd_listen(const JObject *r, Out *o, Fail *f)
{
    long long port, backlog, sock;
    const char *addr;
    uint32_t be;
    if (arg_int(r, "port", 1, 0, 0, 65535, 0, &port, f) < 0 || arg_int(r, "backlog", 0, 16, INT_MIN, INT_MAX, 0, &backlog, f) < 0
        || arg_int(r, "sock", 0, -1, INT_MIN, INT_MAX, 0, &sock, f) < 0 || arg_str(r, "addr", 0, "0.0.0.0", &addr, f) < 0
        || parse_v4(addr, &be, f) < 0)
        return -1;
    if (jget(r, "sock") != NULL && sock < 0)
        return fail(f, EBADF, "sock %lld is not a socket owned by the agent", sock);
    int out;
    char local[ST_ADDR_MAX];
    int rc = st_listen((int)sock, be, (int)port, (int)backlog, &out, local);
    if (rc)
        return st_fail(f, rc, "listen");
    out_kint(o, "sock", out);
    out_kstr(o, "local", local);
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
    out_kint(o, "sock", out);
    out_kstr(o, "remote", remote);
    out_kstr(o, "local", local);
    return 0;
}

static int cmd_connect(const JObject *r, Out *o, Fail *f)
{
    long long port, sock, lport;
    const char *addr;
    uint32_t be;
    if (arg_str(r, "addr", 1, NULL, &addr, f) < 0 || arg_int(r, "port", 1, 0, 0, 65535, 0, &port, f) < 0
        || arg_int(r, "sock", 0, -1, INT_MIN, INT_MAX, 0, &sock, f) < 0
        || arg_int(r, "localPort", 0, -1, 0, 65535, 0, &lport, f) < 0 || parse_v4(addr, &be, f) < 0)
        return -1;
    if (jget(r, "sock") != NULL && sock < 0)
        return fail(f, EBADF, "sock %lld is not a socket owned by the agent", sock);
    int out, inprog = 0;
    char local[ST_ADDR_MAX];
    int rc = st_connect((int)sock, be, (int)port, (int)lport, &out, local, &inprog);
    if (rc)
        return st_fail(f, rc, "connect");
    out_kint(o, "sock", out);
    out_kstr(o, "local", local);
    out_kbool(o, "inProgress", inprog);
    return 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int cmd_send(const JObject *r, Out *o, Fail *f)
{
    long long sock;
    const char *hex;
    if (arg_int(r, "sock", 1, 0, INT_MIN, INT_MAX, 0, &sock, f) < 0 || arg_str(r, "data", 1, NULL, &hex, f) < 0)
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
    out_kint(o, "sent", (long long)sent);
    return 0;
}

static int cmd_recv(const JObject *r, Out *o, Fail *f)
{
    long long sock, max, tmo;
    if (arg_int(r, "sock", 1, 0, INT_MIN, INT_MAX, 0, &sock, f) < 0
        || arg_int(r, "max", 0, 65536, 1, 1048576, 0, &max, f) < 0
        || arg_int(r, "timeoutMs", 0, 1000, 0, 3600000, 0, &tmo, f) < 0)
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
    out_key(o, "data");
    out_s(o, "\"");
    for (size_t i = 0; i < got; i++)
        out_f(o, "%02x", buf[i]);
    out_s(o, "\"");
    out_kbool(o, "eof", eof);
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

static const char *state_name(int code)
{
    switch (code) {
    case 0x01: return "ESTABLISHED";
    case 0x02: return "SYN-SENT";
    case 0x03: return "SYN-RECEIVED";
    case 0x04: return "FIN-WAIT-1";
    case 0x05: return "FIN-WAIT-2";
    case 0x06: return "TIME-WAIT";
    case 0x07: return "CLOSED";
    case 0x08: return "CLOSE-WAIT";
    case 0x09: return "LAST-ACK";
    case 0x0A: return "LISTEN";
    case 0x0B: return "CLOSING";
    case 0x0C: return "SYN-RECEIVED";
    default: return "UNKNOWN";
    }
}

static void out_states(Out *o, const st_endpoint *e, size_t n)
{
    out_s(o, "[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            out_s(o, ",");
        out_s(o, "{\"local\":");
        out_jstr(o, e[i].local, strlen(e[i].local));
        out_s(o, ",\"remote\":");
        out_jstr(o, e[i].remote, strlen(e[i].remote));
        int code = e[i].code;
        out_f(o, ",\"state\":\"%s\",\"code\":\"%02X\"}", state_name(code), code < 0x100 ? code : e[i].lwip_state);
    }
    out_s(o, "]");
}

static int cmd_states(const JObject *r, Out *o, Fail *f)
{
    (void)r;
    st_endpoint *e = NULL;
    size_t n = 0;
    int rc = st_states(&e, &n);
    if (rc)
        return st_fail(f, rc, "states");
    out_key(o, "endpoints");
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
    out_kint(o, "closed", closed);
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

static void send_line(Out *o)
{
    log_line('>', o->b, o->n);
    out_raw(o, "\n", 1);
    size_t off = 0;
    while (off < o->n) {
        ssize_t w = send(g_ctl, o->b + off, o->n - off, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            note("cannot write to the control connection (%s); exiting", strerror(errno));
            exit_agent(0);
        }
        off += (size_t)w;
    }
}

static void respond_error(int have_id, long long id, int e, const char *msg)
{
    Out o = { 0 };
    if (have_id)
        out_f(&o, "{\"id\":%lld,\"ok\":false", id);
    else
        out_s(&o, "{\"id\":null,\"ok\":false");
    out_kstr(&o, "errno", errno_name(e));
    out_kstr(&o, "error", msg);
    out_s(&o, "}");
    send_line(&o);
    free(o.b);
}

static void handle_line(const char *line, size_t len)
{
    if (len > 0 && line[len - 1] == '\r')
        len--;
    size_t k = 0;
    while (k < len && (line[k] == ' ' || line[k] == '\t'))
        k++;
    if (k == len)
        return; /* blank line: ignored, no response */
    log_line('<', line, len);
    JObject r;
    char perrmsg[200];
    if (parse_object(line, len, &r, perrmsg, sizeof perrmsg) < 0) {
        char m[260];
        snprintf(m, sizeof m, "bad request: %s", perrmsg);
        respond_error(0, 0, EPROTO, m);
        return;
    }
    const JMember *idm = jget(&r, "id");
    if (idm == NULL || idm->t != JV_INT) {
        respond_error(0, 0, EPROTO, "bad request: \"id\" must be an integer");
        jobj_free(&r);
        return;
    }
    long long id = idm->i;
    const JMember *cm = jget(&r, "cmd");
    if (cm == NULL || cm->t != JV_STR) {
        respond_error(1, id, EPROTO, "bad request: \"cmd\" must be a string");
        jobj_free(&r);
        return;
    }
    Handler fn = NULL;
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
        if (strlen(COMMANDS[i].name) == cm->slen && memcmp(COMMANDS[i].name, cm->s, cm->slen) == 0)
            fn = COMMANDS[i].fn;
    if (fn == NULL) {
        Out m = { 0 };
        out_s(&m, "unknown command ");
        out_jstr(&m, cm->s, cm->slen);
        respond_error(1, id, ENOSYS, m.b);
        free(m.b);
        jobj_free(&r);
        return;
    }
    Out o = { 0 };
    Fail f = { 0 };
    out_f(&o, "{\"id\":%lld,\"ok\":true", id);
    if (fn(&r, &o, &f) < 0) {
        respond_error(1, id, f.err ? f.err : EIO, f.msg);
    } else {
        out_s(&o, "}");
        send_line(&o);
    }
    free(o.b);
    jobj_free(&r);
    if (g_bye) {
        note("bye; exiting");
        exit_agent(0);
    }
}

static void serve(void)
{
    static char buf[MAX_LINE + 2];
    size_t have = 0;
    int skipping = 0; /* inside an over-long line: drop up to the next newline */
    for (;;) {
        if (g_stop) {
            note("signal received; exiting");
            exit_agent(0);
        }
        ssize_t n = recv(g_ctl, buf + have, sizeof buf - have, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            note("control connection failed (%s); exiting", strerror(errno));
            exit_agent(0);
        }
        if (n == 0) {
            /* EOF: complete lines were answered as they came; a partial one is dropped */
            note("control connection closed; exiting");
            exit_agent(0);
        }
        have += (size_t)n;
        size_t start = 0;
        for (;;) {
            char *nl = memchr(buf + start, '\n', have - start);
            if (nl == NULL)
                break;
            size_t len = (size_t)(nl - (buf + start));
            if (skipping)
                skipping = 0;
            else if (len > MAX_LINE)
                respond_error(0, 0, EPROTO, "bad request: line longer than 65536 bytes");
            else
                handle_line(buf + start, len);
            start += len + 1;
        }
        memmove(buf, buf + start, have - start);
        have -= start;
        if (have > MAX_LINE) {
            if (!skipping)
                respond_error(0, 0, EPROTO, "bad request: line longer than 65536 bytes");
            skipping = 1;
            have = 0;
        }
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
            note("reading eth0 failed (%s); the stack receives nothing more", strerror(errno));
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
        note("socket(AF_INET) failed: %s", strerror(errno));
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
            note("%s did not appear (up) within 30 s", ifname);
            close(probe);
            return -1;
        }
        if (!logged) {
            note("waiting for %s", ifname);
            logged = 1;
        }
        struct timespec ts = { 0, 20 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", ifname);
    if (ioctl(probe, SIOCGIFHWADDR, &ifr) < 0) {
        note("cannot read the MAC address of %s: %s", ifname, strerror(errno));
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
        note("socket(AF_PACKET) failed: %s (the container needs the NET_RAW capability)", strerror(errno));
        return -1;
    }
    struct sockaddr_ll sll;
    memset(&sll, 0, sizeof sll);
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_ALL);
    sll.sll_ifindex = (int)idx;
    if (bind(g_raw, (struct sockaddr *)&sll, sizeof sll) < 0) {
        note("bind(AF_PACKET, %s) failed: %s", ifname, strerror(errno));
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
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof sa.sun_path) {
        note("control path too long: %s", path);
        return -1;
    }
    strcpy(sa.sun_path, path);
    unlink(path);
    int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof sa) < 0) {
        note("cannot bind the control socket %s: %s", path, strerror(errno));
        return -1;
    }
    chmod(path, 0666);
    if (listen(l, 1) < 0) {
        note("listen on %s failed: %s", path, strerror(errno));
        return -1;
    }
    note("listening on %s", path);
    for (;;) {
        struct pollfd p = { .fd = l, .events = POLLIN };
        int rc = poll(&p, 1, 1000);
        if (g_stop) {
            unlink(path);
            note("signal received; exiting");
            exit_agent(0);
        }
        if (rc <= 0)
            continue;
        int c = accept4(l, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            note("accept on the control socket failed: %s", strerror(errno));
            return -1;
        }
        close(l);
        unlink(path); /* one client only: a second one gets "no such file" */
        note("harness connected");
        return c;
    }
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
        note("pipe: %s", strerror(errno));
        return 1;
    }
    g_wake_r = pfd[0];
    g_wake_w = pfd[1];
    /* lwIP's tcpip thread and the frame reader must not take the signals
     * meant for the main thread: both start with every signal blocked. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int rc = st_start(mac, mtu, ip.s_addr, mask, tx_frame, g_wake_w);
    if (rc) {
        note("starting lwIP failed: %s", st_msg());
        return 1;
    }
    note("lwIP %s up on %s: %s/%d, MAC %02x:%02x:%02x:%02x:%02x:%02x, MTU %u", st_lwip_version(), iface, abuf, plen,
         mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], mtu);
    pthread_t th;
    rc = pthread_create(&th, NULL, rx_thread, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        note("cannot start the frame reader: %s", strerror(rc));
        return 1;
    }
    g_ctl = open_control(control);
    if (g_ctl < 0)
        return 1;
    serve();
    return 0;
}
