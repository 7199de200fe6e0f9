/*
 * agent.c - the tcpct Linux agent.
 *
 * Runs as PID 1 inside a FROM-scratch container whose network namespace holds
 * the Linux TCP stack under test. The tcpct harness talks to it over an
 * AF_UNIX stream socket (never over the network under test): one JSON request
 * per line in, one JSON response per line out, in order. The agent performs
 * the requested socket calls on the kernel's TCP and reports the results.
 * The protocol is documented in targets/AGENT-PROTOCOL.md.
 *
 *   agent --control PATH             serve the harness on unix socket PATH
 *   agent --parse-proc FILE [...]    offline: print the "states" JSON of
 *                                    /proc/net/tcp{,6}-format files
 *   agent --version
 *
 * Layout of this file:
 *   1. utilities: growable buffer, logging, errno names
 *   2. JSON: request reader, response writer helpers
 *   3. IP addresses: formatting and parsing
 *   4. the /proc/net/tcp and /proc/net/tcp6 parser
 *   5. owned sockets, command arguments, command handlers
 *   6. control connection and the event loop
 *   7. main
 *
 * Build: gcc -static -O2 -Wall -Wextra -o agent agent.c   (see ../build.sh)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#ifndef TCP_QUICKACK
#define TCP_QUICKACK 12
#endif
#ifndef TCP_USER_TIMEOUT
#define TCP_USER_TIMEOUT 18
#endif

#define AGENT_NAME "tcpct-linux-agent"
#define PROTOCOL_VERSION 1
#define MAX_LINE 65536          /* longest request line accepted, without '\n' */
#define MAX_FDS 65536           /* the agent can own sockets with fd < MAX_FDS */
#define MAX_MEMBERS 64          /* members per request object */
#define DEFAULT_BACKLOG 16
#define DEFAULT_TIMEOUT_MS 1000
#define DEFAULT_RECV_MAX 65536
#define MAX_RECV 1048576        /* upper bound of recv's "max" */
#define MAX_TIMEOUT_MS 3600000  /* upper bound of "timeoutMs": one hour */

/* ======================================================================
 * 1. Utilities
 * ====================================================================== */

/* Growable, always NUL-terminated byte buffer. */
typedef struct {
    char *p;
    size_t len, cap;
} Buf;

static void die_oom(void)
{
    fputs("agent: out of memory\n", stderr);
    exit(1);
}

static void buf_reserve(Buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p)
        die_oom();
    b->p = p;
    b->cap = cap;
}

static void buf_add(Buf *b, const char *s, size_t n)
{
    buf_reserve(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void buf_puts(Buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

static void buf_printf(Buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void buf_printf(Buf *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof tmp) {
        buf_add(b, tmp, (size_t)n);
        return;
    }
    buf_reserve(b, (size_t)n); /* longer than tmp: format again in place */
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

static void buf_free(Buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

/* Milliseconds of CLOCK_MONOTONIC (time since boot, not namespaced), so log
 * lines can be correlated with the harness's own monotonic clock. */
static long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Log line on stderr: "<monotonic ms> <dir> <text>", where dir is '<' for a
 * request, '>' for a response and '#' for a note of the agent itself.
 * Control bytes (only possible in malformed requests) are written as \xNN so
 * the log stays one line per entry and plain text. */
static void log_raw(char dir, const char *s, size_t n)
{
    fprintf(stderr, "%lld %c ", mono_ms(), dir);
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f) {
            fwrite(s + start, 1, i - start, stderr);
            fprintf(stderr, "\\x%02x", c);
            start = i + 1;
        }
    }
    fwrite(s + start, 1, n - start, stderr);
    fputc('\n', stderr);
    fflush(stderr);
}

static void log_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void log_note(const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    log_raw('#', msg, strlen(msg));
}

/* Symbolic names of the errno values a socket program can meet. Where Linux
 * gives two names the same value (EWOULDBLOCK, ENOTSUP, EDEADLOCK) only the
 * first spelling is listed, so it is the one reported. */
static const struct {
    int num;
    const char *name;
} ERRNO_NAMES[] = {
#define E(x) { x, #x }
    E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO), E(E2BIG),
    E(ENOEXEC), E(EBADF), E(ECHILD), E(EAGAIN), E(ENOMEM), E(EACCES),
    E(EFAULT), E(EBUSY), E(EEXIST), E(EXDEV), E(ENODEV), E(ENOTDIR),
    E(EISDIR), E(EINVAL), E(ENFILE), E(EMFILE), E(ENOTTY), E(EFBIG),
    E(ENOSPC), E(ESPIPE), E(EROFS), E(EMLINK), E(EPIPE), E(EDOM), E(ERANGE),
    E(EDEADLK), E(ENAMETOOLONG), E(ENOLCK), E(ENOSYS), E(ENOTEMPTY),
    E(ELOOP), E(ENOMSG), E(EIDRM), E(ENOSTR), E(ENODATA), E(ETIME), E(ENOSR),
    E(ENONET), E(ENOLINK), E(EPROTO), E(EBADMSG), E(EOVERFLOW), E(EILSEQ),
    E(ERESTART), E(EUSERS), E(ENOTSOCK), E(EDESTADDRREQ), E(EMSGSIZE),
    E(EPROTOTYPE), E(ENOPROTOOPT), E(EPROTONOSUPPORT), E(ESOCKTNOSUPPORT),
    E(EOPNOTSUPP), E(EPFNOSUPPORT), E(EAFNOSUPPORT), E(EADDRINUSE),
    E(EADDRNOTAVAIL), E(ENETDOWN), E(ENETUNREACH), E(ENETRESET),
    E(ECONNABORTED), E(ECONNRESET), E(ENOBUFS), E(EISCONN), E(ENOTCONN),
    E(ESHUTDOWN), E(ETOOMANYREFS), E(ETIMEDOUT), E(ECONNREFUSED),
    E(EHOSTDOWN), E(EHOSTUNREACH), E(EALREADY), E(EINPROGRESS), E(ESTALE),
    E(EDQUOT), E(ECANCELED), E(EOWNERDEAD), E(ENOTRECOVERABLE),
#undef E
};

/* Name of errno value e; unknown values are spelled "E<number>" in buf. */
static const char *errno_name(int e, char *buf, size_t n)
{
    for (size_t i = 0; i < sizeof ERRNO_NAMES / sizeof ERRNO_NAMES[0]; i++)
        if (ERRNO_NAMES[i].num == e)
            return ERRNO_NAMES[i].name;
    snprintf(buf, n, "E%d", e);
    return buf;
}

/* Copies a string that came from the harness into buf (size >= 48) for use
 * in an error message: at most 40 characters, non-printable bytes as '?'. */
static const char *clip(const char *s, char *buf)
{
    size_t i;
    for (i = 0; s[i] && i < 40; i++)
        buf[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
    if (s[i]) {
        memcpy(buf + i, "...", 3);
        i += 3;
    }
    buf[i] = '\0';
    return buf;
}

/* ======================================================================
 * 2. JSON
 *
 * Requests are flat objects whose values are strings, integers, booleans or
 * null; that is all this reader accepts (nested objects, arrays and
 * non-integer numbers are rejected as bad requests).
 * ====================================================================== */

typedef enum { JV_NULL, JV_BOOL, JV_INT, JV_STR } JType;

typedef struct {
    const char *key;  /* decoded, NUL-terminated */
    size_t klen;
    JType type;
    const char *str;  /* JV_STR: decoded, NUL-terminated (may hold NULs) */
    size_t slen;
    long long num;    /* JV_INT: the value; JV_BOOL: 0 or 1 */
} JMember;

typedef struct {
    JMember m[MAX_MEMBERS];
    int n;
} JObject;

typedef struct {
    const char *s;
    size_t len, pos;
    char *store;   /* decoded strings go here; needs len + 1 bytes at most */
    size_t spos;
    char err[160];
} JParser;

static int jp_fail(JParser *p, const char *what)
{
    snprintf(p->err, sizeof p->err, "%s at column %zu", what, p->pos + 1);
    return -1;
}

static void jp_ws(JParser *p)
{
    while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
                               p->s[p->pos] == '\r' || p->s[p->pos] == '\n'))
        p->pos++;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Reads the 4 hex digits of a \u escape; p->pos is on the first digit. */
static int jp_hex4(JParser *p, unsigned *cp)
{
    if (p->pos + 4 > p->len)
        return jp_fail(p, "truncated \\u escape");
    unsigned v = 0;
    for (size_t i = 0; i < 4; i++) {
        int h = hexval((unsigned char)p->s[p->pos + i]);
        if (h < 0)
            return jp_fail(p, "invalid \\u escape");
        v = v * 16 + (unsigned)h;
    }
    p->pos += 4;
    *cp = v;
    return 0;
}

static void put_utf8(char *out, size_t *o, unsigned cp)
{
    if (cp < 0x80) {
        out[(*o)++] = (char)cp;
    } else if (cp < 0x800) {
        out[(*o)++] = (char)(0xC0 | (cp >> 6));
        out[(*o)++] = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out[(*o)++] = (char)(0xE0 | (cp >> 12));
        out[(*o)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[(*o)++] = (char)(0x80 | (cp & 0x3F));
    } else {
        out[(*o)++] = (char)(0xF0 | (cp >> 18));
        out[(*o)++] = (char)(0x80 | ((cp >> 12) & 0x3F));
        out[(*o)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[(*o)++] = (char)(0x80 | (cp & 0x3F));
    }
}

/* Reads a string literal; the decoded text goes to the store (a decoded
 * string never needs more bytes than its literal, quotes included). */
static int jp_string(JParser *p, const char **out, size_t *outlen)
{
    if (p->pos >= p->len || p->s[p->pos] != '"')
        return jp_fail(p, "expected a string");
    p->pos++;
    char *dst = p->store + p->spos;
    size_t o = 0;
    for (;;) {
        if (p->pos >= p->len)
            return jp_fail(p, "unterminated string");
        unsigned char c = (unsigned char)p->s[p->pos];
        if (c == '"') {
            p->pos++;
            break;
        }
        if (c < 0x20)
            return jp_fail(p, "control character in string");
        if (c != '\\') {
            dst[o++] = (char)c;
            p->pos++;
            continue;
        }
        if (p->pos + 1 >= p->len)
            return jp_fail(p, "unterminated string");
        char e = p->s[p->pos + 1];
        p->pos += 2;
        switch (e) {
        case '"': dst[o++] = '"'; break;
        case '\\': dst[o++] = '\\'; break;
        case '/': dst[o++] = '/'; break;
        case 'b': dst[o++] = '\b'; break;
        case 'f': dst[o++] = '\f'; break;
        case 'n': dst[o++] = '\n'; break;
        case 'r': dst[o++] = '\r'; break;
        case 't': dst[o++] = '\t'; break;
        case 'u': {
            unsigned cp, lo;
            if (jp_hex4(p, &cp))
                return -1;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                /* high surrogate: a low surrogate escape must follow */
                if (p->pos + 2 > p->len || p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u')
                    return jp_fail(p, "unpaired surrogate in \\u escape");
                p->pos += 2;
                if (jp_hex4(p, &lo))
                    return -1;
                if (lo < 0xDC00 || lo > 0xDFFF)
                    return jp_fail(p, "unpaired surrogate in \\u escape");
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                return jp_fail(p, "unpaired surrogate in \\u escape");
            }
            put_utf8(dst, &o, cp);
            break;
        }
        default:
            p->pos -= 1;
            return jp_fail(p, "invalid escape in string");
        }
    }
    dst[o] = '\0';
    *out = dst;
    *outlen = o;
    p->spos += o + 1;
    return 0;
}

/* Reads an integer (JSON number syntax without fraction or exponent). */
static int jp_integer(JParser *p, long long *v)
{
    bool neg = false;
    if (p->pos < p->len && p->s[p->pos] == '-') {
        neg = true;
        p->pos++;
    }
    if (p->pos >= p->len || p->s[p->pos] < '0' || p->s[p->pos] > '9')
        return jp_fail(p, "invalid number");
    if (p->s[p->pos] == '0' && p->pos + 1 < p->len && p->s[p->pos + 1] >= '0' &&
        p->s[p->pos + 1] <= '9')
        return jp_fail(p, "invalid number (leading zero)");
    unsigned long long acc = 0;
    unsigned long long limit = neg ? (unsigned long long)LLONG_MAX + 1 : (unsigned long long)LLONG_MAX;
    while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9') {
        unsigned d = (unsigned)(p->s[p->pos] - '0');
        if (acc > (limit - d) / 10)
            return jp_fail(p, "integer out of range");
        acc = acc * 10 + d;
        p->pos++;
    }
    if (p->pos < p->len && (p->s[p->pos] == '.' || p->s[p->pos] == 'e' || p->s[p->pos] == 'E'))
        return jp_fail(p, "only integer numbers are supported");
    if (neg)
        *v = acc == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : -(long long)acc;
    else
        *v = (long long)acc;
    return 0;
}

static bool jp_literal(JParser *p, const char *word)
{
    size_t n = strlen(word);
    if (p->pos + n > p->len || memcmp(p->s + p->pos, word, n) != 0)
        return false;
    p->pos += n;
    return true;
}

static int jp_value(JParser *p, JMember *m)
{
    if (p->pos >= p->len)
        return jp_fail(p, "expected a value");
    char c = p->s[p->pos];
    if (c == '"') {
        m->type = JV_STR;
        return jp_string(p, &m->str, &m->slen);
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        m->type = JV_INT;
        return jp_integer(p, &m->num);
    }
    if (c == '{' || c == '[')
        return jp_fail(p, "nested objects and arrays are not supported");
    if (jp_literal(p, "true")) {
        m->type = JV_BOOL;
        m->num = 1;
    } else if (jp_literal(p, "false")) {
        m->type = JV_BOOL;
        m->num = 0;
    } else if (jp_literal(p, "null")) {
        m->type = JV_NULL;
    } else {
        return jp_fail(p, "invalid value");
    }
    return 0;
}

/* Parses one request line into obj. store must have len + 1 bytes. On error
 * returns -1 with a description (no "bad request: " prefix) in err. */
static int json_parse_request(const char *line, size_t len, char *store, JObject *obj,
                              char *err, size_t errlen)
{
    JParser p = { .s = line, .len = len, .store = store };
    obj->n = 0;
    jp_ws(&p);
    if (p.pos >= p.len || p.s[p.pos] != '{') {
        jp_fail(&p, "not a JSON object");
        goto bad;
    }
    p.pos++;
    jp_ws(&p);
    if (p.pos < p.len && p.s[p.pos] == '}') {
        p.pos++;
    } else {
        for (;;) {
            jp_ws(&p);
            if (obj->n == MAX_MEMBERS) {
                jp_fail(&p, "too many members");
                goto bad;
            }
            JMember *m = &obj->m[obj->n];
            memset(m, 0, sizeof *m);
            size_t keypos = p.pos;
            if (jp_string(&p, &m->key, &m->klen))
                goto bad;
            for (int i = 0; i < obj->n; i++) {
                if (obj->m[i].klen == m->klen && memcmp(obj->m[i].key, m->key, m->klen) == 0) {
                    p.pos = keypos;
                    jp_fail(&p, "duplicate key");
                    goto bad;
                }
            }
            jp_ws(&p);
            if (p.pos >= p.len || p.s[p.pos] != ':') {
                jp_fail(&p, "expected ':'");
                goto bad;
            }
            p.pos++;
            jp_ws(&p);
            if (jp_value(&p, m))
                goto bad;
            obj->n++;
            jp_ws(&p);
            if (p.pos < p.len && p.s[p.pos] == ',') {
                p.pos++;
                continue;
            }
            if (p.pos < p.len && p.s[p.pos] == '}') {
                p.pos++;
                break;
            }
            jp_fail(&p, "expected ',' or '}'");
            goto bad;
        }
    }
    jp_ws(&p);
    if (p.pos != p.len) {
        jp_fail(&p, "trailing characters after the object");
        goto bad;
    }
    return 0;
bad:
    snprintf(err, errlen, "%s", p.err);
    return -1;
}

static const JMember *jget(const JObject *o, const char *key)
{
    size_t kl = strlen(key);
    for (int i = 0; i < o->n; i++)
        if (o->m[i].klen == kl && memcmp(o->m[i].key, key, kl) == 0)
            return &o->m[i];
    return NULL;
}

/* Appends s as a JSON string literal. Control characters are escaped; other
 * bytes are copied (everything the agent writes is ASCII, see clip()). */
static void buf_json_str(Buf *b, const char *s)
{
    buf_add(b, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '"': buf_add(b, "\\\"", 2); break;
        case '\\': buf_add(b, "\\\\", 2); break;
        case '\n': buf_add(b, "\\n", 2); break;
        case '\r': buf_add(b, "\\r", 2); break;
        case '\t': buf_add(b, "\\t", 2); break;
        default:
            if (c < 0x20 || c == 0x7f)
                buf_printf(b, "\\u%04x", c);
            else
                buf_add(b, (const char *)&c, 1);
        }
    }
    buf_add(b, "\"", 1);
}

/* ======================================================================
 * 3. IP addresses
 * ====================================================================== */

#define ENDPOINT_STRLEN 64 /* "[" + 39 + "]:" + 5 + NUL fits */

/* IPv6 text form per RFC 5952: lower-case hex, no leading zeros, the longest
 * run (first if tied) of two or more zero groups written as "::". Written
 * here instead of using inet_ntop so the output never depends on libc. */
static void fmt_ipv6(const unsigned char a[16], char *out, size_t n)
{
    unsigned w[8];
    for (int i = 0; i < 8; i++)
        w[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
    int best = -1, bestlen = 0;
    for (int i = 0; i < 8;) {
        if (w[i] != 0) {
            i++;
            continue;
        }
        int j = i;
        while (j < 8 && w[j] == 0)
            j++;
        if (j - i > bestlen) {
            best = i;
            bestlen = j - i;
        }
        i = j;
    }
    if (bestlen < 2)
        best = -1;
    size_t o = 0;
    out[0] = '\0';
    for (int i = 0; i < 8; i++) {
        if (i == best) {
            o += (size_t)snprintf(out + o, n - o, "::");
            i += bestlen - 1;
            continue;
        }
        if (i > 0 && !(best >= 0 && i == best + bestlen))
            o += (size_t)snprintf(out + o, n - o, ":");
        o += (size_t)snprintf(out + o, n - o, "%x", w[i]);
    }
}

static bool is_v4_mapped(const unsigned char a[16])
{
    static const unsigned char prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    return memcmp(a, prefix, 12) == 0;
}

/* "a.b.c.d:port" or "[v6]:port"; v4-mapped IPv6 addresses in IPv4 form.
 * addr points to 4 (AF_INET) or 16 (AF_INET6) bytes in network order. */
static void fmt_endpoint(int family, const unsigned char *addr, unsigned port, char *out, size_t n)
{
    if (family == AF_INET6 && is_v4_mapped(addr)) {
        family = AF_INET;
        addr += 12;
    }
    if (family == AF_INET) {
        snprintf(out, n, "%u.%u.%u.%u:%u", addr[0], addr[1], addr[2], addr[3], port);
    } else {
        char a6[48];
        fmt_ipv6(addr, a6, sizeof a6);
        snprintf(out, n, "[%s]:%u", a6, port);
    }
}

static void fmt_sockaddr(const struct sockaddr_storage *ss, char *out, size_t n)
{
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
        fmt_endpoint(AF_INET, (const unsigned char *)&s4->sin_addr, ntohs(s4->sin_port), out, n);
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
        fmt_endpoint(AF_INET6, s6->sin6_addr.s6_addr, ntohs(s6->sin6_port), out, n);
    } else {
        snprintf(out, n, "?");
    }
}

/* ======================================================================
 * 4. /proc/net/tcp and /proc/net/tcp6
 *
 * Line format (after one header line starting with "sl"):
 *   "  12: 0202000A:1388 0102000A:9C40 01 00000000:00000000 ..."
 *        sl   local         remote     st  (more columns, ignored)
 * An address is 8 (IPv4) or 32 (IPv6) hex digits: the address bytes taken
 * as 32-bit words in host byte order and printed with %08X; the port is 4
 * hex digits of the port number.
 * ====================================================================== */

static const char *tcp_state_name(unsigned code)
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
    case 0x0C: return "SYN-RECEIVED"; /* TCP_NEW_SYN_RECV: a request socket */
    default: return "UNKNOWN";
    }
}

/* Parses exactly n hex digits. */
static bool parse_hex_n(const char *s, size_t n, unsigned long *v)
{
    unsigned long acc = 0;
    for (size_t i = 0; i < n; i++) {
        int h = hexval((unsigned char)s[i]);
        if (h < 0)
            return false;
        acc = acc * 16 + (unsigned long)h;
    }
    *v = acc;
    return true;
}

/* Parses "HEXADDR:PORT"; addr receives 4 or 16 bytes in network order. */
static bool parse_proc_endpoint(const char *tok, size_t len, int *family,
                                unsigned char addr[16], unsigned *port)
{
    const char *colon = memchr(tok, ':', len);
    if (!colon)
        return false;
    size_t alen = (size_t)(colon - tok);
    if (alen != 8 && alen != 32)
        return false;
    unsigned long v;
    if (len - alen - 1 != 4 || !parse_hex_n(colon + 1, 4, &v))
        return false;
    *port = (unsigned)v;
    for (size_t i = 0; i < alen / 8; i++) {
        if (!parse_hex_n(tok + 8 * i, 8, &v))
            return false;
        uint32_t word = (uint32_t)v;
        memcpy(addr + 4 * i, &word, 4); /* host order, as the kernel printed it */
    }
    *family = alen == 8 ? AF_INET : AF_INET6;
    return true;
}

/* Next whitespace-separated token of *s; false at end of line. */
static bool next_token(const char **s, const char **tok, size_t *len)
{
    const char *p = *s;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '\0' || *p == '\n' || *p == '\r')
        return false;
    *tok = p;
    while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
        p++;
    *len = (size_t)(p - *tok);
    *s = p;
    return true;
}

/* One line. Returns 1 if an endpoint was appended to out (as a JSON object,
 * preceded by ',' unless it is the first), 0 for a header or blank line, -1
 * if malformed (reason in why). */
static int proc_parse_line(const char *line, Buf *out, int *count, char *why, size_t whylen)
{
    const char *s = line, *tok[4];
    size_t len[4];
    if (!next_token(&s, &tok[0], &len[0]))
        return 0; /* blank */
    if (len[0] == 2 && memcmp(tok[0], "sl", 2) == 0)
        return 0; /* header */
    bool ok = len[0] >= 2 && tok[0][len[0] - 1] == ':';
    for (size_t i = 0; ok && i + 1 < len[0]; i++)
        ok = tok[0][i] >= '0' && tok[0][i] <= '9';
    if (!ok) {
        snprintf(why, whylen, "expected a slot number like \"0:\" as the first column");
        return -1;
    }
    for (int i = 1; i < 4; i++) {
        if (!next_token(&s, &tok[i], &len[i])) {
            snprintf(why, whylen, "too few columns");
            return -1;
        }
    }
    int lfam, rfam;
    unsigned char laddr[16], raddr[16];
    unsigned lport, rport;
    if (!parse_proc_endpoint(tok[1], len[1], &lfam, laddr, &lport)) {
        snprintf(why, whylen, "bad local address (want 8 or 32 hex digits, ':', 4 hex digits)");
        return -1;
    }
    if (!parse_proc_endpoint(tok[2], len[2], &rfam, raddr, &rport)) {
        snprintf(why, whylen, "bad remote address (want 8 or 32 hex digits, ':', 4 hex digits)");
        return -1;
    }
    if (lfam != rfam) {
        snprintf(why, whylen, "local and remote addresses have different widths");
        return -1;
    }
    unsigned long st;
    if (len[3] != 2 || !parse_hex_n(tok[3], 2, &st)) {
        snprintf(why, whylen, "bad state (want 2 hex digits)");
        return -1;
    }
    char l[ENDPOINT_STRLEN], r[ENDPOINT_STRLEN];
    fmt_endpoint(lfam, laddr, lport, l, sizeof l);
    fmt_endpoint(rfam, raddr, rport, r, sizeof r);
    buf_printf(out, "%s{\"local\":\"%s\",\"remote\":\"%s\",\"state\":\"%s\",\"code\":\"%02lX\"}",
               *count ? "," : "", l, r, tcp_state_name((unsigned)st), st);
    (*count)++;
    return 1;
}

/* A whole file; name is used in error messages ("NAME:LINE: ..."). */
static int proc_parse_stream(const char *name, FILE *f, Buf *out, int *count, char *err, size_t errlen)
{
    char *line = NULL;
    size_t cap = 0;
    long lineno = 0;
    int rc = 0;
    errno = 0;
    while (getline(&line, &cap, f) >= 0) {
        char why[160];
        lineno++;
        if (proc_parse_line(line, out, count, why, sizeof why) < 0) {
            snprintf(err, errlen, "%s:%ld: malformed line: %s", name, lineno, why);
            rc = -1;
            break;
        }
    }
    if (rc == 0 && ferror(f)) {
        snprintf(err, errlen, "%s: read error: %s", name, strerror(errno ? errno : EIO));
        rc = -1;
    }
    free(line);
    return rc;
}

/* ======================================================================
 * 5. Sockets and commands
 * ====================================================================== */

/* Sockets the agent owns (created by socket/listen/connect/accept). Every
 * "sock" argument must be one of them, so a request can never touch the
 * control connection or any other descriptor of the agent. */
static unsigned char g_owned[MAX_FDS];

static int g_ctl = -1;      /* the control connection */
static bool g_bye = false;  /* set by "bye": exit after the response */

/* Result of one command. The handler appends its result members to res,
 * each as ,"key":value ; or calls fail() and returns -1. */
typedef struct {
    Buf res;
    bool failed;
    char errname[24];
    char errmsg[400];
} Out;

static int fail(Out *o, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(Out *o, int err, const char *fmt, ...)
{
    char tmp[24];
    o->failed = true;
    snprintf(o->errname, sizeof o->errname, "%s", errno_name(err, tmp, sizeof tmp));
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(o->errmsg, sizeof o->errmsg, fmt, ap);
    va_end(ap);
    return -1;
}

/* Fails with the current errno: "<what>: <strerror>". */
static int fail_sys(Out *o, const char *what)
{
    int e = errno;
    return fail(o, e, "%s: %s", what, strerror(e));
}

static void res_int(Out *o, const char *key, long long v)
{
    buf_printf(&o->res, ",\"%s\":%lld", key, v);
}

static void res_str(Out *o, const char *key, const char *v)
{
    buf_printf(&o->res, ",\"%s\":", key);
    buf_json_str(&o->res, v);
}

static void res_bool(Out *o, const char *key, bool v)
{
    buf_printf(&o->res, ",\"%s\":%s", key, v ? "true" : "false");
}

/* "local": getsockname of fd (null if that fails, which it should not). */
static void res_local(Out *o, int fd)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    char s[ENDPOINT_STRLEN];
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) < 0) {
        buf_puts(&o->res, ",\"local\":null");
        return;
    }
    fmt_sockaddr(&ss, s, sizeof s);
    res_str(o, "local", s);
}

/* --- arguments ------------------------------------------------------- */

/* A member that is absent or null counts as not given. */
static const JMember *arg_get(const JObject *r, const char *key)
{
    const JMember *m = jget(r, key);
    return (m && m->type != JV_NULL) ? m : NULL;
}

static int arg_int(const JObject *r, Out *o, const char *key, bool required, long long dflt,
                   long long lo, long long hi, long long *v)
{
    const JMember *m = arg_get(r, key);
    if (!m) {
        if (required)
            return fail(o, EINVAL, "missing argument \"%s\"", key);
        *v = dflt;
        return 0;
    }
    if (m->type != JV_INT)
        return fail(o, EINVAL, "argument \"%s\" must be an integer", key);
    if (m->num < lo || m->num > hi)
        return fail(o, EINVAL, "argument \"%s\" out of range (%lld..%lld)", key, lo, hi);
    *v = m->num;
    return 0;
}

static int arg_str(const JObject *r, Out *o, const char *key, bool required, const char *dflt,
                   const char **v)
{
    const JMember *m = arg_get(r, key);
    if (!m) {
        if (required)
            return fail(o, EINVAL, "missing argument \"%s\"", key);
        *v = dflt;
        return 0;
    }
    if (m->type != JV_STR)
        return fail(o, EINVAL, "argument \"%s\" must be a string", key);
    if (strlen(m->str) != m->slen)
        return fail(o, EINVAL, "argument \"%s\" contains a NUL character", key);
    *v = m->str;
    return 0;
}

/* "sock": *fd = the owned socket, or -1 when optional and not given. */
static int arg_sock(const JObject *r, Out *o, bool required, int *fd)
{
    long long v;
    if (!arg_get(r, "sock") && !required) {
        *fd = -1;
        return 0;
    }
    if (arg_int(r, o, "sock", true, 0, LLONG_MIN, LLONG_MAX, &v))
        return -1;
    if (v < 0 || v >= MAX_FDS || !g_owned[v])
        return fail(o, EBADF, "sock %lld is not a socket owned by the agent", v);
    *fd = (int)v;
    return 0;
}

/* --- socket helpers -------------------------------------------------- */

static int new_socket(int family, Out *o)
{
    int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
    if (fd < 0)
        return fail_sys(o, "socket");
    if (fd >= MAX_FDS) {
        close(fd);
        return fail(o, EMFILE, "socket: too many open sockets");
    }
    g_owned[fd] = 1;
    return fd;
}

static void close_owned(int fd)
{
    g_owned[fd] = 0;
    close(fd);
}

/* Close with SO_LINGER {on, 0}: the kernel sends RST instead of FIN. */
static void abort_owned(int fd)
{
    struct linger l = { .l_onoff = 1, .l_linger = 0 };
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    close_owned(fd);
}

static int sock_family(int fd)
{
    int dom = 0;
    socklen_t len = sizeof dom;
    if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &dom, &len) < 0)
        return AF_INET;
    return dom;
}

static void set_nonblocking(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0 && !(fl & O_NONBLOCK))
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* Builds a sockaddr from an IP address string ("192.0.2.1", "::1" or
 * "[::1]") and a port. want is the family of the socket it is for, or 0 to
 * follow the address: an IPv4 address for an inet6 socket becomes
 * ::ffff:a.b.c.d, a v4-mapped address for an inet socket becomes IPv4. */
static int make_sockaddr(const char *addr, int want, unsigned port, struct sockaddr_storage *ss,
                         socklen_t *sl, Out *o)
{
    char tmp[64], cb[48];
    size_t n = strlen(addr);
    if (n >= 2 && addr[0] == '[' && addr[n - 1] == ']') {
        addr++;
        n -= 2;
    }
    if (n >= sizeof tmp)
        return fail(o, EINVAL, "invalid IP address \"%s\"", clip(addr, cb));
    memcpy(tmp, addr, n);
    tmp[n] = '\0';

    unsigned char a[16];
    int fam;
    struct in_addr a4;
    struct in6_addr a6;
    if (inet_pton(AF_INET, tmp, &a4) == 1) {
        fam = AF_INET;
        memset(a, 0, 10);
        a[10] = a[11] = 0xff;
        memcpy(a + 12, &a4, 4); /* keep it v4-mapped in a, for either family */
    } else if (inet_pton(AF_INET6, tmp, &a6) == 1) {
        fam = AF_INET6;
        memcpy(a, &a6, 16);
        if (want == AF_INET && is_v4_mapped(a))
            fam = AF_INET;
    } else {
        return fail(o, EINVAL, "invalid IP address \"%s\"", clip(tmp, cb));
    }
    if (want == AF_INET && fam == AF_INET6)
        return fail(o, EAFNOSUPPORT, "IPv6 address %s given for an inet (IPv4) socket", clip(tmp, cb));
    if (want == AF_INET6)
        fam = AF_INET6;

    memset(ss, 0, sizeof *ss);
    if (fam == AF_INET) {
        struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
        s4->sin_family = AF_INET;
        s4->sin_port = htons((uint16_t)port);
        memcpy(&s4->sin_addr, a + 12, 4);
        *sl = sizeof *s4;
    } else {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)port);
        memcpy(&s6->sin6_addr, a, 16);
        *sl = sizeof *s6;
    }
    return 0;
}

static void exit_agent(int status) __attribute__((noreturn));

/* Waits until fd is readable, has an error or hung up, for up to timeout_ms.
 * Returns 1 if so, 0 on timeout. The control connection is watched as well:
 * if the harness goes away during a long wait, the agent exits at once. */
static int wait_readable(int fd, long long timeout_ms)
{
    long long deadline = mono_ms() + timeout_ms;
    for (;;) {
        long long left = deadline - mono_ms();
        if (left < 0)
            left = 0;
        struct pollfd p[2] = {
            { .fd = fd, .events = POLLIN | POLLRDHUP },
            { .fd = g_ctl, .events = 0 }, /* POLLHUP/POLLERR are always reported */
        };
        int rc = poll(p, 2, (int)left);
        if (rc < 0) {
            if (errno == EINTR)
                continue;
            return 1; /* let the following call report the problem */
        }
        if (p[1].revents & (POLLHUP | POLLERR)) {
            log_note("control connection closed during a wait; exiting");
            exit_agent(0);
        }
        if (p[0].revents)
            return 1;
        if (left == 0)
            return 0;
    }
}

/* --- command handlers ------------------------------------------------ */

typedef int (*Handler)(const JObject *r, Out *o);

static int cmd_hello(const JObject *r, Out *o);
static int cmd_socket(const JObject *r, Out *o);
static int cmd_setsockopt(const JObject *r, Out *o);
static int cmd_getsockopt(const JObject *r, Out *o);
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

static const struct {
    const char *name;
    Handler fn;
} COMMANDS[] = {
    { "hello", cmd_hello },       { "socket", cmd_socket },   { "setsockopt", cmd_setsockopt },
    { "getsockopt", cmd_getsockopt }, { "listen", cmd_listen }, { "accept", cmd_accept },
    { "connect", cmd_connect },   { "send", cmd_send },       { "recv", cmd_recv },
    { "shutdown", cmd_shutdown }, { "close", cmd_close },     { "abort", cmd_abort },
    { "states", cmd_states },     { "reset", cmd_reset },     { "bye", cmd_bye },
};
#define N_COMMANDS (sizeof COMMANDS / sizeof COMMANDS[0])

static int cmd_hello(const JObject *r, Out *o)
{
    (void)r;
    struct utsname u;
    char stack[sizeof u.release + 8];
    if (uname(&u) < 0)
        snprintf(u.release, sizeof u.release, "unknown");
    snprintf(stack, sizeof stack, "Linux %s", u.release);
    res_str(o, "agent", AGENT_NAME);
    res_int(o, "protocol", PROTOCOL_VERSION);
    res_str(o, "stack", stack);
    res_str(o, "probe", "agent");
    buf_puts(&o->res, ",\"commands\":[");
    for (size_t i = 0; i < N_COMMANDS; i++)
        buf_printf(&o->res, "%s\"%s\"", i ? "," : "", COMMANDS[i].name);
    buf_puts(&o->res, "]");
    return 0;
}

static int cmd_socket(const JObject *r, Out *o)
{
    const char *fam;
    char cb[48];
    if (arg_str(r, o, "family", false, "inet", &fam))
        return -1;
    int family;
    if (strcmp(fam, "inet") == 0)
        family = AF_INET;
    else if (strcmp(fam, "inet6") == 0)
        family = AF_INET6;
    else
        return fail(o, EINVAL, "family must be \"inet\" or \"inet6\", not \"%s\"", clip(fam, cb));
    int fd = new_socket(family, o);
    if (fd < 0)
        return -1;
    res_int(o, "sock", fd);
    return 0;
}

/* Options of setsockopt/getsockopt, by name; the level is implied. */
static const struct sockopt_def {
    const char *name;
    int level, opt;
    bool readonly;
} SOCKOPTS[] = {
    { "SO_REUSEADDR", SOL_SOCKET, SO_REUSEADDR, false },
    { "SO_KEEPALIVE", SOL_SOCKET, SO_KEEPALIVE, false },
    { "SO_RCVBUF", SOL_SOCKET, SO_RCVBUF, false },
    { "SO_SNDBUF", SOL_SOCKET, SO_SNDBUF, false },
    { "SO_LINGER", SOL_SOCKET, SO_LINGER, false },
    { "SO_ERROR", SOL_SOCKET, SO_ERROR, true },
    { "TCP_NODELAY", IPPROTO_TCP, TCP_NODELAY, false },
    { "TCP_MAXSEG", IPPROTO_TCP, TCP_MAXSEG, false },
    { "TCP_SYNCNT", IPPROTO_TCP, TCP_SYNCNT, false },
    { "TCP_LINGER2", IPPROTO_TCP, TCP_LINGER2, false },
    { "TCP_USER_TIMEOUT", IPPROTO_TCP, TCP_USER_TIMEOUT, false },
    { "TCP_KEEPIDLE", IPPROTO_TCP, TCP_KEEPIDLE, false },
    { "TCP_KEEPINTVL", IPPROTO_TCP, TCP_KEEPINTVL, false },
    { "TCP_KEEPCNT", IPPROTO_TCP, TCP_KEEPCNT, false },
    { "TCP_DEFER_ACCEPT", IPPROTO_TCP, TCP_DEFER_ACCEPT, false },
    { "TCP_QUICKACK", IPPROTO_TCP, TCP_QUICKACK, false },
    { "TCP_WINDOW_CLAMP", IPPROTO_TCP, TCP_WINDOW_CLAMP, false },
};

static const struct sockopt_def *find_sockopt(const char *name)
{
    for (size_t i = 0; i < sizeof SOCKOPTS / sizeof SOCKOPTS[0]; i++)
        if (strcmp(SOCKOPTS[i].name, name) == 0)
            return &SOCKOPTS[i];
    return NULL;
}

static int cmd_setsockopt(const JObject *r, Out *o)
{
    int fd;
    const char *name;
    long long value;
    char cb[48], what[64];
    if (arg_sock(r, o, true, &fd) || arg_str(r, o, "name", true, NULL, &name))
        return -1;
    /* "value" is an integer; true/false are taken as 1/0 for convenience */
    const JMember *vm = arg_get(r, "value");
    if (vm && vm->type == JV_BOOL)
        value = vm->num;
    else if (arg_int(r, o, "value", true, 0, INT_MIN, INT_MAX, &value))
        return -1;
    const struct sockopt_def *d = find_sockopt(name);
    if (!d)
        return fail(o, ENOPROTOOPT, "setsockopt: unknown option \"%s\"", clip(name, cb));
    if (d->readonly)
        return fail(o, ENOPROTOOPT, "setsockopt: %s is read-only", d->name);
    snprintf(what, sizeof what, "setsockopt(%s)", d->name);
    int rc;
    if (d->opt == SO_LINGER && d->level == SOL_SOCKET) {
        struct linger l = { .l_onoff = value >= 0, .l_linger = value >= 0 ? (int)value : 0 };
        rc = setsockopt(fd, d->level, d->opt, &l, sizeof l);
    } else {
        int v = (int)value;
        rc = setsockopt(fd, d->level, d->opt, &v, sizeof v);
    }
    if (rc < 0)
        return fail_sys(o, what);
    return 0;
}

static int cmd_getsockopt(const JObject *r, Out *o)
{
    int fd;
    const char *name;
    char cb[48], what[64], tmp[24];
    if (arg_sock(r, o, true, &fd) || arg_str(r, o, "name", true, NULL, &name))
        return -1;
    const struct sockopt_def *d = find_sockopt(name);
    if (!d)
        return fail(o, ENOPROTOOPT, "getsockopt: unknown option \"%s\"", clip(name, cb));
    snprintf(what, sizeof what, "getsockopt(%s)", d->name);
    if (d->opt == SO_LINGER && d->level == SOL_SOCKET) {
        struct linger l;
        socklen_t len = sizeof l;
        if (getsockopt(fd, d->level, d->opt, &l, &len) < 0)
            return fail_sys(o, what);
        res_int(o, "value", l.l_onoff ? l.l_linger : -1);
        return 0;
    }
    int v = 0;
    socklen_t len = sizeof v;
    if (getsockopt(fd, d->level, d->opt, &v, &len) < 0)
        return fail_sys(o, what);
    res_int(o, "value", v);
    if (d->opt == SO_ERROR && d->level == SOL_SOCKET) {
        if (v)
            res_str(o, "error", errno_name(v, tmp, sizeof tmp));
        else
            buf_puts(&o->res, ",\"error\":null");
    }
    return 0;
}

static int cmd_listen(const JObject *r, Out *o)
{
    int fd;
    long long port, backlog;
    const char *addr;
    if (arg_sock(r, o, false, &fd) || arg_int(r, o, "port", true, 0, 0, 65535, &port) ||
        arg_int(r, o, "backlog", false, DEFAULT_BACKLOG, 0, INT_MAX, &backlog) ||
        arg_str(r, o, "addr", false, NULL, &addr))
        return -1;
    int family = fd >= 0 ? sock_family(fd) : 0;
    if (!addr)
        addr = family == AF_INET6 ? "::" : "0.0.0.0";
    struct sockaddr_storage ss;
    socklen_t sl;
    if (make_sockaddr(addr, family, (unsigned)port, &ss, &sl, o))
        return -1;
    bool created = fd < 0;
    if (created && (fd = new_socket(ss.ss_family, o)) < 0)
        return -1;
    int one = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0) {
        fail_sys(o, "setsockopt(SO_REUSEADDR)");
        goto err;
    }
    if (bind(fd, (struct sockaddr *)&ss, sl) < 0) {
        fail_sys(o, "bind");
        goto err;
    }
    if (listen(fd, (int)backlog) < 0) {
        fail_sys(o, "listen");
        goto err;
    }
    set_nonblocking(fd);
    res_int(o, "sock", fd);
    res_local(o, fd);
    return 0;
err:
    if (created)
        close_owned(fd);
    return -1;
}

static int cmd_accept(const JObject *r, Out *o)
{
    int fd;
    long long timeout;
    if (arg_sock(r, o, true, &fd) ||
        arg_int(r, o, "timeoutMs", false, DEFAULT_TIMEOUT_MS, 0, MAX_TIMEOUT_MS, &timeout))
        return -1;
    if (!wait_readable(fd, timeout))
        return fail(o, EAGAIN, "accept: no connection within %lld ms", timeout);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    int nfd = accept4(fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (nfd < 0)
        return fail_sys(o, "accept");
    if (nfd >= MAX_FDS) {
        close(nfd);
        return fail(o, EMFILE, "accept: too many open sockets");
    }
    g_owned[nfd] = 1;
    char remote[ENDPOINT_STRLEN];
    fmt_sockaddr(&ss, remote, sizeof remote);
    res_int(o, "sock", nfd);
    res_str(o, "remote", remote);
    res_local(o, nfd);
    return 0;
}

static int cmd_connect(const JObject *r, Out *o)
{
    int fd;
    long long port, lport;
    const char *addr;
    if (arg_sock(r, o, false, &fd) || arg_str(r, o, "addr", true, NULL, &addr) ||
        arg_int(r, o, "port", true, 0, 0, 65535, &port) ||
        arg_int(r, o, "localPort", false, -1, 0, 65535, &lport))
        return -1;
    int family = fd >= 0 ? sock_family(fd) : 0;
    struct sockaddr_storage ss;
    socklen_t sl;
    if (make_sockaddr(addr, family, (unsigned)port, &ss, &sl, o))
        return -1;
    bool created = fd < 0;
    if (created && (fd = new_socket(ss.ss_family, o)) < 0)
        return -1;
    set_nonblocking(fd);
    if (lport >= 0) {
        struct sockaddr_storage ls;
        socklen_t lsl;
        int one = 1;
        if (make_sockaddr(ss.ss_family == AF_INET6 ? "::" : "0.0.0.0", ss.ss_family,
                          (unsigned)lport, &ls, &lsl, o))
            goto err;
        if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0) {
            fail_sys(o, "setsockopt(SO_REUSEADDR)");
            goto err;
        }
        if (bind(fd, (struct sockaddr *)&ls, lsl) < 0) {
            fail_sys(o, "bind");
            goto err;
        }
    }
    bool in_progress = false;
    if (connect(fd, (struct sockaddr *)&ss, sl) < 0) {
        if (errno != EINPROGRESS) {
            fail_sys(o, "connect");
            goto err;
        }
        in_progress = true;
    }
    res_int(o, "sock", fd);
    res_local(o, fd);
    res_bool(o, "inProgress", in_progress);
    return 0;
err:
    if (created)
        close_owned(fd);
    return -1;
}

static int cmd_send(const JObject *r, Out *o)
{
    int fd;
    const char *hex;
    if (arg_sock(r, o, true, &fd) || arg_str(r, o, "data", true, NULL, &hex))
        return -1;
    size_t n = strlen(hex);
    if (n % 2)
        return fail(o, EINVAL, "argument \"data\" must have an even number of hex digits");
    unsigned char *data = malloc(n / 2 + 1);
    if (!data)
        die_oom();
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hexval((unsigned char)hex[2 * i]), lo = hexval((unsigned char)hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            free(data);
            return fail(o, EINVAL, "argument \"data\": invalid hex digit near position %zu", 2 * i);
        }
        data[i] = (unsigned char)(hi * 16 + lo);
    }
    ssize_t sent = send(fd, data, n / 2, MSG_NOSIGNAL | MSG_DONTWAIT);
    free(data);
    if (sent < 0)
        return fail_sys(o, "send");
    res_int(o, "sent", sent);
    return 0;
}

static int cmd_recv(const JObject *r, Out *o)
{
    int fd;
    long long max, timeout;
    if (arg_sock(r, o, true, &fd) ||
        arg_int(r, o, "max", false, DEFAULT_RECV_MAX, 1, MAX_RECV, &max) ||
        arg_int(r, o, "timeoutMs", false, DEFAULT_TIMEOUT_MS, 0, MAX_TIMEOUT_MS, &timeout))
        return -1;
    if (!wait_readable(fd, timeout))
        return fail(o, EAGAIN, "recv: no data within %lld ms", timeout);
    unsigned char *data = malloc((size_t)max);
    if (!data)
        die_oom();
    ssize_t n = recv(fd, data, (size_t)max, MSG_DONTWAIT);
    if (n < 0) {
        free(data);
        return fail_sys(o, "recv");
    }
    static const char digits[] = "0123456789abcdef";
    buf_puts(&o->res, ",\"data\":\"");
    buf_reserve(&o->res, (size_t)n * 2);
    for (ssize_t i = 0; i < n; i++) {
        o->res.p[o->res.len++] = digits[data[i] >> 4];
        o->res.p[o->res.len++] = digits[data[i] & 15];
    }
    o->res.p[o->res.len] = '\0';
    buf_puts(&o->res, "\"");
    res_bool(o, "eof", n == 0);
    free(data);
    return 0;
}

static int cmd_shutdown(const JObject *r, Out *o)
{
    int fd, how;
    const char *hs;
    char cb[48];
    if (arg_sock(r, o, true, &fd) || arg_str(r, o, "how", true, NULL, &hs))
        return -1;
    if (strcmp(hs, "rd") == 0)
        how = SHUT_RD;
    else if (strcmp(hs, "wr") == 0)
        how = SHUT_WR;
    else if (strcmp(hs, "rdwr") == 0)
        how = SHUT_RDWR;
    else
        return fail(o, EINVAL, "argument \"how\" must be \"rd\", \"wr\" or \"rdwr\", not \"%s\"",
                    clip(hs, cb));
    if (shutdown(fd, how) < 0)
        return fail_sys(o, "shutdown");
    return 0;
}

static int cmd_close(const JObject *r, Out *o)
{
    int fd;
    if (arg_sock(r, o, true, &fd))
        return -1;
    g_owned[fd] = 0; /* the descriptor is gone even if close reports an error */
    if (close(fd) < 0)
        return fail_sys(o, "close");
    return 0;
}

static int cmd_abort(const JObject *r, Out *o)
{
    int fd;
    if (arg_sock(r, o, true, &fd))
        return -1;
    struct linger l = { .l_onoff = 1, .l_linger = 0 };
    if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l) < 0)
        return fail_sys(o, "setsockopt(SO_LINGER)");
    g_owned[fd] = 0;
    if (close(fd) < 0)
        return fail_sys(o, "close");
    return 0;
}

static int cmd_states(const JObject *r, Out *o)
{
    static const char *const files[] = { "/proc/self/net/tcp", "/proc/self/net/tcp6" };
    (void)r;
    Buf eps = { 0 };
    int count = 0, rc = 0;
    char err[512];
    for (size_t i = 0; i < 2 && rc == 0; i++) {
        FILE *f = fopen(files[i], "re");
        if (!f) {
            if (i == 1 && errno == ENOENT)
                continue; /* no IPv6 in this kernel/namespace */
            rc = fail(o, errno, "states: %s: %s", files[i], strerror(errno));
            break;
        }
        if (proc_parse_stream(files[i], f, &eps, &count, err, sizeof err) < 0)
            rc = fail(o, EIO, "states: %s", err);
        fclose(f);
    }
    if (rc == 0) {
        buf_puts(&o->res, ",\"endpoints\":[");
        if (eps.len)
            buf_add(&o->res, eps.p, eps.len);
        buf_puts(&o->res, "]");
    }
    buf_free(&eps);
    return rc;
}

static int cmd_reset(const JObject *r, Out *o)
{
    (void)r;
    int n = 0;
    for (int fd = 0; fd < MAX_FDS; fd++) {
        if (g_owned[fd]) {
            abort_owned(fd);
            n++;
        }
    }
    res_int(o, "closed", n);
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
 * 6. Control connection and event loop
 * ====================================================================== */

static const char *g_ctl_path;
static volatile sig_atomic_t g_path_bound; /* the control socket file exists */

static void exit_agent(int status)
{
    if (g_path_bound)
        unlink(g_ctl_path);
    fflush(stderr);
    exit(status);
}

/* SIGTERM/SIGINT/SIGHUP (e.g. docker stop): exit at once. As PID 1 the agent
 * would otherwise ignore them, and docker would wait and then SIGKILL. */
static void on_signal(int sig)
{
    static const char msg[] = "agent: terminated by signal; exiting\n";
    (void)sig;
    if (g_path_bound)
        unlink(g_ctl_path);
    if (write(2, msg, sizeof msg - 1) < 0) {
        /* nothing to do */
    }
    _exit(0);
}

/* Writes one response line (s has no newline) and logs it. If the harness
 * is gone, there is nobody left to serve: exit. */
static void send_line(Buf *b)
{
    log_raw('>', b->p, b->len);
    buf_add(b, "\n", 1);
    size_t off = 0;
    while (off < b->len) {
        ssize_t n = send(g_ctl, b->p + off, b->len - off, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            log_note("control connection: write failed: %s; exiting", strerror(errno));
            exit_agent(0);
        }
        off += (size_t)n;
    }
}

static void send_error(bool have_id, long long id, const char *errname, const char *msg)
{
    Buf b = { 0 };
    if (have_id)
        buf_printf(&b, "{\"id\":%lld", id);
    else
        buf_puts(&b, "{\"id\":null");
    buf_printf(&b, ",\"ok\":false,\"errno\":\"%s\",\"error\":", errname);
    buf_json_str(&b, msg);
    buf_puts(&b, "}");
    send_line(&b);
    buf_free(&b);
}

/* Handles one request line (without '\n'). */
static void handle_line(const char *line, size_t len)
{
    while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
        len--;
    size_t i = 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    if (i == len)
        return; /* blank lines are ignored */
    log_raw('<', line, len);

    JObject req;
    char perr[200], msg[300], cb[48];
    char *store = malloc(len + 1);
    if (!store)
        die_oom();
    if (json_parse_request(line, len, store, &req, perr, sizeof perr) < 0) {
        snprintf(msg, sizeof msg, "bad request: %s", perr);
        send_error(false, 0, "EPROTO", msg);
        free(store);
        return;
    }
    const JMember *idm = jget(&req, "id");
    const JMember *cmdm = jget(&req, "cmd");
    if (!idm || idm->type != JV_INT) {
        send_error(false, 0, "EPROTO",
                   idm ? "bad request: \"id\" must be an integer" : "bad request: missing \"id\"");
        free(store);
        return;
    }
    long long id = idm->num;
    if (!cmdm || cmdm->type != JV_STR) {
        send_error(true, id, "EPROTO",
                   cmdm ? "bad request: \"cmd\" must be a string" : "bad request: missing \"cmd\"");
        free(store);
        return;
    }
    Handler fn = NULL;
    for (size_t c = 0; c < N_COMMANDS; c++)
        if (strlen(COMMANDS[c].name) == cmdm->slen && strcmp(COMMANDS[c].name, cmdm->str) == 0)
            fn = COMMANDS[c].fn;
    if (!fn) {
        snprintf(msg, sizeof msg, "unknown command \"%s\"", clip(cmdm->str, cb));
        send_error(true, id, "ENOSYS", msg);
        free(store);
        return;
    }

    Out o = { 0 };
    if (fn(&req, &o) < 0 || o.failed) {
        send_error(true, id, o.errname, o.errmsg);
    } else {
        Buf b = { 0 };
        buf_printf(&b, "{\"id\":%lld,\"ok\":true", id);
        if (o.res.len)
            buf_add(&b, o.res.p, o.res.len);
        buf_puts(&b, "}");
        send_line(&b);
        buf_free(&b);
    }
    buf_free(&o.res);
    free(store);
}

/* Reads request lines until EOF or "bye". Requests are handled one at a
 * time, in order; responses are written before the next line is looked at. */
static void serve_connection(void)
{
    static char in[MAX_LINE + 1]; /* a maximal line plus its '\n' fits */
    size_t have = 0;
    bool discarding = false; /* inside an over-long line, skipping to '\n' */
    for (;;) {
        ssize_t n = read(g_ctl, in + have, sizeof in - have);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            log_note("control connection: read failed: %s; exiting", strerror(errno));
            exit_agent(0);
        }
        if (n == 0) {
            if (have > 0 && !discarding)
                handle_line(in, have); /* last line without '\n' */
            log_note("control connection closed (EOF); exiting");
            exit_agent(0);
        }
        have += (size_t)n;
        size_t start = 0;
        char *nl;
        while ((nl = memchr(in + start, '\n', have - start)) != NULL) {
            size_t len = (size_t)(nl - (in + start));
            if (discarding)
                discarding = false;
            else
                handle_line(in + start, len);
            start += len + 1;
            if (g_bye) {
                log_note("bye; exiting");
                close(g_ctl);
                exit_agent(0);
            }
        }
        memmove(in, in + start, have - start);
        have -= start;
        if (have == sizeof in) {
            /* MAX_LINE + 1 bytes without '\n': the line is too long */
            if (!discarding) {
                char msg[80];
                snprintf(msg, sizeof msg, "bad request: line longer than %d bytes", MAX_LINE);
                log_note("request line longer than %d bytes, discarded", MAX_LINE);
                send_error(false, 0, "EPROTO", msg);
                discarding = true;
            }
            have = 0;
        }
    }
}

static int run_control(const char *path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    if (strlen(path) >= sizeof sa.sun_path) {
        fprintf(stderr, "agent: control socket path too long: %s\n", path);
        return 1;
    }
    strcpy(sa.sun_path, path);
    g_ctl_path = path;

    struct sigaction act = { .sa_handler = SIG_IGN };
    sigaction(SIGPIPE, &act, NULL);
    act.sa_handler = on_signal;
    sigaction(SIGTERM, &act, NULL);
    sigaction(SIGINT, &act, NULL);
    sigaction(SIGHUP, &act, NULL);

    struct utsname u;
    if (uname(&u) < 0)
        snprintf(u.release, sizeof u.release, "unknown");
    log_note("%s protocol %d on Linux %s, pid %d", AGENT_NAME, PROTOCOL_VERSION, u.release,
             (int)getpid());

    int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (lfd < 0) {
        fprintf(stderr, "agent: socket(AF_UNIX): %s\n", strerror(errno));
        return 1;
    }
    if (unlink(path) < 0 && errno != ENOENT) {
        fprintf(stderr, "agent: cannot remove stale %s: %s\n", path, strerror(errno));
        return 1;
    }
    if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        fprintf(stderr, "agent: bind %s: %s\n", path, strerror(errno));
        return 1;
    }
    g_path_bound = 1;
    if (chmod(path, 0666) < 0 || listen(lfd, 1) < 0) {
        fprintf(stderr, "agent: %s: %s\n", path, strerror(errno));
        exit_agent(1);
    }
    log_note("waiting for the harness on %s", path);

    for (;;) {
        g_ctl = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (g_ctl >= 0)
            break;
        if (errno != EINTR && errno != ECONNABORTED) {
            fprintf(stderr, "agent: accept on %s: %s\n", path, strerror(errno));
            exit_agent(1);
        }
    }
    /* One client only: stop listening and remove the socket file, so a
     * second client is refused instead of waiting forever. */
    close(lfd);
    unlink(path);
    g_path_bound = 0;
    log_note("harness connected");
    serve_connection();
    return 0; /* not reached */
}

/* ======================================================================
 * 7. main
 * ====================================================================== */

static int run_parse_proc(int nfiles, char **files)
{
    if (nfiles < 1) {
        fputs("agent: --parse-proc needs at least one FILE\n", stderr);
        return 2;
    }
    Buf eps = { 0 };
    int count = 0;
    char err[512];
    for (int i = 0; i < nfiles; i++) {
        FILE *f = fopen(files[i], "re");
        if (!f) {
            fprintf(stderr, "agent: --parse-proc: %s: %s\n", files[i], strerror(errno));
            return 2;
        }
        int rc = proc_parse_stream(files[i], f, &eps, &count, err, sizeof err);
        fclose(f);
        if (rc < 0) {
            fprintf(stderr, "agent: --parse-proc: %s\n", err);
            return 2;
        }
    }
    printf("{\"endpoints\":[%s]}\n", eps.len ? eps.p : "");
    buf_free(&eps);
    return fflush(stdout) == 0 ? 0 : 2;
}

static void usage(FILE *f)
{
    fputs("usage: agent --control SOCKET_PATH\n"
          "       agent --parse-proc FILE [FILE ...]\n"
          "       agent --version\n",
          f);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--control") == 0)
        return run_control(argv[2]);
    if (argc >= 2 && strcmp(argv[1], "--parse-proc") == 0)
        return run_parse_proc(argc - 2, argv + 2);
    if (argc == 2 && strcmp(argv[1], "--version") == 0) {
        printf("%s protocol %d\n", AGENT_NAME, PROTOCOL_VERSION);
        return 0;
    }
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return 0;
    }
    usage(stderr);
    return 2;
}
