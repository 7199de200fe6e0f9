/*
 * agent_states.c - state names for Linux's TCP state numbers (see
 * agent_states.h).
 */
#include "agent_states.h"

const char *tcp_state_name(unsigned code)
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
