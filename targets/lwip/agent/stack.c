/*
 * stack.c: lwIP 2.1.3 (Debian's liblwip, threaded build with core locking)
 * driven through its raw TCP API, on a netif of our own over an AF_PACKET
 * socket on eth0.
 *
 * Threads: lwIP's tcpip thread (timers, and the input messages that
 * tcpip_input posts), the agent's frame reader (st_input -> netif->input), and
 * the agent's main thread, which runs the control protocol and calls the st_*
 * functions. Every call into the stack from the main thread holds
 * LOCK_TCPIP_CORE(); lwIP runs its own callbacks (recv, accept, err,
 * connected) in the tcpip thread with the same lock held, so the agent's
 * tables below are only ever touched under that lock.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lwip/opt.h"
#include "lwip/init.h"
#include "lwip/ip_addr.h"
#include "lwip/memp.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/tcp.h"
#include "lwip/priv/memp_priv.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcpip.h"
#include "lwip/etharp.h"
#include "lwip/ethip6.h"
#include "netif/ethernet.h"

#include "stack.h"

#if !LWIP_TCPIP_CORE_LOCKING || NO_SYS || !LWIP_CALLBACK_API
#error "this agent needs lwIP's threaded build with LWIP_TCPIP_CORE_LOCKING and the callback API"
#endif

/* The library's size of a TCP PCB, for a check that our headers match it. */
extern const struct memp_desc memp_TCP_PCB;
extern const struct memp_desc memp_TCP_PCB_LISTEN;

/* --- the agent's sockets ----------------------------------------------- */

enum kind { K_NEW, K_LISTEN, K_CONN };

struct conn {
    enum kind kind;
    int sock;                 /* the number the harness uses; -1 while waiting in an accept queue */
    struct tcp_pcb *pcb;      /* NULL once the stack has freed it (or for a listener: see lpcb) */
    struct tcp_pcb *lpcb;     /* K_LISTEN: the listening pcb (a struct tcp_pcb_listen) */
    /* K_LISTEN: established connections not yet taken by accept, oldest first */
    struct conn *q_head, *q_tail;
    struct conn *q_next;
    /* K_CONN */
    unsigned char *rx;        /* received, not yet read by the application (not yet tcp_recved) */
    size_t rx_len, rx_cap;
    int rx_oom;               /* data dropped for lack of memory (reported by recv) */
    int eof;                  /* the peer's FIN was delivered (recv callback with p == NULL) */
    int connected;            /* the handshake completed */
    int dead;                 /* the stack freed the pcb */
    int so_error;             /* pending error (errno), cleared by SO_ERROR or by the call reporting it */
    int rd_shut, wr_shut;
    int linger;               /* SO_LINGER seconds, -1: off */
    int nodelay, keepalive, reuseaddr;
    int v6;                   /* an inet6 socket: its pcb is IPv6 */
};

#define MAX_SOCKS 1024
#define FIRST_SOCK 3 /* numbers look like descriptors, as in the Linux agent */
static struct conn *g_socks[MAX_SOCKS];

static struct netif g_netif;
static int (*g_tx)(const void *, size_t);
static int g_wake_fd = -1;
static char g_msg[256];

static void set_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void set_msg(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(g_msg, sizeof g_msg, fmt, ap);
    va_end(ap);
}

const char *st_msg(void)
{
    return g_msg;
}

const char *st_lwip_version(void)
{
    return LWIP_VERSION_STRING;
}

static void wake(void)
{
    if (g_wake_fd >= 0) {
        ssize_t rc = write(g_wake_fd, "x", 1);
        (void)rc; /* a full pipe already wakes the reader */
    }
}

/* lwIP's err_t as the socket API's errno, for the connection-level errors that
 * reach the err callback or come back from a call. */
static int errno_of(err_t e)
{
    switch (e) {
    case ERR_OK: return 0;
    case ERR_MEM: return ENOMEM;
    case ERR_BUF: return ENOBUFS;
    case ERR_TIMEOUT: return ETIMEDOUT;
    case ERR_RTE: return ENETUNREACH;
    case ERR_INPROGRESS: return EINPROGRESS;
    case ERR_VAL: return EINVAL;
    case ERR_WOULDBLOCK: return EAGAIN;
    case ERR_USE: return EADDRINUSE;
    case ERR_ALREADY: return EALREADY;
    case ERR_ISCONN: return EISCONN;
    case ERR_CONN: return ENOTCONN;
    case ERR_IF: return EIO;
    case ERR_ABRT: return ECONNABORTED;
    case ERR_RST: return ECONNRESET;
    case ERR_CLSD: return ENOTCONN;
    case ERR_ARG: return EINVAL;
    default: return EIO;
    }
}

static const char *err_name(err_t e)
{
    switch (e) {
    case ERR_OK: return "ERR_OK";
    case ERR_MEM: return "ERR_MEM";
    case ERR_BUF: return "ERR_BUF";
    case ERR_TIMEOUT: return "ERR_TIMEOUT";
    case ERR_RTE: return "ERR_RTE";
    case ERR_INPROGRESS: return "ERR_INPROGRESS";
    case ERR_VAL: return "ERR_VAL";
    case ERR_WOULDBLOCK: return "ERR_WOULDBLOCK";
    case ERR_USE: return "ERR_USE";
    case ERR_ALREADY: return "ERR_ALREADY";
    case ERR_ISCONN: return "ERR_ISCONN";
    case ERR_CONN: return "ERR_CONN";
    case ERR_IF: return "ERR_IF";
    case ERR_ABRT: return "ERR_ABRT";
    case ERR_RST: return "ERR_RST";
    case ERR_CLSD: return "ERR_CLSD";
    case ERR_ARG: return "ERR_ARG";
    default: return "ERR_?";
    }
}

/* --- addresses ----------------------------------------------------------- */

static void fmt_v6(const u32_t w[4], char *out, size_t n)
{
    /* RFC 5952: lower case, no leading zeros, longest run (>= 2) of zero groups as "::" (first on a tie) */
    unsigned g[8];
    for (int i = 0; i < 4; i++) {
        u32_t h = lwip_ntohl(w[i]);
        g[2 * i] = h >> 16;
        g[2 * i + 1] = h & 0xffff;
    }
    int best = -1, bestlen = 0;
    for (int i = 0; i < 8;) {
        if (g[i] != 0) {
            i++;
            continue;
        }
        int j = i;
        while (j < 8 && g[j] == 0)
            j++;
        if (j - i > bestlen && j - i >= 2) {
            best = i;
            bestlen = j - i;
        }
        i = j;
    }
    size_t k = 0;
    out[0] = 0;
    for (int i = 0; i < 8; i++) {
        if (i == best) {
            k += (size_t)snprintf(out + k, n - k, "::");
            i += bestlen - 1;
            continue;
        }
        if (k > 0 && out[k - 1] != ':')
            k += (size_t)snprintf(out + k, n - k, ":");
        k += (size_t)snprintf(out + k, n - k, "%x", g[i]);
    }
}

static void fmt_addr(const ip_addr_t *a, u16_t port, char out[ST_ADDR_MAX])
{
    if (IP_IS_V6_VAL(*a)) {
        const ip6_addr_t *a6 = ip_2_ip6(a);
        /* a v4-mapped address is reported in IPv4 form */
        if (a6->addr[0] == 0 && a6->addr[1] == 0 && a6->addr[2] == PP_HTONL(0x0000ffffUL)) {
            const u8_t *b = (const u8_t *)&a6->addr[3];
            snprintf(out, ST_ADDR_MAX, "%u.%u.%u.%u:%u", b[0], b[1], b[2], b[3], port);
            return;
        }
        char s[48];
        fmt_v6(a6->addr, s, sizeof s);
        snprintf(out, ST_ADDR_MAX, "[%s]:%u", s, port);
    } else {
        u32_t v = ip4_addr_get_u32(ip_2_ip4(a)); /* network byte order */
        const u8_t *b = (const u8_t *)&v;
        snprintf(out, ST_ADDR_MAX, "%u.%u.%u.%u:%u", b[0], b[1], b[2], b[3], port);
    }
}

/* --- the netif over AF_PACKET ------------------------------------------- */

static unsigned char g_txbuf[2048];

static err_t nif_linkoutput(struct netif *nif, struct pbuf *p)
{
    (void)nif;
    if (p->tot_len > sizeof g_txbuf)
        return ERR_BUF;
    /* Called with the core lock held (from the tcpip thread or from a call of
     * ours), so the one buffer is never used by two threads at once. */
    u16_t n = pbuf_copy_partial(p, g_txbuf, p->tot_len, 0);
    if (n != p->tot_len)
        return ERR_BUF;
    return g_tx(g_txbuf, n) == 0 ? ERR_OK : ERR_IF;
}

static const unsigned char *g_mac;
static unsigned g_mtu;

static err_t nif_init(struct netif *nif)
{
    nif->name[0] = 'e';
    nif->name[1] = '0';
    nif->hwaddr_len = ETH_HWADDR_LEN;
    memcpy(nif->hwaddr, g_mac, ETH_HWADDR_LEN);
    nif->mtu = (u16_t)g_mtu;
    /* No NETIF_FLAG_IGMP / NETIF_FLAG_MLD6: the stack sends no multicast reports. */
    nif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
    nif->output = etharp_output;
    nif->output_ip6 = ethip6_output; /* IPv6 over Ethernet, the peer found by neighbour discovery */
    nif->linkoutput = nif_linkoutput;
    return ERR_OK;
}

void st_input(const void *frame, size_t len)
{
    if (len == 0 || len > 0xffff)
        return;
    /* PBUF_RAM, not PBUF_POOL: Debian's liblwip disagrees with itself about
     * the pool's buffers. Its memp.c includes glibc's netinet/tcp.h (through
     * lwip/sockets.h and lwipopts.h's posix/inet.h), whose TCP_MSS 512 replaces
     * lwipopts.h's 1460, so memp_PBUF_POOL.size is 616 (592 octets of payload);
     * pbuf.c never sees that header and fills up to its PBUF_POOL_BUFSIZE, 1536
     * octets, per pool pbuf. A frame over 592 octets then overran its malloc'd
     * block (heap corruption). A PBUF_RAM pbuf is sized by pbuf.c alone. */
    struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_RAM);
    if (p == NULL)
        return; /* dropped, as a NIC out of buffers would */
    if (pbuf_take(p, frame, (u16_t)len) != ERR_OK) {
        pbuf_free(p);
        return;
    }
    /* netif->input is tcpip_input: it posts the frame to the tcpip thread. */
    if (g_netif.input(p, &g_netif) != ERR_OK)
        pbuf_free(p);
}

static pthread_mutex_t g_init_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_init_cv = PTHREAD_COND_INITIALIZER;
static int g_init_done;

static void tcpip_ready(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&g_init_mu);
    g_init_done = 1;
    pthread_cond_signal(&g_init_cv);
    pthread_mutex_unlock(&g_init_mu);
}

int st_start(const unsigned char mac[6], unsigned mtu, uint32_t addr_be, uint32_t mask_be,
             const unsigned char addr6[16], int plen6, int (*tx)(const void *, size_t), int wake_fd)
{
    if (memp_TCP_PCB.size != LWIP_MEM_ALIGN_SIZE(sizeof(struct tcp_pcb))
        || memp_TCP_PCB_LISTEN.size != LWIP_MEM_ALIGN_SIZE(sizeof(struct tcp_pcb_listen))) {
        set_msg("liblwip's struct tcp_pcb is %u bytes, these headers say %u: headers and library do not match",
                (unsigned)memp_TCP_PCB.size, (unsigned)LWIP_MEM_ALIGN_SIZE(sizeof(struct tcp_pcb)));
        return EPROTO;
    }
    g_tx = tx;
    g_wake_fd = wake_fd;
    g_mac = mac;
    g_mtu = mtu;

    /* lwIP picks its first ephemeral port with LWIP_RAND() = rand() (Debian's
     * LWIP_RANDOMIZE_INITIAL_LOCAL_PORTS); seed it so ports differ per run. The
     * ISN is lwIP's own and stays predictable (see README). */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    srand((unsigned)(ts.tv_nsec ^ ts.tv_sec ^ (getpid() << 16)));

    tcpip_init(tcpip_ready, NULL);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 10;
    pthread_mutex_lock(&g_init_mu);
    while (!g_init_done) {
        if (pthread_cond_timedwait(&g_init_cv, &g_init_mu, &until) == ETIMEDOUT)
            break;
    }
    int ok = g_init_done;
    pthread_mutex_unlock(&g_init_mu);
    if (!ok) {
        set_msg("lwIP's tcpip thread did not start within 10 s");
        return ETIMEDOUT;
    }

    ip4_addr_t ip, mask, gw;
    ip4_addr_set_u32(&ip, addr_be);
    ip4_addr_set_u32(&mask, mask_be);
    ip4_addr_set_zero(&gw);
    LOCK_TCPIP_CORE();
    struct netif *n = netif_add(&g_netif, &ip, &mask, &gw, NULL, nif_init, tcpip_input);
    if (n != NULL) {
        /* The IPv6 address, usable at once: set PREFERRED rather than TENTATIVE,
         * so Debian's liblwip (LWIP_IPV6_DUP_DETECT_ATTEMPTS 1) runs no duplicate
         * address detection; no link-local address, no router solicitations
         * (rs_count 0), no autoconfiguration: the only IPv6 frames of the stack's
         * own are its neighbour solicitations for the peer. lwIP's on-link test
         * takes the prefix as /64 whatever plen6 says (it has no prefix lengths). */
        (void)plen6;
        ip6_addr_t a6;
        memcpy(a6.addr, addr6, 16);
        ip6_addr_clear_zone(&a6);
        s8_t idx = -1;
        g_netif.ip6_autoconfig_enabled = 0;
        g_netif.rs_count = 0;
        if (netif_add_ip6_address(&g_netif, &a6, &idx) == ERR_OK && idx >= 0)
            netif_ip6_addr_set_state(&g_netif, idx, IP6_ADDR_PREFERRED);
        netif_set_default(&g_netif);
        netif_set_up(&g_netif);
        netif_set_link_up(&g_netif);
    }
    UNLOCK_TCPIP_CORE();
    if (n == NULL) {
        set_msg("netif_add failed");
        return EIO;
    }
    return 0;
}

/* --- socket table -------------------------------------------------------- */

static struct conn *conn_new(enum kind k)
{
    struct conn *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    c->kind = k;
    c->sock = -1;
    c->linger = -1;
    return c;
}

static int sock_assign(struct conn *c)
{
    for (int i = FIRST_SOCK; i < MAX_SOCKS; i++) {
        if (g_socks[i] == NULL) {
            g_socks[i] = c;
            c->sock = i;
            return i;
        }
    }
    return -1;
}

static void conn_free(struct conn *c)
{
    if (c->sock >= 0 && c->sock < MAX_SOCKS && g_socks[c->sock] == c)
        g_socks[c->sock] = NULL;
    free(c->rx);
    free(c);
}

static struct conn *lookup(int sock)
{
    if (sock < 0 || sock >= MAX_SOCKS || g_socks[sock] == NULL) {
        set_msg("sock %d is not a socket owned by the agent", sock);
        return NULL;
    }
    return g_socks[sock];
}

static int on_list(struct tcp_pcb *list, struct tcp_pcb *pcb)
{
    for (struct tcp_pcb *p = list; p != NULL; p = p->next)
        if (p == pcb)
            return 1;
    return 0;
}

/* The connection's pcb if the stack still has it. lwIP frees a pcb without
 * telling the application when TIME-WAIT ends or when LAST-ACK ends after the
 * application closed its receiving side; so a K_CONN pcb is trusted only while
 * it is on tcp_active_pcbs or tcp_tw_pcbs and still carries our argument (a
 * new pcb at a reused address would carry another). */
static struct tcp_pcb *live(struct conn *c)
{
    if (c->pcb == NULL)
        return NULL;
    if (c->kind != K_CONN)
        return c->pcb; /* an unconnected pcb is never freed by the stack */
    if ((on_list(tcp_active_pcbs, c->pcb) || on_list(tcp_tw_pcbs, c->pcb)) && c->pcb->callback_arg == c)
        return c->pcb;
    c->pcb = NULL;
    c->dead = 1;
    return NULL;
}

/* --- callbacks (tcpip thread, core lock held) ---------------------------- */

static void cb_err(void *arg, err_t err)
{
    struct conn *c = arg;
    if (c == NULL || c->kind != K_CONN)
        return;
    c->pcb = NULL; /* already freed by the stack */
    c->dead = 1;
    if (err == ERR_RST)
        c->so_error = c->connected ? ECONNRESET : ECONNREFUSED;
    else if (err == ERR_ABRT)
        c->so_error = ETIMEDOUT; /* the stack gave up (retransmissions, SYN-RECEIVED or FIN-WAIT-2 timer) */
    else if (err != ERR_CLSD)
        c->so_error = errno_of(err);
    wake();
}

static err_t cb_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    struct conn *c = arg;
    (void)pcb;
    if (c == NULL) {
        if (p != NULL)
            pbuf_free(p);
        return ERR_OK;
    }
    if (p == NULL) {
        c->eof = 1;
        wake();
        return ERR_OK;
    }
    if (err == ERR_OK) {
        size_t need = c->rx_len + p->tot_len;
        if (need > c->rx_cap) {
            size_t cap = c->rx_cap ? c->rx_cap : 4096;
            while (cap < need)
                cap *= 2;
            unsigned char *nb = realloc(c->rx, cap);
            if (nb == NULL) {
                /* keep the data in the stack: it offers it again later */
                c->rx_oom = 1;
                return ERR_MEM;
            }
            c->rx = nb;
            c->rx_cap = cap;
        }
        pbuf_copy_partial(p, c->rx + c->rx_len, p->tot_len, 0);
        c->rx_len += p->tot_len;
    }
    pbuf_free(p);
    wake();
    return ERR_OK;
}

static err_t cb_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
    struct conn *c = arg;
    (void)pcb;
    (void)err;
    if (c != NULL)
        c->connected = 1;
    wake();
    return ERR_OK;
}

static void conn_callbacks(struct tcp_pcb *pcb, struct conn *c)
{
    tcp_arg(pcb, c);
    tcp_recv(pcb, cb_recv);
    tcp_err(pcb, cb_err);
}

/* Detaches the agent from a pcb it hands over to the stack (after tcp_close):
 * the stack finishes the connection alone, with its default receive handler. */
static void conn_detach(struct tcp_pcb *pcb)
{
    tcp_arg(pcb, NULL);
    tcp_recv(pcb, NULL);
    tcp_err(pcb, NULL);
    tcp_sent(pcb, NULL);
    tcp_poll(pcb, NULL, 0);
}

static err_t cb_accept(void *arg, struct tcp_pcb *newpcb, err_t err)
{
    struct conn *l = arg;
    if (err != ERR_OK || newpcb == NULL || l == NULL || l->kind != K_LISTEN)
        return ERR_VAL; /* lwIP aborts the new connection */
    struct conn *c = conn_new(K_CONN);
    if (c == NULL)
        return ERR_MEM;
    c->pcb = newpcb;
    c->connected = 1;
    c->nodelay = l->nodelay;
    c->keepalive = l->keepalive;
    if (l->nodelay)
        tcp_nagle_disable(newpcb);
    conn_callbacks(newpcb, c);
    if (l->q_tail)
        l->q_tail->q_next = c;
    else
        l->q_head = c;
    l->q_tail = c;
    wake();
    return ERR_OK;
}

/* --- helpers for closing ------------------------------------------------- */

static void abort_conn(struct conn *c)
{
    struct tcp_pcb *pcb = live(c);
    if (pcb != NULL) {
        conn_detach(pcb);
        if (pcb->state == TIME_WAIT)
            tcp_close(pcb); /* nothing to reset: the stack keeps its TIME-WAIT */
        else
            tcp_abort(pcb);
    }
    c->pcb = NULL;
}

static void close_listener(struct conn *l)
{
    /* Connections established but never accepted are reset, as Linux does
     * when a listener with a non-empty accept queue is closed. */
    struct conn *c = l->q_head;
    while (c != NULL) {
        struct conn *next = c->q_next;
        abort_conn(c);
        conn_free(c);
        c = next;
    }
    l->q_head = l->q_tail = NULL;
    if (l->lpcb != NULL) {
        tcp_arg(l->lpcb, NULL);
        tcp_accept(l->lpcb, NULL);
        tcp_close(l->lpcb); /* a listener cannot fail to close */
        l->lpcb = NULL;
    }
}

/* A normal close: FIN, or RST when data the application has not read is
 * pending (lwIP's tcp_close does that by itself, as Linux's close does). */
static int close_conn(struct conn *c)
{
    if (c->linger == 0) {
        abort_conn(c);
        return 0;
    }
    struct tcp_pcb *pcb = live(c);
    if (pcb == NULL)
        return 0;
    conn_detach(pcb);
    err_t e = tcp_close(pcb);
    if (e != ERR_OK) {
        /* only ERR_MEM (no room for the FIN): the pcb is still ours; give up on it */
        tcp_abort(pcb);
        c->pcb = NULL;
        set_msg("tcp_close failed with %s; the connection was aborted", err_name(e));
        return errno_of(e);
    }
    c->pcb = NULL;
    return 0;
}

static int close_any(struct conn *c, int abortive)
{
    int rc = 0;
    switch (c->kind) {
    case K_LISTEN:
        close_listener(c);
        break;
    case K_NEW:
        if (c->pcb != NULL)
            tcp_close(c->pcb); /* CLOSED or bound: frees it */
        c->pcb = NULL;
        break;
    case K_CONN:
        if (abortive)
            abort_conn(c);
        else
            rc = close_conn(c);
        break;
    }
    conn_free(c);
    return rc;
}

/* --- commands ------------------------------------------------------------ */

static struct tcp_pcb *new_pcb(int v6)
{
    struct tcp_pcb *pcb = tcp_new_ip_type(v6 ? IPADDR_TYPE_V6 : IPADDR_TYPE_V4);
    if (pcb == NULL)
        set_msg("tcp_new: out of memory");
    return pcb;
}

int st_socket(int v6, int *sock)
{
    int rc = 0;
    LOCK_TCPIP_CORE();
    struct conn *c = conn_new(K_NEW);
    if (c == NULL) {
        set_msg("out of memory");
        rc = ENOMEM;
    } else if ((c->v6 = v6, c->pcb = new_pcb(v6)) == NULL) {
        free(c);
        rc = ENOMEM;
    } else if (sock_assign(c) < 0) {
        tcp_close(c->pcb);
        free(c);
        set_msg("the agent holds %d sockets already", MAX_SOCKS - FIRST_SOCK);
        rc = EMFILE;
    } else {
        tcp_arg(c->pcb, c);
        *sock = c->sock;
    }
    UNLOCK_TCPIP_CORE();
    return rc;
}

/* Options of the agent protocol that lwIP's raw API has no per-connection
 * equivalent for: answered ENOSYS (the stack cannot do it). */
static const char *const UNSUPPORTED_OPTS[][2] = {
    { "SO_RCVBUF", "lwIP's receive window is the compile-time TCP_WND (65535, scale 1); no per-pcb buffer" },
    { "SO_SNDBUF", "lwIP's send buffer is the compile-time TCP_SND_BUF (65535); no per-pcb buffer" },
    { "TCP_MAXSEG", "lwIP announces the compile-time TCP_MSS (1460), capped by the netif MTU; no per-pcb MSS" },
    { "TCP_SYNCNT", "lwIP's SYN retransmission count is the compile-time TCP_SYNMAXRTX (6); no per-pcb count" },
    { "TCP_LINGER2", "lwIP's FIN-WAIT-2 timeout is the compile-time TCP_FIN_WAIT_TIMEOUT (20 s); no per-pcb value" },
    { "TCP_USER_TIMEOUT", "lwIP has no user timeout (retransmissions end after TCP_MAXRTX = 12)" },
    { "TCP_DEFER_ACCEPT", "lwIP has no deferred accept" },
    { "TCP_QUICKACK", "lwIP has no quick-ACK switch (delayed ACKs are sent by its 250 ms fast timer)" },
    { "TCP_WINDOW_CLAMP", "lwIP has no per-pcb window clamp" },
};

static const char *const SUPPORTED_OPTS[] = {
    "SO_REUSEADDR", "SO_KEEPALIVE", "SO_LINGER", "TCP_NODELAY", "TCP_KEEPIDLE", "TCP_KEEPINTVL", "TCP_KEEPCNT",
    "IP_TTL", "IP_TOS", "IPV6_UNICAST_HOPS", "IPV6_TCLASS",
};

/* The IP header options: the pcb's ttl and tos, which lwIP writes as IPv4's TTL and TOS or IPv6's hop limit and
 * traffic class (IP_PCB). */
static int ip_header_opt(const char *name)
{
    return strcmp(name, "IP_TTL") == 0 || strcmp(name, "IPV6_UNICAST_HOPS") == 0 ? 1
         : strcmp(name, "IP_TOS") == 0 || strcmp(name, "IPV6_TCLASS") == 0 ? 2 : 0;
}

static int check_opt(const char *name, int for_get)
{
    for (size_t i = 0; i < sizeof UNSUPPORTED_OPTS / sizeof UNSUPPORTED_OPTS[0]; i++)
        if (strcmp(name, UNSUPPORTED_OPTS[i][0]) == 0) {
            set_msg("%s: %s", name, UNSUPPORTED_OPTS[i][1]);
            return ENOSYS;
        }
    for (size_t i = 0; i < sizeof SUPPORTED_OPTS / sizeof SUPPORTED_OPTS[0]; i++)
        if (strcmp(name, SUPPORTED_OPTS[i]) == 0)
            return 0;
    if (strcmp(name, "SO_ERROR") == 0) {
        if (for_get)
            return 0;
        set_msg("SO_ERROR is read-only");
        return ENOPROTOOPT;
    }
    set_msg("unknown option \"%s\"", name);
    return ENOPROTOOPT;
}

/* The pcb options live on: K_NEW and K_CONN (live) pcbs, and a listener's pcb. */
static struct tcp_pcb *opt_pcb(struct conn *c)
{
    if (c->kind == K_LISTEN)
        return c->lpcb;
    return live(c);
}

int st_setsockopt(int sock, const char *name, long long v)
{
    int rc = check_opt(name, 0);
    if (rc != 0)
        return rc;
    LOCK_TCPIP_CORE();
    struct conn *c = lookup(sock);
    struct tcp_pcb *pcb = c ? opt_pcb(c) : NULL;
    if (c == NULL) {
        rc = EBADF;
    } else if (strcmp(name, "SO_LINGER") == 0) {
        /* lwIP's raw API has no linger: the agent keeps it and closes with
         * tcp_abort when it is on with 0 s; other values change nothing, since
         * every close is non-blocking. */
        c->linger = v < 0 ? -1 : (v > 0x7fffffff ? 0x7fffffff : (int)v);
    } else if (pcb == NULL) {
        set_msg("the connection is gone");
        rc = EINVAL;
    } else if (ip_header_opt(name)) {
        if (v < 0 || v > 255) {
            set_msg("%s must be 0..255", name);
            rc = EINVAL;
        } else if (ip_header_opt(name) == 1) {
            pcb->ttl = (u8_t)v;
        } else {
            pcb->tos = (u8_t)v;
        }
    } else if (c->kind == K_LISTEN && strcmp(name, "SO_REUSEADDR") != 0 && strcmp(name, "SO_KEEPALIVE") != 0
               && strcmp(name, "TCP_NODELAY") != 0) {
        /* a struct tcp_pcb_listen has no keepalive timers */
        set_msg("%s cannot be set on a listening pcb in lwIP", name);
        rc = ENOSYS;
    } else if (strcmp(name, "SO_REUSEADDR") == 0) {
        if (v)
            ip_set_option(pcb, SOF_REUSEADDR);
        else
            ip_reset_option(pcb, SOF_REUSEADDR);
        c->reuseaddr = v != 0;
    } else if (strcmp(name, "SO_KEEPALIVE") == 0) {
        if (v)
            ip_set_option(pcb, SOF_KEEPALIVE);
        else
            ip_reset_option(pcb, SOF_KEEPALIVE);
        c->keepalive = v != 0;
    } else if (strcmp(name, "TCP_NODELAY") == 0) {
        c->nodelay = v != 0;
        if (c->kind != K_LISTEN) {
            if (v)
                tcp_nagle_disable(pcb);
            else
                tcp_nagle_enable(pcb);
        }
    } else if (v < 1 || v > 0x7fffffffLL / 1000) {
        set_msg("%s must be 1..%lld", name, 0x7fffffffLL / 1000);
        rc = EINVAL;
    } else if (strcmp(name, "TCP_KEEPIDLE") == 0) {
        pcb->keep_idle = (u32_t)v * 1000;
    } else if (strcmp(name, "TCP_KEEPINTVL") == 0) {
        pcb->keep_intvl = (u32_t)v * 1000;
    } else { /* TCP_KEEPCNT */
        pcb->keep_cnt = (u32_t)v;
    }
    UNLOCK_TCPIP_CORE();
    return rc;
}

int st_getsockopt(int sock, const char *name, long long *v)
{
    int rc = check_opt(name, 1);
    if (rc != 0)
        return rc;
    LOCK_TCPIP_CORE();
    struct conn *c = lookup(sock);
    struct tcp_pcb *pcb = c ? opt_pcb(c) : NULL;
    if (c == NULL) {
        rc = EBADF;
    } else if (strcmp(name, "SO_ERROR") == 0) {
        *v = c->so_error;
        c->so_error = 0;
    } else if (strcmp(name, "SO_LINGER") == 0) {
        *v = c->linger;
    } else if (strcmp(name, "SO_REUSEADDR") == 0) {
        *v = pcb ? ip_get_option(pcb, SOF_REUSEADDR) != 0 : c->reuseaddr;
    } else if (strcmp(name, "SO_KEEPALIVE") == 0) {
        *v = pcb ? ip_get_option(pcb, SOF_KEEPALIVE) != 0 : c->keepalive;
    } else if (strcmp(name, "TCP_NODELAY") == 0) {
        *v = (pcb && c->kind != K_LISTEN) ? tcp_nagle_disabled(pcb) != 0 : c->nodelay;
    } else if (pcb != NULL && ip_header_opt(name)) {
        *v = ip_header_opt(name) == 1 ? pcb->ttl : pcb->tos;
    } else if (pcb == NULL || c->kind == K_LISTEN) {
        set_msg("%s: no connection pcb to read it from", name);
        rc = c->kind == K_LISTEN ? ENOSYS : EINVAL;
    } else if (strcmp(name, "TCP_KEEPIDLE") == 0) {
        *v = pcb->keep_idle / 1000;
    } else if (strcmp(name, "TCP_KEEPINTVL") == 0) {
        *v = pcb->keep_intvl / 1000;
    } else {
        *v = pcb->keep_cnt;
    }
    UNLOCK_TCPIP_CORE();
    return rc;
}

/* addr as lwIP's ip_addr_t. */
static void to_ip_addr(const st_ip *a, ip_addr_t *out)
{
    memset(out, 0, sizeof *out);
    if (a->v6) {
        memcpy(ip_2_ip6(out)->addr, a->b, 16);
        ip6_addr_clear_zone(ip_2_ip6(out));
        IP_SET_TYPE_VAL(*out, IPADDR_TYPE_V6);
    } else {
        uint32_t be;
        memcpy(&be, a->b, 4);
        ip_addr_set_ip4_u32_val(*out, be);
    }
}

/* Whether a is all zeros: 0.0.0.0 or ::. */
static int is_wildcard(const st_ip *a)
{
    static const unsigned char zero[16];
    return memcmp(a->b, zero, a->v6 ? 16 : 4) == 0;
}

/* Checks that a fits socket c's family; the IPv4 wildcard (the default address
 * of listen) stands for :: on an inet6 socket. */
static int fit_family(const struct conn *c, st_ip *a)
{
    if (a->v6 == c->v6)
        return 0;
    if (c->v6 && is_wildcard(a)) {
        a->v6 = 1;
        return 0;
    }
    set_msg("an IPv%d address for an inet%s socket", a->v6 ? 6 : 4, c->v6 ? "6" : "");
    return EAFNOSUPPORT;
}

int st_listen(int sock, const st_ip *addr_in, int port, int backlog, int *out, char local[ST_ADDR_MAX])
{
    st_ip addr = *addr_in;
    int rc = 0;
    LOCK_TCPIP_CORE();
    struct conn *c = NULL;
    int created = 0;
    if (sock >= 0) {
        c = lookup(sock);
        if (c == NULL) {
            rc = EBADF;
            goto done;
        }
        if (c->kind != K_NEW) {
            set_msg("sock %d is %s", sock, c->kind == K_LISTEN ? "listening already" : "connected");
            rc = EINVAL;
            goto done;
        }
        if ((rc = fit_family(c, &addr)) != 0)
            goto done;
    } else {
        c = conn_new(K_NEW);
        if (c != NULL)
            c->v6 = addr.v6;
        if (c == NULL || (c->pcb = new_pcb(addr.v6)) == NULL) {
            free(c);
            set_msg("out of memory");
            rc = ENOMEM;
            goto done;
        }
        if (sock_assign(c) < 0) {
            tcp_close(c->pcb);
            free(c);
            set_msg("the agent holds %d sockets already", MAX_SOCKS - FIRST_SOCK);
            rc = EMFILE;
            goto done;
        }
        created = 1;
    }
    ip_set_option(c->pcb, SOF_REUSEADDR);
    c->reuseaddr = 1;
    ip_addr_t a;
    to_ip_addr(&addr, &a);
    err_t e = tcp_bind(c->pcb, &a, (u16_t)port);
    if (e != ERR_OK) {
        set_msg("tcp_bind: %s", err_name(e));
        rc = errno_of(e);
        if (e == ERR_VAL)
            rc = EINVAL;
        goto fail;
    }
    u8_t bl = backlog < 1 ? 1 : (backlog > 255 ? 255 : (u8_t)backlog);
    struct tcp_pcb *l = tcp_listen_with_backlog_and_err(c->pcb, bl, &e);
    if (l == NULL) {
        set_msg("tcp_listen: %s", err_name(e));
        rc = errno_of(e);
        goto fail;
    }
    /* tcp_listen freed the bound pcb and made a smaller listening one */
    c->pcb = NULL;
    c->lpcb = l;
    c->kind = K_LISTEN;
    tcp_arg(l, c);
    tcp_accept(l, cb_accept);
    fmt_addr(&l->local_ip, l->local_port, local);
    *out = c->sock;
    goto done;
fail:
    if (created) {
        tcp_close(c->pcb);
        c->pcb = NULL;
        conn_free(c);
    }
done:
    UNLOCK_TCPIP_CORE();
    return rc;
}

int st_accept(int lsock, int *out, char remote[ST_ADDR_MAX], char local[ST_ADDR_MAX])
{
    int rc = 0;
    LOCK_TCPIP_CORE();
    struct conn *l = lookup(lsock);
    if (l == NULL) {
        rc = EBADF;
    } else if (l->kind != K_LISTEN) {
        set_msg("sock %d is not listening", lsock);
        rc = EINVAL;
    } else if (l->q_head == NULL) {
        set_msg("no connection waiting");
        rc = EAGAIN;
    } else {
        struct conn *c = l->q_head;
        if (sock_assign(c) < 0) {
            set_msg("the agent holds %d sockets already", MAX_SOCKS - FIRST_SOCK);
            rc = EMFILE;
        } else {
            l->q_head = c->q_next;
            if (l->q_head == NULL)
                l->q_tail = NULL;
            c->q_next = NULL;
            struct tcp_pcb *pcb = live(c);
            if (pcb != NULL) {
                fmt_addr(&pcb->remote_ip, pcb->remote_port, remote);
                fmt_addr(&pcb->local_ip, pcb->local_port, local);
            } else {
                /* reset before it was accepted: the socket API still returns it */
                snprintf(remote, ST_ADDR_MAX, "0.0.0.0:0");
                snprintf(local, ST_ADDR_MAX, "0.0.0.0:0");
            }
            *out = c->sock;
        }
    }
    UNLOCK_TCPIP_CORE();
    return rc;
}

int st_connect(int sock, const st_ip *raddr_in, int port, int local_port, int *out, char local[ST_ADDR_MAX],
               int *in_progress)
{
    st_ip raddr = *raddr_in;
    int rc = 0;
    LOCK_TCPIP_CORE();
    struct conn *c = NULL;
    int created = 0;
    if (sock >= 0) {
        c = lookup(sock);
        if (c == NULL) {
            rc = EBADF;
            goto done;
        }
        if (c->kind == K_LISTEN) {
            set_msg("sock %d is listening", sock);
            rc = EINVAL;
            goto done;
        }
        if (c->kind == K_CONN) {
            set_msg("sock %d is connected or connecting already", sock);
            rc = c->connected ? EISCONN : EALREADY;
            goto done;
        }
        if ((rc = fit_family(c, &raddr)) != 0)
            goto done;
    } else {
        c = conn_new(K_NEW);
        if (c != NULL)
            c->v6 = raddr.v6;
        if (c == NULL || (c->pcb = new_pcb(raddr.v6)) == NULL) {
            free(c);
            set_msg("out of memory");
            rc = ENOMEM;
            goto done;
        }
        if (sock_assign(c) < 0) {
            tcp_close(c->pcb);
            free(c);
            set_msg("the agent holds %d sockets already", MAX_SOCKS - FIRST_SOCK);
            rc = EMFILE;
            goto done;
        }
        created = 1;
    }
    err_t e;
    if (local_port >= 0) {
        ip_set_option(c->pcb, SOF_REUSEADDR);
        c->reuseaddr = 1;
        e = tcp_bind(c->pcb, c->v6 ? IP6_ADDR_ANY : IP4_ADDR_ANY, (u16_t)local_port);
        if (e != ERR_OK) {
            set_msg("tcp_bind: %s", err_name(e));
            rc = errno_of(e);
            goto fail;
        }
    }
    ip_addr_t ra;
    to_ip_addr(&raddr, &ra);
    conn_callbacks(c->pcb, c);
    c->kind = K_CONN; /* for the callbacks, which may run inside tcp_connect */
    e = tcp_connect(c->pcb, &ra, (u16_t)port, cb_connected);
    if (e != ERR_OK) {
        c->kind = K_NEW;
        set_msg("tcp_connect: %s", err_name(e));
        rc = errno_of(e);
        goto fail;
    }
    fmt_addr(&c->pcb->local_ip, c->pcb->local_port, local);
    *in_progress = !c->connected;
    *out = c->sock;
    goto done;
fail:
    if (created) {
        tcp_close(c->pcb);
        c->pcb = NULL;
        conn_free(c);
    }
done:
    UNLOCK_TCPIP_CORE();
    return rc;
}

int st_send(int sock, const unsigned char *data, size_t len, size_t *sent)
{
    int rc = 0;
    *sent = 0;
    LOCK_TCPIP_CORE();
    struct conn *c = lookup(sock);
    struct tcp_pcb *pcb;
    if (c == NULL) {
        rc = EBADF;
    } else if (c->kind != K_CONN) {
        set_msg("sock %d is %s: lwIP's tcp_write needs a connection", sock,
                c->kind == K_LISTEN ? "a listener" : "not connected");
        rc = ENOTCONN;
    } else if (c->wr_shut) {
        set_msg("the sending side is shut down");
        rc = EPIPE;
    } else if ((pcb = live(c)) == NULL) {
        if (c->so_error) {
            rc = c->so_error;
            c->so_error = 0;
            set_msg("the connection failed");
        } else {
            rc = EPIPE;
            set_msg("the connection is closed");
        }
    } else if (len == 0) {
        /* nothing to do */
    } else {
        size_t room = tcp_sndbuf(pcb);
        size_t n = len < room ? len : room;
        if (n > 0xffff)
            n = 0xffff;
        if (tcp_sndqueuelen(pcb) >= TCP_SND_QUEUELEN)
            n = 0;
        if (n == 0) {
            set_msg("no room in the send buffer");
            rc = EAGAIN;
        } else {
            err_t e = tcp_write(pcb, data, (u16_t)n, TCP_WRITE_FLAG_COPY);
            if (e == ERR_MEM) {
                set_msg("no room in the send queue");
                rc = EAGAIN;
            } else if (e != ERR_OK) {
                set_msg("tcp_write: %s (state %s)", err_name(e), tcp_debug_state_str(pcb->state));
                rc = e == ERR_CONN ? EPIPE : errno_of(e);
            } else {
                *sent = n;
                tcp_output(pcb);
            }
        }
    }
    UNLOCK_TCPIP_CORE();
    return rc;
}

int st_recv(int sock, unsigned char *buf, size_t max, size_t *got, int *eof)
{
    int rc = 0;
    *got = 0;
    *eof = 0;
    LOCK_TCPIP_CORE();
    struct conn *c = lookup(sock);
    if (c == NULL) {
        rc = EBADF;
    } else if (c->kind != K_CONN) {
        set_msg("sock %d is not connected", sock);
        rc = ENOTCONN;
    } else if (c->rx_len > 0) {
        size_t n = c->rx_len < max ? c->rx_len : max;
        memcpy(buf, c->rx, n);
        memmove(c->rx, c->rx + n, c->rx_len - n);
        c->rx_len -= n;
        *got = n;
        /* the application has taken the data: open the window again */
        struct tcp_pcb *pcb = live(c);
        for (size_t left = n; pcb != NULL && left > 0;) {
            u16_t k = left > 0xffff ? 0xffff : (u16_t)left;
            tcp_recved(pcb, k);
            left -= k;
        }
    } else if (c->so_error && live(c) == NULL) {
        rc = c->so_error;
        c->so_error = 0;
        set_msg("the connection failed");
    } else if (c->eof || c->rd_shut || live(c) == NULL) {
        *eof = 1;
    } else {
        set_msg("nothing to read");
        rc = EAGAIN;
    }
    UNLOCK_TCPIP_CORE();
    return rc;
}

int st_shutdown(int sock, int rd, int wr)
{
    int rc = 0;
    LOCK_TCPIP_CORE();
    struct conn *c = lookup(sock);
    struct tcp_pcb *pcb;
    if (c == NULL) {
        rc = EBADF;
    } else if (c->kind != K_CONN || (pcb = live(c)) == NULL) {
        set_msg("sock %d is not connected", sock);
        rc = ENOTCONN;
    } else {
        err_t e = ERR_OK;
        /* One side at a time: tcp_shutdown(pcb, 1, 1) is tcp_close, which may
         * free the pcb and reset on unread data; shutdown() never does that. */
        if (rd && !c->rd_shut) {
            e = tcp_shutdown(pcb, 1, 0);
            if (e == ERR_OK)
                c->rd_shut = 1;
        }
        if (e == ERR_OK && wr && !c->wr_shut) {
            e = tcp_shutdown(pcb, 0, 1);
            if (e == ERR_OK)
                c->wr_shut = 1;
        }
        if (e != ERR_OK) {
            set_msg("tcp_shutdown: %s (state %s)", err_name(e), tcp_debug_state_str(pcb->state));
            rc = errno_of(e);
        }
    }
    UNLOCK_TCPIP_CORE();
    return rc;
}

int st_close(int sock)
{
    int rc;
    LOCK_TCPIP_CORE();
    struct conn *c = lookup(sock);
    rc = c == NULL ? EBADF : close_any(c, 0);
    UNLOCK_TCPIP_CORE();
    return rc;
}

int st_abort(int sock)
{
    int rc;
    LOCK_TCPIP_CORE();
    struct conn *c = lookup(sock);
    /* a listener has nothing to reset: lwIP refuses tcp_abort on it, so it is closed */
    rc = c == NULL ? EBADF : close_any(c, 1);
    UNLOCK_TCPIP_CORE();
    return rc;
}

int st_reset(int *closed)
{
    int n = 0;
    LOCK_TCPIP_CORE();
    for (int i = 0; i < MAX_SOCKS; i++) {
        if (g_socks[i] != NULL) {
            close_any(g_socks[i], 1);
            n++;
        }
    }
    UNLOCK_TCPIP_CORE();
    *closed = n;
    return 0;
}

void st_close_all(void)
{
    LOCK_TCPIP_CORE();
    for (int i = 0; i < MAX_SOCKS; i++)
        if (g_socks[i] != NULL)
            close_any(g_socks[i], 0);
    UNLOCK_TCPIP_CORE();
}

/* lwIP's enum tcp_state (tcpbase.h) as the Linux code of the RFC 9293 state. */
static int linux_code(enum tcp_state s)
{
    switch (s) {
    case CLOSED: return 0x07;
    case LISTEN: return 0x0A;
    case SYN_SENT: return 0x02;
    case SYN_RCVD: return 0x03;
    case ESTABLISHED: return 0x01;
    case FIN_WAIT_1: return 0x04;
    case FIN_WAIT_2: return 0x05;
    case CLOSE_WAIT: return 0x08;
    case CLOSING: return 0x0B;
    case LAST_ACK: return 0x09;
    case TIME_WAIT: return 0x06;
    }
    return 0x100 + (int)s; /* reported as UNKNOWN */
}

int st_states(st_endpoint **eps, size_t *count)
{
    size_t cap = 16, n = 0;
    st_endpoint *v = malloc(cap * sizeof *v);
    if (v == NULL) {
        set_msg("out of memory");
        return ENOMEM;
    }
    LOCK_TCPIP_CORE();
    for (int list = 0; list < 3; list++) {
        struct tcp_pcb *p = list == 0 ? tcp_listen_pcbs.pcbs : list == 1 ? tcp_active_pcbs : tcp_tw_pcbs;
        for (; p != NULL; p = p->next) {
            if (n == cap) {
                st_endpoint *nv = realloc(v, 2 * cap * sizeof *v);
                if (nv == NULL)
                    break;
                v = nv;
                cap *= 2;
            }
            st_endpoint *e = &v[n++];
            if (list == 0) {
                /* a struct tcp_pcb_listen: no remote end */
                struct tcp_pcb_listen *l = (struct tcp_pcb_listen *)p;
                fmt_addr(&l->local_ip, l->local_port, e->local);
                snprintf(e->remote, sizeof e->remote, "0.0.0.0:0");
                e->lwip_state = (int)l->state;
                e->code = linux_code(l->state);
            } else {
                fmt_addr(&p->local_ip, p->local_port, e->local);
                fmt_addr(&p->remote_ip, p->remote_port, e->remote);
                e->lwip_state = (int)p->state;
                e->code = linux_code(p->state);
            }
        }
    }
    UNLOCK_TCPIP_CORE();
    *eps = v;
    *count = n;
    return 0;
}
