#ifndef TCPCT_TCPINFO_H
#define TCPCT_TCPINFO_H

#include <stddef.h>

/* Writes the TCP_INFO fields of socket fd into out as JSON members ("tcpi_state":1,...), each field the
 * kernel filled under its struct tcp_info name; 0, or -1 with errno (getsockopt's, or EMSGSIZE). */
int tcpinfo_json(int fd, char *out, size_t cap);

#endif
