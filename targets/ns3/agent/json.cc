// Flat JSON parsing and writing for the agent protocol. Strict: nested objects, arrays, fractions,
// exponents, duplicate keys, invalid escapes and raw control characters make a request malformed.
#include "json.h"

#include <cstdio>

namespace tcpct
{
namespace
{

class Parser
{
  public:
    explicit Parser(const std::string& text)
        : m_s(text)
    {
    }

    bool Object(JObject& out, std::string& why)
    {
        SkipWs();
        if (!Eat('{'))
        {
            return Fail(why, "expected '{'");
        }
        SkipWs();
        if (Eat('}'))
        {
            return End(why);
        }
        for (;;)
        {
            SkipWs();
            if (Peek() != '"')
            {
                return Fail(why, "expected a member name");
            }
            std::string key;
            if (!String(key, why))
            {
                return false;
            }
            size_t keyPos = m_pos;
            SkipWs();
            if (!Eat(':'))
            {
                return Fail(why, "expected ':'");
            }
            SkipWs();
            JValue v;
            if (!Value(v, why))
            {
                return false;
            }
            if (out.count(key))
            {
                m_pos = keyPos;
                return Fail(why, "duplicate member \"" + Printable(key) + "\"");
            }
            out[key] = v;
            SkipWs();
            if (Eat(','))
            {
                continue;
            }
            if (Eat('}'))
            {
                return End(why);
            }
            return Fail(why, "expected ',' or '}'");
        }
    }

  private:
    const std::string& m_s;
    size_t m_pos{0};

    int Peek() const
    {
        return m_pos < m_s.size() ? static_cast<unsigned char>(m_s[m_pos]) : -1;
    }

    bool Eat(char c)
    {
        if (Peek() == static_cast<unsigned char>(c))
        {
            m_pos++;
            return true;
        }
        return false;
    }

    void SkipWs()
    {
        while (Peek() == ' ' || Peek() == '\t' || Peek() == '\r' || Peek() == '\n')
        {
            m_pos++;
        }
    }

    bool Fail(std::string& why, const std::string& what) const
    {
        why = what + " at column " + std::to_string(m_pos + 1);
        return false;
    }

    bool End(std::string& why)
    {
        SkipWs();
        if (m_pos != m_s.size())
        {
            return Fail(why, "unexpected text after the object");
        }
        return true;
    }

    static std::string Printable(const std::string& s)
    {
        std::string o;
        for (size_t i = 0; i < s.size() && i < 40; i++)
        {
            unsigned char c = static_cast<unsigned char>(s[i]);
            o += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
        }
        if (s.size() > 40)
        {
            o += "...";
        }
        return o;
    }

    bool Literal(const char* word)
    {
        size_t n = std::char_traits<char>::length(word);
        if (m_s.compare(m_pos, n, word) == 0)
        {
            m_pos += n;
            return true;
        }
        return false;
    }

    bool Value(JValue& v, std::string& why)
    {
        int c = Peek();
        if (c == '"')
        {
            v.kind = JValue::STRING;
            return String(v.str, why);
        }
        if (c == '-' || (c >= '0' && c <= '9'))
        {
            v.kind = JValue::INTEGER;
            return Integer(v.num, why);
        }
        if (c == '{' || c == '[')
        {
            return Fail(why, "nested objects and arrays are not accepted");
        }
        if (Literal("true"))
        {
            v.kind = JValue::BOOLEAN;
            v.flag = true;
            return true;
        }
        if (Literal("false"))
        {
            v.kind = JValue::BOOLEAN;
            v.flag = false;
            return true;
        }
        if (Literal("null"))
        {
            v.kind = JValue::NUL;
            return true;
        }
        return Fail(why, "expected a value");
    }

    bool Integer(long long& out, std::string& why)
    {
        size_t start = m_pos;
        bool neg = Eat('-');
        if (Peek() < '0' || Peek() > '9')
        {
            return Fail(why, "expected a digit");
        }
        unsigned long long mag = 0;
        const unsigned long long limit = neg ? 9223372036854775808ULL : 9223372036854775807ULL;
        if (Peek() == '0')
        {
            m_pos++;
        }
        else
        {
            while (Peek() >= '0' && Peek() <= '9')
            {
                unsigned d = static_cast<unsigned>(Peek() - '0');
                if (mag > (limit - d) / 10)
                {
                    m_pos = start;
                    return Fail(why, "integer out of range");
                }
                mag = mag * 10 + d;
                m_pos++;
            }
        }
        if (Peek() == '.' || Peek() == 'e' || Peek() == 'E')
        {
            return Fail(why, "numbers with a fraction or an exponent are not accepted");
        }
        if (Peek() >= '0' && Peek() <= '9')
        {
            return Fail(why, "leading zeros are not accepted");
        }
        out = neg ? static_cast<long long>(0 - mag) : static_cast<long long>(mag);
        return true;
    }

    static void PutUtf8(std::string& o, uint32_t cp)
    {
        if (cp < 0x80)
        {
            o += static_cast<char>(cp);
        }
        else if (cp < 0x800)
        {
            o += static_cast<char>(0xC0 | (cp >> 6));
            o += static_cast<char>(0x80 | (cp & 0x3F));
        }
        else if (cp < 0x10000)
        {
            o += static_cast<char>(0xE0 | (cp >> 12));
            o += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            o += static_cast<char>(0x80 | (cp & 0x3F));
        }
        else
        {
            o += static_cast<char>(0xF0 | (cp >> 18));
            o += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            o += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            o += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }

    bool Hex4(uint32_t& v, std::string& why)
    {
        v = 0;
        for (int i = 0; i < 4; i++)
        {
            int c = Peek();
            int d;
            if (c >= '0' && c <= '9')
            {
                d = c - '0';
            }
            else if (c >= 'a' && c <= 'f')
            {
                d = c - 'a' + 10;
            }
            else if (c >= 'A' && c <= 'F')
            {
                d = c - 'A' + 10;
            }
            else
            {
                return Fail(why, "bad \\u escape");
            }
            v = v * 16 + static_cast<uint32_t>(d);
            m_pos++;
        }
        return true;
    }

    bool String(std::string& out, std::string& why)
    {
        m_pos++; // the opening quote
        out.clear();
        for (;;)
        {
            int c = Peek();
            if (c < 0)
            {
                return Fail(why, "unterminated string");
            }
            if (c < 0x20)
            {
                return Fail(why, "control character in a string");
            }
            m_pos++;
            if (c == '"')
            {
                return true;
            }
            if (c != '\\')
            {
                out += static_cast<char>(c);
                continue;
            }
            int e = Peek();
            m_pos++;
            switch (e)
            {
            case '"':
                out += '"';
                break;
            case '\\':
                out += '\\';
                break;
            case '/':
                out += '/';
                break;
            case 'b':
                out += '\b';
                break;
            case 'f':
                out += '\f';
                break;
            case 'n':
                out += '\n';
                break;
            case 'r':
                out += '\r';
                break;
            case 't':
                out += '\t';
                break;
            case 'u': {
                uint32_t cp;
                if (!Hex4(cp, why))
                {
                    return false;
                }
                if (cp >= 0xD800 && cp <= 0xDBFF)
                {
                    uint32_t lo;
                    if (!(Eat('\\') && Eat('u')))
                    {
                        return Fail(why, "lone surrogate in \\u escape");
                    }
                    if (!Hex4(lo, why))
                    {
                        return false;
                    }
                    if (lo < 0xDC00 || lo > 0xDFFF)
                    {
                        return Fail(why, "lone surrogate in \\u escape");
                    }
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                }
                else if (cp >= 0xDC00 && cp <= 0xDFFF)
                {
                    return Fail(why, "lone surrogate in \\u escape");
                }
                PutUtf8(out, cp);
                break;
            }
            default:
                m_pos--;
                return Fail(why, "bad escape in a string");
            }
        }
    }
};

} // namespace

bool
ParseFlatObject(const std::string& text, JObject& out, std::string& why)
{
    Parser p(text);
    out.clear();
    return p.Object(out, why);
}

void
AppendJsonString(std::string& out, const std::string& s)
{
    out += '"';
    size_t i = 0;
    while (i < s.size())
    {
        unsigned char c = static_cast<unsigned char>(s[i]);
        char buf[16];
        if (c == '"' || c == '\\')
        {
            out += '\\';
            out += static_cast<char>(c);
            i++;
        }
        else if (c < 0x20 || c == 0x7f)
        {
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
            i++;
        }
        else if (c < 0x80)
        {
            out += static_cast<char>(c);
            i++;
        }
        else
        {
            // Decode one UTF-8 sequence; a byte that does not start a valid one is written as U+FFFD.
            uint32_t cp = 0xFFFD;
            size_t len = 1;
            if ((c & 0xE0) == 0xC0 && i + 1 < s.size())
            {
                cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu);
                len = 2;
            }
            else if ((c & 0xF0) == 0xE0 && i + 2 < s.size())
            {
                cp = ((c & 0x0Fu) << 12) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 6) |
                     (static_cast<unsigned char>(s[i + 2]) & 0x3Fu);
                len = 3;
            }
            else if ((c & 0xF8) == 0xF0 && i + 3 < s.size())
            {
                cp = ((c & 0x07u) << 18) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 12) |
                     ((static_cast<unsigned char>(s[i + 2]) & 0x3Fu) << 6) |
                     (static_cast<unsigned char>(s[i + 3]) & 0x3Fu);
                len = 4;
            }
            if (cp >= 0x10000)
            {
                cp -= 0x10000;
                std::snprintf(buf,
                              sizeof buf,
                              "\\u%04x\\u%04x",
                              0xD800 + (cp >> 10),
                              0xDC00 + (cp & 0x3FF));
            }
            else
            {
                std::snprintf(buf, sizeof buf, "\\u%04x", cp);
            }
            out += buf;
            i += len;
        }
    }
    out += '"';
}

} // namespace tcpct
