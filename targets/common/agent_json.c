/*
 * agent_json.c - the agent protocol's request reader and response writer
 * (see agent_json.h).
 */
#include "agent_json.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

/* The reader's state over one line. */
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

int hexval(int c)
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
int json_parse_request(const char *line, size_t len, char *store, JObject *obj,
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
            if (obj->n == JSON_MAX_MEMBERS) {
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

const JMember *json_get(const JObject *o, const char *key)
{
    size_t kl = strlen(key);
    for (int i = 0; i < o->n; i++)
        if (o->m[i].klen == kl && memcmp(o->m[i].key, key, kl) == 0)
            return &o->m[i];
    return NULL;
}

const JMember *json_arg(const JObject *o, const char *key)
{
    const JMember *m = json_get(o, key);
    return (m && m->type != JV_NULL) ? m : NULL;
}

void buf_json_strn(Buf *b, const char *s, size_t n)
{
    buf_add(b, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': buf_add(b, "\\\"", 2); break;
        case '\\': buf_add(b, "\\\\", 2); break;
        case '\n': buf_add(b, "\\n", 2); break;
        case '\r': buf_add(b, "\\r", 2); break;
        case '\t': buf_add(b, "\\t", 2); break;
        default:
            if (c < 0x20 || c >= 0x7f)
                buf_printf(b, "\\u%04x", c);
            else
                buf_add(b, (const char *)&c, 1);
        }
    }
    buf_add(b, "\"", 1);
}

void buf_json_str(Buf *b, const char *s)
{
    buf_json_strn(b, s, strlen(s));
}

void buf_member_key(Buf *b, const char *key)
{
    buf_printf(b, ",\"%s\":", key);
}

void buf_member_int(Buf *b, const char *key, long long v)
{
    buf_printf(b, ",\"%s\":%lld", key, v);
}

void buf_member_str(Buf *b, const char *key, const char *v)
{
    buf_member_key(b, key);
    buf_json_str(b, v);
}

void buf_member_bool(Buf *b, const char *key, bool v)
{
    buf_printf(b, ",\"%s\":%s", key, v ? "true" : "false");
}

void json_ok_response(Buf *b, long long id, const char *body, size_t bodylen)
{
    buf_printf(b, "{\"id\":%lld,\"ok\":true", id);
    buf_add(b, body, bodylen);
    buf_puts(b, "}");
}

void json_error_response(Buf *b, bool have_id, long long id, const char *errname, const char *msg)
{
    if (have_id)
        buf_printf(b, "{\"id\":%lld", id);
    else
        buf_puts(b, "{\"id\":null");
    buf_printf(b, ",\"ok\":false,\"errno\":\"%s\",\"error\":", errname);
    buf_json_str(b, msg);
    buf_puts(b, "}");
}
