// The wire format of the agent protocol (targets/AGENT-PROTOCOL.md, sections
// 2 and 3): one flat JSON object per request line, one compact ASCII JSON
// object per response line.

package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// valueKind is the JSON type of a request member's value.
type valueKind int

const (
	kindNull valueKind = iota
	kindBool
	kindInt
	kindString
)

// value is one member value of a request: requests are flat, so a value is a
// string, an integer, a boolean or null.
type value struct {
	kind valueKind
	str  string
	num  int64
	b    bool
}

// request is a parsed request line: its members by name.
type request map[string]value

// parseRequest parses one request line. The error text follows "bad request: ".
func parseRequest(line []byte) (request, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, syntaxError(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("a request must be a JSON object")
	}
	req := request{}
	for dec.More() {
		tok, err = dec.Token()
		if err != nil {
			return nil, syntaxError(err)
		}
		key, ok := tok.(string)
		if !ok {
			return nil, errors.New("expected a member name")
		}
		if _, dup := req[key]; dup {
			return nil, fmt.Errorf("duplicate key %q", clip(key))
		}
		tok, err = dec.Token()
		if err != nil {
			return nil, syntaxError(err)
		}
		var v value
		switch t := tok.(type) {
		case json.Delim:
			return nil, fmt.Errorf("member %q: nested objects and arrays are not supported", clip(key))
		case nil:
			v = value{kind: kindNull}
		case bool:
			v = value{kind: kindBool, b: t}
		case string:
			v = value{kind: kindString, str: t}
		case json.Number:
			s := string(t)
			if strings.ContainsAny(s, ".eE") {
				return nil, fmt.Errorf("member %q: only integer numbers are supported", clip(key))
			}
			n, perr := strconv.ParseInt(s, 10, 64)
			if perr != nil {
				return nil, fmt.Errorf("member %q: integer out of range", clip(key))
			}
			v = value{kind: kindInt, num: n}
		default:
			return nil, fmt.Errorf("member %q: unsupported value", clip(key))
		}
		req[key] = v
	}
	if _, err = dec.Token(); err != nil { // the closing '}'
		return nil, syntaxError(err)
	}
	if _, err = dec.Token(); err != io.EOF {
		if err == nil {
			return nil, errors.New("text after the request object")
		}
		return nil, syntaxError(err)
	}
	return req, nil
}

func syntaxError(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("%s at offset %d", se.Error(), se.Offset)
	}
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return errors.New("unexpected end of line")
	}
	return err
}

// clip shortens a string that came from the harness for use in a message: at
// most 40 characters, non-printable characters as '?'.
func clip(s string) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n == 40 {
			b.WriteString("...")
			break
		}
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			r = '?'
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// response is an ordered list of result members; the "id" and "ok" members
// are added when it is written.
type response struct {
	keys []string
	vals []string // raw JSON
}

func (r *response) raw(key, rawJSON string) {
	r.keys = append(r.keys, key)
	r.vals = append(r.vals, rawJSON)
}
func (r *response) str(key, s string)       { r.raw(key, jsonString(s)) }
func (r *response) int(key string, n int64) { r.raw(key, strconv.FormatInt(n, 10)) }
func (r *response) bool(key string, b bool) { r.raw(key, strconv.FormatBool(b)) }
func (r *response) null(key string)         { r.raw(key, "null") }

func (r *response) strs(key string, list []string) {
	parts := make([]string, len(list))
	for i, s := range list {
		parts[i] = jsonString(s)
	}
	r.raw(key, "["+strings.Join(parts, ",")+"]")
}

// successLine is the response line for a request that succeeded.
func successLine(id int64, r *response) string {
	var b strings.Builder
	b.WriteString(`{"id":`)
	b.WriteString(strconv.FormatInt(id, 10))
	b.WriteString(`,"ok":true`)
	for i, k := range r.keys {
		b.WriteByte(',')
		b.WriteString(jsonString(k))
		b.WriteByte(':')
		b.WriteString(r.vals[i])
	}
	b.WriteByte('}')
	return b.String()
}

// errorLine is the response line for a failed request; id < 0 means the id is
// unknown ("id": null).
func errorLine(id int64, hasID bool, errname, msg string) string {
	idText := "null"
	if hasID {
		idText = strconv.FormatInt(id, 10)
	}
	return `{"id":` + idText + `,"ok":false,"errno":` + jsonString(errname) + `,"error":` + jsonString(msg) + `}`
}

// jsonString quotes s as a JSON string using only ASCII characters.
func jsonString(s string) string {
	const hexd = "0123456789abcdef"
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			b.WriteString(`\u00`)
			b.WriteByte(hexd[r>>4])
			b.WriteByte(hexd[r&15])
		case r < 0x80:
			b.WriteRune(r)
		default:
			writeU := func(u rune) {
				b.WriteString(`\u`)
				for shift := 12; shift >= 0; shift -= 4 {
					b.WriteByte(hexd[(u>>uint(shift))&15])
				}
			}
			if r >= 0x10000 {
				r -= 0x10000
				writeU(0xD800 + (r >> 10))
				writeU(0xDC00 + (r & 0x3FF))
			} else {
				writeU(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}
