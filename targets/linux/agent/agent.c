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
 *   1. utilities: clip()
 *   2. IP addresses: formatting and parsing
 *   3. the /proc/net/tcp and /proc/net/tcp6 parser
 *   3b. the same table from NETLINK_SOCK_DIAG, which "states" uses
 *   4. owned sockets, command arguments, command handlers
 *   5. control connection and the event loop
 *   6. main
 *
 * The plumbing every C agent shares (buffer, log, errno names, JSON, the
 * control socket, request framing) is in targets/common.
 *
 * Build: gcc -static -O2 -Wall -Wextra -I../../common -o agent agent.c \
 *            ../../common/agent_*.c   (see ../build.sh)
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
#include <linux/errqueue.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "agent_buf.h"
#include "agent_control.h"
#include "agent_errno.h"
#include "agent_json.h"
#include "agent_lines.h"
#include "agent_log.h"
#include "agent_states.h"
#include "tcpinfo.h"

#ifndef TCP_QUICKACK
#define TCP_QUICKACK 12
#endif
#ifndef TCP_USER_TIMEOUT
#define TCP_USER_TIMEOUT 18
#endif

#define AGENT_NAME "tcpct-linux-agent"
#define PROTOCOL_VERSION 2
#define MAX_FDS 65536           /* the agent can own sockets with fd < MAX_FDS */
#define DEFAULT_BACKLOG 16
#define DEFAULT_TIMEOUT_MS 1000
#define DEFAULT_RECV_MAX 65536
#define MAX_RECV 1048576        /* upper bound of recv's "max" */
#define MAX_TIMEOUT_MS 3600000  /* upper bound of "timeoutMs": one hour */

/* ======================================================================
 * 1. Utilities (the buffer, the log and errno names are in targets/common)
 * ====================================================================== */

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
 * 2. IP addresses
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

/* "a.b.c.d" or the IPv6 text form (no brackets), as the address is written.
 * addr points to 4 (AF_INET) or 16 (AF_INET6) bytes in network order. */
static void fmt_address(int family, const unsigned char *addr, char *out, size_t n)
{
    if (family == AF_INET)
        snprintf(out, n, "%u.%u.%u.%u", addr[0], addr[1], addr[2], addr[3]);
    else
        fmt_ipv6(addr, out, n);
}

/* "a.b.c.d:port" or "[v6]:port"; v4-mapped IPv6 addresses in IPv4 form.
 * addr points to 4 (AF_INET) or 16 (AF_INET6) bytes in network order. */
static void fmt_endpoint(int family, const unsigned char *addr, unsigned port, char *out, size_t n)
{
    if (family == AF_INET6 && is_v4_mapped(addr)) {
        family = AF_INET;
        addr += 12;
    }
    char a[48];
    fmt_address(family, addr, a, sizeof a);
    snprintf(out, n, family == AF_INET ? "%s:%u" : "[%s]:%u", a, port);
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
 * 3. /proc/net/tcp and /proc/net/tcp6
 *
 * Line format (after one header line starting with "sl"):
 *   "  12: 0202000A:1388 0102000A:9C40 01 00000000:00000000 ..."
 *        sl   local         remote     st  (more columns, ignored)
 * An address is 8 (IPv4) or 32 (IPv6) hex digits: the address bytes taken
 * as 32-bit words in host byte order and printed with %08X; the port is 4
 * hex digits of the port number.
 * ====================================================================== */

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

/* Appends one endpoint of the "states" answer to out as a JSON object,
 * preceded by ',' unless it is the first (*count 0); both address buffers in
 * network order, 4 (AF_INET) or 16 (AF_INET6) bytes. */
static void append_endpoint(Buf *out, int *count, int family, const unsigned char *laddr, unsigned lport,
                            const unsigned char *raddr, unsigned rport, unsigned code)
{
    char l[ENDPOINT_STRLEN], r[ENDPOINT_STRLEN];
    fmt_endpoint(family, laddr, lport, l, sizeof l);
    fmt_endpoint(family, raddr, rport, r, sizeof r);
    buf_printf(out, "%s{\"local\":\"%s\",\"remote\":\"%s\",\"state\":\"%s\",\"code\":\"%02X\"}",
               *count ? "," : "", l, r, tcp_state_name(code), code);
    (*count)++;
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
    append_endpoint(out, count, lfam, laddr, lport, raddr, rport, (unsigned)st);
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
 * 3b. NETLINK_SOCK_DIAG: the same table, asked of the kernel directly
 *
 * A container made by Docker shares the host's TCP hash table (often 2^18
 * buckets), and a read of /proc/net/tcp walks all of it through the
 * seq_file interface, 4 ms of CPU per file on an idle machine and far more
 * under load. An inet_diag dump walks the same buckets in one system call
 * per batch without formatting text, about ten times faster. It reports the
 * same state numbers as /proc/net/tcp (a request socket as SYN-RECEIVED, a
 * time-wait socket by its substate), so the answer is the same; when the
 * kernel has no inet_diag (a module missing), "states" reads /proc instead.
 * ====================================================================== */

/* Appends every TCP endpoint of family (AF_INET or AF_INET6) in this network
 * namespace to out, like proc_parse_line. Returns 0, or -1 with errno set
 * (EPROTONOSUPPORT/ENOENT when the kernel has no tcp_diag). */
static int diag_dump(int family, Buf *out, int *count)
{
    int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (fd < 0)
        return -1;
    struct {
        struct nlmsghdr nlh;
        struct inet_diag_req_v2 req;
    } msg = { 0 };
    msg.nlh.nlmsg_len = sizeof msg;
    msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    msg.nlh.nlmsg_seq = 1;
    msg.req.sdiag_family = (uint8_t)family;
    msg.req.sdiag_protocol = IPPROTO_TCP;
    msg.req.idiag_states = 0xFFFFFFFFu; /* every state, request sockets too */
    struct sockaddr_nl nl = { .nl_family = AF_NETLINK };
    int rc = sendto(fd, &msg, sizeof msg, 0, (struct sockaddr *)&nl, sizeof nl) < 0 ? -1 : 0;
    /* 32 KiB holds a few hundred endpoints; a bigger table comes in more
     * batches. Bounded: the kernel ends every dump with NLMSG_DONE. */
    static long buf[32768 / sizeof(long)];
    for (bool done = rc != 0; !done;) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            rc = -1;
            break;
        }
        if (n == 0) {
            errno = EIO;
            rc = -1;
            break;
        }
        const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
        for (size_t left = (size_t)n; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
            if (h->nlmsg_type == NLMSG_DONE) {
                done = true;
                break;
            }
            if (h->nlmsg_type == NLMSG_ERROR) {
                const struct nlmsgerr *e = NLMSG_DATA(h);
                errno = h->nlmsg_len >= NLMSG_LENGTH(sizeof *e) && e->error ? -e->error : EIO;
                rc = -1;
                done = true;
                break;
            }
            if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY || h->nlmsg_len < NLMSG_LENGTH(sizeof(struct inet_diag_msg)))
                continue;
            const struct inet_diag_msg *d = NLMSG_DATA(h);
            append_endpoint(out, count, d->idiag_family == AF_INET6 ? AF_INET6 : AF_INET,
                            (const unsigned char *)d->id.idiag_src, ntohs(d->id.idiag_sport),
                            (const unsigned char *)d->id.idiag_dst, ntohs(d->id.idiag_dport), d->idiag_state);
        }
    }
    int e = errno;
    close(fd);
    errno = e;
    return rc;
}

/* ======================================================================
 * 4. Sockets and commands
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
    buf_member_int(&o->res, key, v);
}

static void res_str(Out *o, const char *key, const char *v)
{
    buf_member_str(&o->res, key, v);
}

static void res_bool(Out *o, const char *key, bool v)
{
    buf_member_bool(&o->res, key, v);
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
    return json_arg(r, key);
}

/* *m = the member "key", NULL when it is absent; -1 after fail() when it is absent but required. */
static int arg_member(const JObject *r, Out *o, const char *key, bool required, const JMember **m)
{
    *m = arg_get(r, key);
    if (!*m && required)
        return fail(o, EINVAL, "missing argument \"%s\"", key);
    return 0;
}

static int arg_int(const JObject *r, Out *o, const char *key, bool required, long long dflt,
                   long long lo, long long hi, long long *v)
{
    const JMember *m;
    if (arg_member(r, o, key, required, &m))
        return -1;
    if (!m) {
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

static int arg_bool(const JObject *r, Out *o, const char *key, bool required, bool dflt, bool *v)
{
    const JMember *m;
    if (arg_member(r, o, key, required, &m))
        return -1;
    if (!m) {
        *v = dflt;
        return 0;
    }
    if (m->type != JV_BOOL)
        return fail(o, EINVAL, "argument \"%s\" must be true or false", key);
    *v = m->num != 0;
    return 0;
}

static int arg_str(const JObject *r, Out *o, const char *key, bool required, const char *dflt,
                   const char **v)
{
    const JMember *m;
    if (arg_member(r, o, key, required, &m))
        return -1;
    if (!m) {
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

static int wait_events(int fd, short events, long long timeout_ms);

/* Waits until fd is readable or at its end (or the timeout passes); 1 when it is. */
static int wait_readable(int fd, long long timeout_ms)
{
    return wait_events(fd, POLLIN | POLLRDHUP, timeout_ms);
}

/* Waits until fd has one of events, an error or a hang-up, for up to timeout_ms.
 * Returns 1 if so, 0 on timeout. The control connection is watched as well:
 * if the harness goes away during a long wait, the agent exits at once. */
static int wait_events(int fd, short events, long long timeout_ms)
{
    long long deadline = mono_ms() + timeout_ms;
    for (;;) {
        long long left = deadline - mono_ms();
        if (left < 0)
            left = 0;
        struct pollfd p[2] = {
            { .fd = fd, .events = events },
            { .fd = g_ctl, .events = 0 }, /* POLLHUP/POLLERR are always reported */
        };
        int rc = poll(p, 2, (int)left);
        if (rc < 0) {
            if (errno == EINTR)
                continue;
            return 1; /* let the following call report the problem */
        }
        if (p[1].revents & (POLLHUP | POLLERR)) {
            agent_note("control connection closed during a wait; exiting");
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
static int set_ip_options(int fd, const JObject *r, Out *o);
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
static int cmd_bind(const JObject *r, Out *o);
static int cmd_poll(const JObject *r, Out *o);
static int cmd_tcpinfo(const JObject *r, Out *o);
static int cmd_sendto(const JObject *r, Out *o);
static int cmd_errqueue(const JObject *r, Out *o);
static int cmd_atmark(const JObject *r, Out *o);

static const struct {
    const char *name;
    Handler fn;
} COMMANDS[] = {
    { "hello", cmd_hello },       { "socket", cmd_socket },   { "setsockopt", cmd_setsockopt },
    { "getsockopt", cmd_getsockopt }, { "listen", cmd_listen }, { "accept", cmd_accept },
    { "connect", cmd_connect },   { "send", cmd_send },       { "recv", cmd_recv },
    { "shutdown", cmd_shutdown }, { "close", cmd_close },     { "abort", cmd_abort },
    { "states", cmd_states },     { "reset", cmd_reset },     { "bye", cmd_bye },
    /* protocol 2 */
    { "bind", cmd_bind },         { "poll", cmd_poll },         { "tcpinfo", cmd_tcpinfo },
    { "sendto", cmd_sendto },
    /* 5d. error reports */
    { "errqueue", cmd_errqueue },
    /* 5b. urgent data */
    { "atmark", cmd_atmark },
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
    buf_puts(&o->res, "],\"families\":[\"inet\",\"inet6\"],\"features\":[\"oob\"]");
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
    { "TCP_FASTOPEN", IPPROTO_TCP, TCP_FASTOPEN, false },
    { "TCP_FASTOPEN_CONNECT", IPPROTO_TCP, TCP_FASTOPEN_CONNECT, false },
    { "IP_TTL", IPPROTO_IP, IP_TTL, false },
    { "IP_TOS", IPPROTO_IP, IP_TOS, false },
    { "IPV6_UNICAST_HOPS", IPPROTO_IPV6, IPV6_UNICAST_HOPS, false },
    { "IPV6_TCLASS", IPPROTO_IPV6, IPV6_TCLASS, false },
    /* 5d. error reports: ICMP errors to the socket's error queue and sk_err (ip(7), ipv6(7)) */
    { "IP_RECVERR", IPPROTO_IP, IP_RECVERR, false },
    { "IPV6_RECVERR", IPPROTO_IPV6, IPV6_RECVERR, false },
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
    if (strcmp(name, "IP_OPTIONS") == 0)
        return set_ip_options(fd, r, o); /* octets in "hex", not an integer "value" */
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

/* --- 5d. error reports: the socket's error queue ---------------------- */

static const char *ee_origin_name(unsigned origin)
{
    switch (origin) {
    case SO_EE_ORIGIN_NONE: return "none";
    case SO_EE_ORIGIN_LOCAL: return "local";
    case SO_EE_ORIGIN_ICMP: return "icmp";
    case SO_EE_ORIGIN_ICMP6: return "icmp6";
    case SO_EE_ORIGIN_TIMESTAMPING: return "timestamping";
    default: return "other";
    }
}

/* Every report on the socket's error queue (recvmsg(MSG_ERRQUEUE), taken off it as an application would):
 * "errors", a list of {origin, type, code, errno, info, offender} from each IP_RECVERR / IPV6_RECVERR
 * control message's struct sock_extended_err; [] when the queue is empty. */
static int cmd_errqueue(const JObject *r, Out *o)
{
    int fd;
    if (arg_sock(r, o, true, &fd))
        return -1;
    buf_puts(&o->res, ",\"errors\":[");
    int count = 0;
    for (int round = 0; round < 64; round++) { /* bounded: the kernel queues at most the socket's rcvbuf of them */
        unsigned char data[64];
        union {
            char buf[512];
            struct cmsghdr align;
        } ctl;
        struct iovec iov = { .iov_base = data, .iov_len = sizeof data };
        struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf };
        if (recvmsg(fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                break;
            return fail_sys(o, "recvmsg(MSG_ERRQUEUE)");
        }
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
            if (!((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) ||
                  (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR)))
                continue;
            struct sock_extended_err e;
            memcpy(&e, CMSG_DATA(c), sizeof e);
            char tmp[24], who[ENDPOINT_STRLEN] = "";
            struct sockaddr_storage off;
            memset(&off, 0, sizeof off);
            size_t offlen = c->cmsg_len - (size_t)(CMSG_DATA(c) - (unsigned char *)c) - sizeof e;
            if (offlen > sizeof off)
                offlen = sizeof off;
            memcpy(&off, CMSG_DATA(c) + sizeof e, offlen);
            if (off.ss_family == AF_INET)
                fmt_address(AF_INET, (const unsigned char *)&((struct sockaddr_in *)&off)->sin_addr, who, sizeof who);
            else if (off.ss_family == AF_INET6)
                fmt_address(AF_INET6, ((struct sockaddr_in6 *)&off)->sin6_addr.s6_addr, who, sizeof who);
            buf_printf(&o->res, "%s{\"origin\":\"%s\",\"type\":%u,\"code\":%u,\"errno\":\"%s\",\"info\":%u,\"offender\":",
                       count ? "," : "", ee_origin_name(e.ee_origin), e.ee_type, e.ee_code,
                       errno_name((int)e.ee_errno, tmp, sizeof tmp), e.ee_info);
            if (who[0])
                buf_printf(&o->res, "\"%s\"}", who);
            else
                buf_puts(&o->res, "null}");
            count++;
        }
    }
    buf_puts(&o->res, "]");
    return 0;
}

static int listen_bound(const JObject *r, Out *o);

/* The local address to bind: addr, or the wildcard of the socket's family (family 0: no socket yet, IPv4's). */
static int local_sockaddr(int family, const char *addr, long long port, struct sockaddr_storage *ss, socklen_t *sl, Out *o)
{
    if (!addr)
        addr = family == AF_INET6 ? "::" : "0.0.0.0";
    return make_sockaddr(addr, family, (unsigned)port, ss, sl, o);
}

static int cmd_listen(const JObject *r, Out *o)
{
    if (!arg_get(r, "port") && arg_get(r, "sock"))
        return listen_bound(r, o); /* protocol 2: a socket that "bind" bound */
    int fd;
    long long port, backlog;
    const char *addr;
    if (arg_sock(r, o, false, &fd) || arg_int(r, o, "port", true, 0, 0, 65535, &port) ||
        arg_int(r, o, "backlog", false, DEFAULT_BACKLOG, 0, INT_MAX, &backlog) ||
        arg_str(r, o, "addr", false, NULL, &addr))
        return -1;
    struct sockaddr_storage ss;
    socklen_t sl;
    if (local_sockaddr(fd >= 0 ? sock_family(fd) : 0, addr, port, &ss, &sl, o))
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

/* --- protocol 2: bind apart from listen, poll ------------------------- */

/* listen without "port" on a socket that "bind" bound: only listen(2), as the application would. */
static int listen_bound(const JObject *r, Out *o)
{
    int fd;
    long long backlog;
    if (arg_sock(r, o, true, &fd) || arg_int(r, o, "backlog", false, DEFAULT_BACKLOG, 0, INT_MAX, &backlog))
        return -1;
    if (listen(fd, (int)backlog) < 0)
        return fail_sys(o, "listen");
    res_int(o, "sock", fd);
    res_local(o, fd);
    return 0;
}

/* bind(2) of an owned socket, nothing more (no SO_REUSEADDR: the harness sets options itself). */
static int cmd_bind(const JObject *r, Out *o)
{
    int fd;
    long long port;
    const char *addr;
    if (arg_sock(r, o, true, &fd) || arg_int(r, o, "port", true, 0, 0, 65535, &port) ||
        arg_str(r, o, "addr", false, NULL, &addr))
        return -1;
    struct sockaddr_storage ss;
    socklen_t sl;
    if (local_sockaddr(sock_family(fd), addr, port, &ss, &sl, o))
        return -1;
    if (bind(fd, (struct sockaddr *)&ss, sl) < 0)
        return fail_sys(o, "bind");
    res_local(o, fd);
    return 0;
}

static const struct {
    const char *name;
    short bit;
} POLL_EVENTS[] = {
    { "in", POLLIN }, { "out", POLLOUT }, { "pri", POLLPRI }, { "rdhup", POLLRDHUP },
    { "err", POLLERR }, { "hup", POLLHUP }, { "nval", POLLNVAL },
};
#define N_POLL_EVENTS (sizeof POLL_EVENTS / sizeof POLL_EVENTS[0])

/* poll(2) of one owned socket: "events" a comma-separated list of in, out, pri, rdhup; waits up to timeoutMs
 * (watching the control connection as accept and recv do); "revents" the same kind of list, "" on timeout. */
/* TCP_INFO of a socket: "info", an object of the kernel's tcpi_* fields (protocol 2). */
static int cmd_tcpinfo(const JObject *r, Out *o)
{
    int fd;
    char fields[4096];
    if (arg_sock(r, o, true, &fd))
        return -1;
    if (tcpinfo_json(fd, fields, sizeof fields) < 0)
        return fail_sys(o, "getsockopt(TCP_INFO)");
    buf_puts(&o->res, ",\"info\":{");
    buf_puts(&o->res, fields);
    buf_puts(&o->res, "}");
    return 0;
}

static int cmd_poll(const JObject *r, Out *o)
{
    int fd;
    long long timeout;
    const char *events;
    if (arg_sock(r, o, true, &fd) || arg_str(r, o, "events", true, NULL, &events) ||
        arg_int(r, o, "timeoutMs", false, 0, 0, MAX_TIMEOUT_MS, &timeout))
        return -1;
    short want = 0;
    for (const char *p = events; *p;) {
        size_t n = strcspn(p, ",");
        bool known = false;
        for (size_t i = 0; i < N_POLL_EVENTS; i++) {
            if (strlen(POLL_EVENTS[i].name) == n && strncmp(p, POLL_EVENTS[i].name, n) == 0) {
                want |= POLL_EVENTS[i].bit;
                known = true;
            }
        }
        if (!known && n > 0)
            return fail(o, EINVAL, "argument \"events\": unknown event \"%.*s\" (in, out, pri, rdhup)", (int)n, p);
        p += n;
        if (*p == ',')
            p++;
    }
    long long deadline = mono_ms() + timeout;
    short got = 0;
    for (;;) {
        long long left = deadline - mono_ms();
        if (left < 0)
            left = 0;
        struct pollfd p[2] = { { .fd = fd, .events = want }, { .fd = g_ctl, .events = 0 } };
        int rc = poll(p, 2, (int)left);
        if (rc < 0 && errno != EINTR)
            return fail_sys(o, "poll");
        if (rc > 0 && (p[1].revents & (POLLHUP | POLLERR))) {
            agent_note("control connection closed during a wait; exiting");
            exit_agent(0);
        }
        if (rc > 0 && p[0].revents) {
            got = p[0].revents;
            break;
        }
        if (left == 0)
            break;
    }
    buf_puts(&o->res, ",\"revents\":\"");
    bool first = true;
    for (size_t i = 0; i < N_POLL_EVENTS; i++) {
        if (got & POLL_EVENTS[i].bit) {
            buf_printf(&o->res, "%s%s", first ? "" : ",", POLL_EVENTS[i].name);
            first = false;
        }
    }
    buf_puts(&o->res, "\"");
    return 0;
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

/* The octets of argument `key` (hex digits), malloc'd into *data; -1 after fail() on bad hex. */
static int arg_hex(const JObject *r, Out *o, const char *key, unsigned char **data, size_t *len)
{
    const char *hex;
    if (arg_str(r, o, key, true, NULL, &hex))
        return -1;
    size_t n = strlen(hex);
    if (n % 2)
        return fail(o, EINVAL, "argument \"%s\" must have an even number of hex digits", key);
    *data = malloc(n / 2 + 1);
    if (!*data)
        agent_oom();
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hexval((unsigned char)hex[2 * i]), lo = hexval((unsigned char)hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            free(*data);
            return fail(o, EINVAL, "argument \"%s\": invalid hex digit near position %zu", key, 2 * i);
        }
        (*data)[i] = (unsigned char)(hi * 16 + lo);
    }
    *len = n / 2;
    return 0;
}

/* The octets of argument "data" (hex digits), malloc'd into *data; -1 after fail() on bad hex. */
static int arg_data(const JObject *r, Out *o, unsigned char **data, size_t *len)
{
    return arg_hex(r, o, "data", data, len);
}

/* setsockopt(IP_OPTIONS) with the octets of "hex" as the application gives them (ip(7)); section 5c. */
static int set_ip_options(int fd, const JObject *r, Out *o)
{
    unsigned char *opts;
    size_t n;
    if (arg_hex(r, o, "hex", &opts, &n))
        return -1;
    int rc = setsockopt(fd, IPPROTO_IP, IP_OPTIONS, opts, (socklen_t)n);
    free(opts);
    if (rc < 0)
        return fail_sys(o, "setsockopt(IP_OPTIONS)");
    return 0;
}

static int cmd_send(const JObject *r, Out *o)
{
    int fd;
    unsigned char *data;
    size_t n;
    bool oob = false;
    if (arg_sock(r, o, true, &fd) || arg_bool(r, o, "oob", false, false, &oob) || arg_data(r, o, &data, &n))
        return -1;
    /* oob (5b): send(MSG_OOB), the data sent as urgent, its last octet the one the urgent pointer follows */
    ssize_t sent = send(fd, data, n, MSG_NOSIGNAL | MSG_DONTWAIT | (oob ? MSG_OOB : 0));
    free(data);
    if (sent < 0)
        return fail_sys(o, "send");
    res_int(o, "sent", sent);
    return 0;
}

/* sendto with MSG_FASTOPEN (protocol 2): connect and send in one call, the data in the SYN when the stack holds a
 * Fast Open cookie for the peer (RFC 7413); errors as the call gives them, EINPROGRESS included. */
static int cmd_sendto(const JObject *r, Out *o)
{
    int fd;
    long long port;
    const char *addr;
    bool fastopen = false;
    unsigned char *data;
    size_t n;
    if (arg_sock(r, o, true, &fd) || arg_str(r, o, "addr", true, NULL, &addr) ||
        arg_int(r, o, "port", true, 0, 0, 65535, &port) || arg_bool(r, o, "fastopen", false, false, &fastopen))
        return -1;
    struct sockaddr_storage ss;
    socklen_t sl;
    if (make_sockaddr(addr, sock_family(fd), (unsigned)port, &ss, &sl, o) || arg_data(r, o, &data, &n))
        return -1;
    ssize_t sent = sendto(fd, data, n, MSG_NOSIGNAL | MSG_DONTWAIT | (fastopen ? MSG_FASTOPEN : 0), (struct sockaddr *)&ss, sl);
    free(data);
    if (sent < 0)
        return fail_sys(o, "sendto");
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
    bool oob = false;
    if (arg_bool(r, o, "oob", false, false, &oob))
        return -1;
    /* oob (5b): waits for POLLPRI, then recv(MSG_OOB) whether it came or not, so that the stack's own answer is
     * reported (EINVAL: no urgent octet to take; EAGAIN: the pointer is known, its octet has not arrived) */
    if (oob)
        wait_events(fd, POLLPRI, timeout);
    else if (!wait_readable(fd, timeout))
        return fail(o, EAGAIN, "recv: no data within %lld ms", timeout);
    unsigned char *data = malloc((size_t)max);
    if (!data)
        agent_oom();
    ssize_t n = recv(fd, data, (size_t)max, MSG_DONTWAIT | (oob ? MSG_OOB : 0));
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

/* 5b: sockatmark (ioctl SIOCATMARK): whether the next octet to read is at the urgent mark */
static int cmd_atmark(const JObject *r, Out *o)
{
    int fd;
    if (arg_sock(r, o, true, &fd))
        return -1;
    int at = 0;
    if (ioctl(fd, SIOCATMARK, &at) < 0)
        return fail_sys(o, "ioctl(SIOCATMARK)");
    res_bool(o, "atmark", at != 0);
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

/* The states of every endpoint: from inet_diag (3b), or, on a kernel without
 * it, from /proc/net/tcp{,6} (3). Which one answered is logged once. */
static int cmd_states(const JObject *r, Out *o)
{
    static const char *const files[] = { "/proc/self/net/tcp", "/proc/self/net/tcp6" };
    static int use_proc = -1; /* -1: not yet tried */
    (void)r;
    Buf eps = { 0 };
    int count = 0, rc = 0;
    char err[512];
    if (use_proc != 1) {
        if (diag_dump(AF_INET, &eps, &count) == 0 && diag_dump(AF_INET6, &eps, &count) == 0) {
            if (use_proc == -1)
                agent_note("states: from NETLINK_SOCK_DIAG (inet_diag)");
            use_proc = 0;
            goto answer;
        }
        agent_note("states: inet_diag failed (%s); reading /proc/net/tcp{,6} from now on", strerror(errno));
        use_proc = 1;
        eps.len = 0;
        count = 0;
    }
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
answer:
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
 * 5. Control connection and event loop
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

/* A write to the harness failed: it is gone, there is nobody left to serve. */
static void harness_gone(void)
{
    agent_note("control connection: write failed: %s; exiting", strerror(errno));
    exit_agent(0);
}

/* Handles one request line (without '\n'). */
static void handle_line(const char *line, size_t len)
{
    if (!line_trim(&line, &len))
        return; /* blank lines are ignored */
    agent_log('<', line, len);

    JObject req;
    char perr[200], msg[300], cb[48];
    char *store = malloc(len + 1);
    if (!store)
        agent_oom();
    if (json_parse_request(line, len, store, &req, perr, sizeof perr) < 0) {
        snprintf(msg, sizeof msg, "bad request: %s", perr);
        control_respond_error(false, 0, "EPROTO", msg);
        free(store);
        return;
    }
    const JMember *idm = json_get(&req, "id");
    const JMember *cmdm = json_get(&req, "cmd");
    if (!idm || idm->type != JV_INT) {
        control_respond_error(false, 0, "EPROTO",
                   idm ? "bad request: \"id\" must be an integer" : "bad request: missing \"id\"");
        free(store);
        return;
    }
    long long id = idm->num;
    if (!cmdm || cmdm->type != JV_STR) {
        control_respond_error(true, id, "EPROTO",
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
        control_respond_error(true, id, "ENOSYS", msg);
        free(store);
        return;
    }

    Out o = { 0 };
    /* "at": when the command began, on CLOCK_REALTIME (the clock of the wire's kernel timestamps), so the harness can
     * time a call by when the stack was asked rather than by when its request left the harness (protocol 2) */
    struct timespec began;
    clock_gettime(CLOCK_REALTIME, &began);
    if (fn(&req, &o) < 0 || o.failed) {
        control_respond_error(true, id, o.errname, o.errmsg);
    } else {
        res_int(&o, "at", (long long)began.tv_sec * 1000000000LL + began.tv_nsec);
        Buf b = { 0 };
        json_ok_response(&b, id, o.res.p ? o.res.p : "", o.res.len);
        control_respond(&b);
        buf_free(&b);
    }
    buf_free(&o.res);
    free(store);
    if (g_bye) {
        agent_note("bye; exiting");
        close(g_ctl);
        exit_agent(0);
    }
}

static void line_too_long(void)
{
    agent_note("request line longer than %d bytes, discarded", LINE_MAX_BYTES);
    control_respond_error(false, 0, "EPROTO", LINES_TOO_LONG_MSG);
}

/* Reads request lines until EOF or "bye" (handle_line exits after it).
 * Requests are handled one at a time, in order; responses are written
 * before the next line is looked at. */
static void serve_connection(void)
{
    static char in[16384];
    LineReader lines = { 0 };
    for (;;) {
        ssize_t n = read(g_ctl, in, sizeof in);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            agent_note("control connection: read failed: %s; exiting", strerror(errno));
            exit_agent(0);
        }
        if (n == 0) {
            size_t len;
            char *last = lines_rest(&lines, &len);
            if (last) {
                handle_line(last, len); /* last line without '\n' */
                free(last);
            }
            agent_note("control connection closed (EOF); exiting");
            exit_agent(0);
        }
        lines_feed(&lines, in, (size_t)n);
        lines_dispatch(&lines, handle_line, line_too_long);
    }
}

static int run_control(const char *path)
{
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
    agent_note("%s protocol %d on Linux %s, pid %d", AGENT_NAME, PROTOCOL_VERSION, u.release,
               (int)getpid());

    char err[300];
    g_path_bound = 1; /* from here on, the signal handler removes the file */
    int lfd = control_listen(path, err, sizeof err);
    if (lfd < 0) {
        fprintf(stderr, "agent: %s\n", err);
        exit_agent(1);
    }
    agent_note("waiting for the harness on %s", path);
    g_ctl = control_accept(lfd, path, NULL);
    g_path_bound = 0;
    if (g_ctl < 0) {
        fprintf(stderr, "agent: accept on %s: %s\n", path, strerror(errno));
        exit_agent(1);
    }
    control_use(g_ctl, harness_gone);
    agent_note("harness connected");
    serve_connection();
    return 0; /* not reached */
}
/* ======================================================================
 * 6. main
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
