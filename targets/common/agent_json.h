/*
 * agent_json.h - the JSON of the agent protocol (targets/AGENT-PROTOCOL.md,
 * sections 2 and 3): the request reader and the response writer.
 *
 * Part of targets/common. A request is one flat JSON object whose values are
 * strings, integers, booleans or null; that is all the reader accepts (nested
 * objects, arrays and non-integer numbers make a bad request). A response is
 * written as text into a Buf: {"id":N,"ok":true,...} or
 * {"id":N|null,"ok":false,"errno":"E...","error":"..."}.
 */
#ifndef TCPCT_AGENT_JSON_H
#define TCPCT_AGENT_JSON_H

#include "agent_buf.h"

#include <stdbool.h>
#include <stddef.h>

#define JSON_MAX_MEMBERS 64 /* members per request object */

typedef enum { JV_NULL, JV_BOOL, JV_INT, JV_STR } JType;

typedef struct {
    const char *key;  /* decoded, NUL-terminated */
    size_t klen;
    JType type;
    const char *str;  /* JV_STR: decoded UTF-8, NUL-terminated (may hold NULs: see slen) */
    size_t slen;
    long long num;    /* JV_INT: the value; JV_BOOL: 0 or 1 */
} JMember;

typedef struct {
    JMember m[JSON_MAX_MEMBERS];
    int n;
} JObject;

/* Parses one request line (len bytes, no '\n') into obj. Decoded strings are
 * kept in store, which must have len + 1 bytes and outlive obj. On error
 * returns -1 with a description such as "expected ':' at column 7" (no
 * "bad request: " prefix) in err. */
int json_parse_request(const char *line, size_t len, char *store, JObject *obj, char *err, size_t errlen);

/* The member named key, or NULL; an explicit null is returned as a member. */
const JMember *json_get(const JObject *o, const char *key);

/* The member named key, or NULL when it is absent or null: the view of a
 * command's arguments, where null means "not given". */
const JMember *json_arg(const JObject *o, const char *key);

/* Appends s as a JSON string literal in ASCII: '"', '\\', \n, \r and \t
 * escaped as such, other control bytes and bytes >= 0x7f as \u00XX. */
void buf_json_str(Buf *b, const char *s);
/* The same for the n bytes of s (which may hold NULs, written as \u0000). */
void buf_json_strn(Buf *b, const char *s, size_t n);

/* One member of a response object, written as ,"key":value. Keys are the
 * protocol's own plain ASCII names, so they are written as they are. */
void buf_member_key(Buf *b, const char *key); /* ,"key": and the caller writes the value */
void buf_member_int(Buf *b, const char *key, long long v);
void buf_member_str(Buf *b, const char *key, const char *v);
void buf_member_bool(Buf *b, const char *key, bool v);

/* The value of hex digit c (0-9, a-f, A-F), or -1: for \u escapes, and for
 * the hex "data" of send. */
int hexval(int c);

/* The response envelopes. body is the result members, each written as
 * ,"key":value (empty for none). */
void json_ok_response(Buf *b, long long id, const char *body, size_t bodylen);
void json_error_response(Buf *b, bool have_id, long long id, const char *errname, const char *msg);

#endif
