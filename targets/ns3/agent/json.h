// Flat JSON requests and compact JSON answers for the tcpct agent protocol (targets/AGENT-PROTOCOL.md,
// section 2): a request is one object whose values are strings, integers, true/false or null.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace tcpct
{

struct JValue
{
    enum Kind
    {
        STRING,
        INTEGER,
        BOOLEAN,
        NUL
    };

    Kind kind{NUL};
    std::string str;
    long long num{0};
    bool flag{false};
};

using JObject = std::map<std::string, JValue>;

/// Parses one request line. On failure returns false and sets why to "<what> at column N".
bool ParseFlatObject(const std::string& text, JObject& out, std::string& why);

/// Appends s to out as a JSON string literal, ASCII only (\uXXXX for everything else).
void AppendJsonString(std::string& out, const std::string& s);

} // namespace tcpct
