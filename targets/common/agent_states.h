/*
 * agent_states.h - RFC 9293 state names for Linux's TCP state numbers, the
 * "state" of an endpoint in the agent protocol's "states" answer
 * (targets/AGENT-PROTOCOL.md, section 6).
 *
 * Part of targets/common. The numbers are those of Linux's enum (the "st"
 * column of /proc/net/tcp); an agent for another stack may map its own
 * states onto them, as the lwIP agent does, and report the number as "code".
 */
#ifndef TCPCT_AGENT_STATES_H
#define TCPCT_AGENT_STATES_H

/* "ESTABLISHED" for 0x01 ... "CLOSING" for 0x0B; 0x0C (TCP_NEW_SYN_RECV, a
 * request socket) is "SYN-RECEIVED"; any other code is "UNKNOWN". */
const char *tcp_state_name(unsigned code);

#endif
