/*
 * stack.h: the agent's interface to lwIP, with no lwIP type in it.
 *
 * stack.c is the only file that includes lwIP's headers; main.c (control
 * protocol, JSON, AF_PACKET) talks to the stack through these functions, so
 * the two header worlds (lwIP's and the C library's sockets) never meet.
 *
 * Every st_* call below takes the lwIP core lock (LOCK_TCPIP_CORE) itself and
 * releases it before returning. They are called from the agent's main thread
 * only, except st_input, which the frame reader thread calls.
 *
 * Errors are positive errno values (Linux numbering); 0 is success. After an
 * error, st_msg() holds a one-line explanation.
 */
#ifndef TCPCT_LWIP_STACK_H
#define TCPCT_LWIP_STACK_H

#include <stddef.h>
#include <stdint.h>

#define ST_ADDR_MAX 64 /* "A.B.C.D:PORT" or "[v6]:PORT", NUL included */

/* Starts lwIP (tcpip_init), adds the netif for eth0 with address addr_be /
 * mask_be (network byte order) and the given MAC and MTU. tx writes one
 * Ethernet frame to the wire; wake_fd is written (one byte) whenever a
 * callback of the stack changed something a waiting command may care about. */
/* An IP address of either family: v6 0, the IPv4 address in b[0..3]; v6 1, the
 * IPv6 address in b[0..15]; network order. */
typedef struct {
    int v6;
    unsigned char b[16];
} st_ip;

/* addr6 (16 octets, network order) with prefix length plen6 is the netif's
 * IPv6 address. */
int st_start(const unsigned char mac[6], unsigned mtu, uint32_t addr_be, uint32_t mask_be,
             const unsigned char addr6[16], int plen6, int (*tx)(const void *frame, size_t len), int wake_fd);

/* One received Ethernet frame, from the reader thread (goes to netif->input). */
void st_input(const void *frame, size_t len);

const char *st_msg(void);
const char *st_lwip_version(void);

int st_socket(int v6, int *sock);
int st_setsockopt(int sock, const char *name, long long value);
/* For SO_ERROR, *value is the pending errno (0: none), which reading clears. */
int st_getsockopt(int sock, const char *name, long long *value);
/* sock < 0: make a new socket. addr_be: local address to bind (0: any). */
int st_listen(int sock, const st_ip *addr, int port, int backlog, int *out, char local[ST_ADDR_MAX]);
/* EAGAIN when no established connection is waiting. */
int st_accept(int lsock, int *out, char remote[ST_ADDR_MAX], char local[ST_ADDR_MAX]);
/* sock < 0: make a new socket; local_port < 0: let the stack choose. */
int st_connect(int sock, const st_ip *raddr, int port, int local_port, int *out, char local[ST_ADDR_MAX],
               int *in_progress);
int st_send(int sock, const unsigned char *data, size_t len, size_t *sent);
/* EAGAIN when nothing can be read yet. */
int st_recv(int sock, unsigned char *buf, size_t max, size_t *got, int *eof);
int st_shutdown(int sock, int rd, int wr);
int st_close(int sock);
int st_abort(int sock);
int st_reset(int *closed);
/* Gracefully closes everything the agent owns (on exit). */
void st_close_all(void);

typedef struct {
    char local[ST_ADDR_MAX];
    char remote[ST_ADDR_MAX];
    int code; /* the Linux /proc/net/tcp number of the state (AGENT-PROTOCOL.md section 6) */
    int lwip_state; /* lwIP's enum tcp_state value, as read */
} st_endpoint;

/* Every TCP PCB of the stack: tcp_listen_pcbs, tcp_active_pcbs, tcp_tw_pcbs.
 * *eps is malloc'd (free it). */
int st_states(st_endpoint **eps, size_t *n);

#endif
