/*
 * TCP_INFO of one socket as JSON members, for the agent's tcpinfo command
 * (targets/AGENT-PROTOCOL.md, protocol 2). Apart from agent.c because the
 * kernel's struct tcp_info (linux/tcp.h) and the C library's netinet/tcp.h
 * cannot be included in one file.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/tcp.h>

#include "tcpinfo.h"

/* Appends "name":value to out; returns -1 once out is full. */
static int put(char *out, size_t cap, size_t *at, const char *name, unsigned long long v)
{
    int n = snprintf(out + *at, cap - *at, "%s\"%s\":%llu", *at ? "," : "", name, v);
    if (n < 0 || (size_t)n >= cap - *at)
        return -1;
    *at += (size_t)n;
    return 0;
}

int tcpinfo_json(int fd, char *out, size_t cap)
{
    struct tcp_info i;
    socklen_t len = sizeof i;
    memset(&i, 0, sizeof i);
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &i, &len) < 0)
        return -1;
    size_t at = 0;
    out[0] = '\0';
    /* A field is reported only if the kernel filled it: an older kernel returns a shorter struct. */
#define F(field)                                                                                     \
    if (offsetof(struct tcp_info, field) + sizeof i.field <= len &&                                 \
        put(out, cap, &at, #field, (unsigned long long)i.field) < 0)                               \
        goto full;
    F(tcpi_state) F(tcpi_ca_state) F(tcpi_retransmits) F(tcpi_probes) F(tcpi_backoff) F(tcpi_options)
    /* the bit fields share the 7th octet, always within the 8 the first kernels returned */
    if (len >= 8 && (put(out, cap, &at, "tcpi_snd_wscale", i.tcpi_snd_wscale) < 0 ||
                     put(out, cap, &at, "tcpi_rcv_wscale", i.tcpi_rcv_wscale) < 0 ||
                     put(out, cap, &at, "tcpi_delivery_rate_app_limited", i.tcpi_delivery_rate_app_limited) < 0 ||
                     put(out, cap, &at, "tcpi_fastopen_client_fail", i.tcpi_fastopen_client_fail) < 0))
        goto full;
    F(tcpi_rto) F(tcpi_ato) F(tcpi_snd_mss) F(tcpi_rcv_mss)
    F(tcpi_unacked) F(tcpi_sacked) F(tcpi_lost) F(tcpi_retrans) F(tcpi_fackets)
    F(tcpi_last_data_sent) F(tcpi_last_ack_sent) F(tcpi_last_data_recv) F(tcpi_last_ack_recv)
    F(tcpi_pmtu) F(tcpi_rcv_ssthresh) F(tcpi_rtt) F(tcpi_rttvar) F(tcpi_snd_ssthresh) F(tcpi_snd_cwnd)
    F(tcpi_advmss) F(tcpi_reordering) F(tcpi_rcv_rtt) F(tcpi_rcv_space) F(tcpi_total_retrans)
    F(tcpi_pacing_rate) F(tcpi_max_pacing_rate) F(tcpi_bytes_acked) F(tcpi_bytes_received)
    F(tcpi_segs_out) F(tcpi_segs_in) F(tcpi_notsent_bytes) F(tcpi_min_rtt)
    F(tcpi_data_segs_in) F(tcpi_data_segs_out) F(tcpi_delivery_rate)
    F(tcpi_busy_time) F(tcpi_rwnd_limited) F(tcpi_sndbuf_limited) F(tcpi_delivered) F(tcpi_delivered_ce)
    F(tcpi_bytes_sent) F(tcpi_bytes_retrans) F(tcpi_dsack_dups) F(tcpi_reord_seen)
    F(tcpi_rcv_ooopack) F(tcpi_snd_wnd)
#undef F
    return 0;
full:
    errno = EMSGSIZE;
    return -1;
}
