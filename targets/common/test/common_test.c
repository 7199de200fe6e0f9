/*
 * common_test.c - unit test of targets/common, the C agents' shared plumbing.
 *
 *   sh targets/common/test/run.sh      (compiles this with ../agent_*.c, runs it)
 *
 * Checks the exact bytes the agents depend on: what the request reader
 * accepts and the wording of what it rejects, string escaping, the response
 * envelopes, errno names, request framing (the 65536-byte limit, blank lines,
 * the last line at EOF) and state names. Prints one line per failed check
 * ("expecting X, but was Y") and exits 1 if any failed.
 */
#include "agent_buf.h"
#include "agent_errno.h"
#include "agent_json.h"
#include "agent_lines.h"
#include "agent_states.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int g_failed, g_passed;

static void expect_str(const char *what, const char *want, const char *got)
{
    if (got && strcmp(want, got) == 0) {
        g_passed++;
        return;
    }
    g_failed++;
    printf("FAIL %s: expecting \"%s\", but was \"%s\"\n", what, want, got ? got : "(null)");
}

static void expect_int(const char *what, long long want, long long got)
{
    char w[32], g[32];
    snprintf(w, sizeof w, "%lld", want);
    snprintf(g, sizeof g, "%lld", got);
    expect_str(what, w, g);
}

/* Parses line; returns "ok" or the reader's error text. */
static const char *parse(const char *line, JObject *obj, char *store, char *err, size_t errlen)
{
    if (json_parse_request(line, strlen(line), store, obj, err, errlen) < 0)
        return err;
    return "ok";
}

static void test_reader(void)
{
    static const struct {
        const char *line, *want;
    } CASES[] = {
        { "{\"id\":1,\"cmd\":\"hello\"}", "ok" },
        { " {\"id\" : -9223372036854775808 , \"cmd\":\"x\"} ", "ok" },
        { "{}", "ok" },
        { "not json", "not a JSON object at column 1" },
        { "{\"id\":5", "expected ',' or '}' at column 8" },
        { "{\"id\":6,\"id\":7}", "duplicate key at column 9" },
        { "{\"id\":007}", "invalid number (leading zero) at column 7" },
        { "{\"id\":1.5}", "only integer numbers are supported at column 8" },
        { "{\"id\":9223372036854775808}", "integer out of range at column 25" },
        { "{\"a\":[1]}", "nested objects and arrays are not supported at column 6" },
        { "{\"a\":\"\\x\"}", "invalid escape in string at column 8" },
        { "{\"a\":\"\\ud800\"}", "unpaired surrogate in \\u escape at column 13" },
        { "{\"a\":\"\\u12zz\"}", "invalid \\u escape at column 9" },
        { "{\"a\":\"\x01\"}", "control character in string at column 7" },
        { "{\"a\":tru}", "invalid value at column 6" },
        { "{\"a\":1,}", "expected a string at column 8" },
        { "{\"a\":1} x", "trailing characters after the object at column 9" },
        { "{a:1}", "expected a string at column 2" },
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        JObject obj;
        char store[256], err[200], what[300];
        snprintf(what, sizeof what, "reading %s", CASES[i].line);
        expect_str(what, CASES[i].want, parse(CASES[i].line, &obj, store, err, sizeof err));
    }

    JObject obj;
    char store[256], err[200];
    parse("{\"id\":42,\"cmd\":\"n\\u00e9\\ud83d\\ude00\",\"x\":null,\"b\":true,\"z\":\"a\\u0000b\"}", &obj, store,
          err, sizeof err);
    expect_int("members read", 5, obj.n);
    expect_int("id", 42, json_get(&obj, "id")->num);
    expect_str("a \\u escape decoded to UTF-8", "n\xc3\xa9\xf0\x9f\x98\x80", json_get(&obj, "cmd")->str);
    expect_int("an explicit null is a member for json_get", JV_NULL, json_get(&obj, "x")->type);
    expect_int("an explicit null is absent for json_arg", 1, json_arg(&obj, "x") == NULL);
    expect_int("true is a boolean 1", 1, json_get(&obj, "b")->num);
    expect_int("a string may hold a NUL (length)", 3, (long long)json_get(&obj, "z")->slen);
    expect_int("an absent key", 1, json_get(&obj, "nope") == NULL);
}

static void test_writer(void)
{
    Buf b = { 0 };
    buf_json_str(&b, "q\"b\\n\n\r\t\x01\x7f\xc3");
    expect_str("escaping", "\"q\\\"b\\\\n\\n\\r\\t\\u0001\\u007f\\u00c3\"", b.p);
    buf_reset(&b);
    buf_json_strn(&b, "a\0b", 3);
    expect_str("escaping with a NUL", "\"a\\u0000b\"", b.p);
    buf_reset(&b);
    Buf body = { 0 };
    buf_member_int(&body, "sock", 3);
    buf_member_str(&body, "local", "192.0.2.2:5000");
    buf_member_bool(&body, "eof", true);
    json_ok_response(&b, 7, body.p, body.len);
    expect_str("ok envelope", "{\"id\":7,\"ok\":true,\"sock\":3,\"local\":\"192.0.2.2:5000\",\"eof\":true}", b.p);
    buf_reset(&b);
    json_ok_response(&b, 8, "", 0);
    expect_str("ok envelope without members", "{\"id\":8,\"ok\":true}", b.p);
    buf_reset(&b);
    json_error_response(&b, false, 0, "EPROTO", "bad request: \"x\"");
    expect_str("error envelope without id",
               "{\"id\":null,\"ok\":false,\"errno\":\"EPROTO\",\"error\":\"bad request: \\\"x\\\"\"}", b.p);
    buf_reset(&b);
    json_error_response(&b, true, -1, "EBADF", "m");
    expect_str("error envelope", "{\"id\":-1,\"ok\":false,\"errno\":\"EBADF\",\"error\":\"m\"}", b.p);
    buf_free(&b);
    buf_free(&body);
}

static void test_errno(void)
{
    char tmp[16];
    expect_str("ECONNRESET", "ECONNRESET", errno_name(ECONNRESET, tmp, sizeof tmp));
    expect_str("EAGAIN, not EWOULDBLOCK", "EAGAIN", errno_name(EWOULDBLOCK, tmp, sizeof tmp));
    expect_str("EOPNOTSUPP, not ENOTSUP", "EOPNOTSUPP", errno_name(ENOTSUP, tmp, sizeof tmp));
    expect_str("a value without a name", "E135", errno_name(135, tmp, sizeof tmp));
    expect_int("errno_lookup of a value without a name", 1, errno_lookup(135) == NULL);
}

/* Feeds s to r and writes what lines_next hands out as "[line]" or "TOO_LONG". */
static void drain(LineReader *r, Buf *log)
{
    char *line;
    size_t len;
    LinesResult res;
    while ((res = lines_next(r, &line, &len)) != LINES_NONE) {
        if (res == LINES_TOO_LONG) {
            buf_puts(log, "TOO_LONG ");
            continue;
        }
        buf_printf(log, "[%.*s] ", (int)len, line);
        free(line);
    }
}

static void test_lines(void)
{
    LineReader r = { 0 };
    Buf log = { 0 };
    lines_feed(&r, "a\nb", 3);
    drain(&r, &log);
    lines_feed(&r, "c\r\n\n", 4);
    drain(&r, &log);
    expect_str("lines cut at '\\n', across reads", "[a] [bc\r] [] ", log.p);

    /* a line of exactly 65536 bytes is read; one byte more is too long, once */
    enum { MAX = 65536 }; /* the protocol's number, not LINE_MAX_BYTES: this checks it */
    expect_str("the too-long message", "bad request: line longer than 65536 bytes", LINES_TOO_LONG_MSG);
    char *big = malloc(MAX + 2);
    memset(big, 'x', MAX + 1);
    buf_reset(&log);
    lines_feed(&r, big, MAX);
    lines_feed(&r, "\n", 1);
    drain(&r, &log);
    expect_int("a 65536-byte line is handed out", MAX + 3, (long long)log.len);
    buf_reset(&log);
    lines_feed(&r, big, MAX + 1);
    drain(&r, &log);
    lines_feed(&r, big, 1000);
    drain(&r, &log);
    lines_feed(&r, "\nok\n", 4);
    drain(&r, &log);
    expect_str("a 65537-byte line: one TOO_LONG, skipped up to its '\\n'", "TOO_LONG [ok] ", log.p);
    buf_reset(&log);
    big[MAX + 1] = '\n';
    lines_feed(&r, big, MAX + 2);
    drain(&r, &log);
    expect_str("a 65537-byte line arriving whole", "TOO_LONG ", log.p);
    free(big);

    size_t len = 0;
    lines_feed(&r, "{\"id\":1}", 8);
    drain(&r, &log);
    char *rest = lines_rest(&r, &len);
    expect_str("the last line at EOF", "{\"id\":1}", rest);
    free(rest);
    expect_int("nothing after it", 1, lines_rest(&r, &len) == NULL);

    const char *l = " \t{\"id\":1} \r";
    size_t n = strlen(l);
    expect_int("a line with text is not blank", 1, line_trim(&l, &n));
    char trimmed[32];
    snprintf(trimmed, sizeof trimmed, "%.*s", (int)n, l);
    expect_str("trimmed", "{\"id\":1}", trimmed);
    l = " \t\r";
    n = strlen(l);
    expect_int("a blank line", 0, line_trim(&l, &n));
    buf_free(&log);
    buf_free(&r.in);
}

static void test_states(void)
{
    expect_str("state 0x01", "ESTABLISHED", tcp_state_name(0x01));
    expect_str("state 0x0A", "LISTEN", tcp_state_name(0x0A));
    expect_str("state 0x0C", "SYN-RECEIVED", tcp_state_name(0x0C));
    expect_str("state 0x0D", "UNKNOWN", tcp_state_name(0x0D));
}

int main(void)
{
    test_reader();
    test_writer();
    test_errno();
    test_lines();
    test_states();
    printf("%d passed, %d failed\n", g_passed, g_failed);
    return g_failed ? 1 : 0;
}
