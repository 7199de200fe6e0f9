// tcpct agent for ns-3's TCP (TcpSocketBase, ns-3 3.37 as Debian's libns3-dev ships it).
//
// One ns-3 node runs in real time (RealtimeSimulatorImpl) on the container's eth0: an FdNetDevice on an
// AF_PACKET socket bound to eth0, with eth0's MAC address, and ns-3's own IPv4/ARP/TCP on 192.0.2.2/24
// (InternetStackHelper, ChecksumEnabled=true), and IPv6 on 2001:db8::2/64 (no DAD, no router solicitations). The harness drives it over the agent
// protocol (targets/AGENT-PROTOCOL.md): line-delimited JSON on a Unix socket.
//
// Threads: the main thread runs Simulator::Run(). A control thread reads the Unix socket; each command
// is carried out inside the simulator as an event scheduled with ScheduleRealtimeNowWithContext (the
// realtime implementation's thread-safe entry) while the control thread waits for its result. All ns-3
// objects and the agent's socket table are touched only by the simulator thread. The only waits
// (accept, recv with timeoutMs) are loops in the control thread that ask the simulator again every few
// milliseconds and watch the control connection for a hang-up.
//
// States are read from the stack itself: TcpL4Protocol's "SocketList" attribute lists every TCP socket
// of the node (listeners, connections, forked SYN-RECEIVED children, TIME-WAIT), and each socket's
// TcpSocketBase::m_state (the traced value behind the "State" trace source) and m_endPoint give its
// state and addresses.

#include "json.h"

#include <ns3/boolean.h>
#include <ns3/callback.h>
#include <ns3/config.h>
#include <ns3/event-impl.h>
#include <ns3/fd-net-device.h>
#include <ns3/global-value.h>
#include <ns3/inet-socket-address.h>
#include <ns3/inet6-socket-address.h>
#include <ns3/internet-stack-helper.h>
#include <ns3/ipv4-end-point.h>
#include <ns3/ipv4-interface-address.h>
#include <ns3/ipv4.h>
#include <ns3/ipv6-end-point.h>
#include <ns3/ipv6-interface-address.h>
#include <ns3/ipv6.h>
#include <ns3/mac48-address.h>
#include <ns3/node.h>
#include <ns3/object-vector.h>
#include <ns3/packet.h>
#include <ns3/realtime-simulator-impl.h>
#include <ns3/rtt-estimator.h>
#include <ns3/simulator.h>
#include <ns3/string.h>
#include <ns3/tcp-l4-protocol.h>
#include <ns3/tcp-socket-base.h>
#include <ns3/tcp-socket-factory.h>
#include <ns3/uinteger.h>

#include <algorithm>
#include <arpa/inet.h>
#include <climits>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <deque>
#include <fcntl.h>
#include <functional>
#include <future>
#include <linux/if_packet.h>
#include <map>
#include <sstream>
#include <mutex>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <string>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>
#include <vector>

#ifndef TCPCT_NS3_VERSION
#define TCPCT_NS3_VERSION "3.37"
#endif

using namespace ns3;

namespace
{

const char* const AGENT_NAME = "tcpct-ns3-agent";
const char* const IFACE = "eth0";
const char* const LOCAL_IP = "192.0.2.2";
const char* const LOCAL_IP6 = "2001:db8::2"; // RFC 3849 documentation prefix, /64
const char* const LOCAL_MASK = "255.255.255.0";
const size_t MAX_LINE = 65536;
const int WAIT_POLL_MS = 2; // how often a waiting accept/recv asks the simulator again

// ---------------------------------------------------------------------------------------------
// Logging: every request, response and note on stderr, with CLOCK_MONOTONIC milliseconds.

std::mutex g_logMutex;

long long
MonoMs()
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<long long>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

void
LogLine(char mark, const std::string& text)
{
    std::string line = std::to_string(MonoMs()) + " " + mark + " ";
    for (unsigned char c : text)
    {
        if (c < 0x20 || c == 0x7f)
        {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            line += buf;
        }
        else
        {
            line += static_cast<char>(c);
        }
    }
    line += '\n';
    std::lock_guard<std::mutex> lock(g_logMutex);
    ssize_t off = 0;
    while (off < static_cast<ssize_t>(line.size()))
    {
        ssize_t n = write(2, line.data() + off, line.size() - off);
        if (n <= 0)
        {
            if (n < 0 && errno == EINTR)
            {
                continue;
            }
            break;
        }
        off += n;
    }
}

void
Note(const char* fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    LogLine('#', buf);
}

// ---------------------------------------------------------------------------------------------
// errno names (AGENT-PROTOCOL.md section 4): the first spelling where two names share a value.

struct ErrnoName
{
    int num;
    const char* name;
};

#define E(x)                                                                                       \
    {                                                                                              \
        x, #x                                                                                      \
    }
const ErrnoName ERRNO_NAMES[] = {
    E(EPERM),        E(ENOENT),          E(ESRCH),         E(EINTR),           E(EIO),
    E(ENXIO),        E(E2BIG),           E(ENOEXEC),       E(EBADF),           E(ECHILD),
    E(EAGAIN),       E(ENOMEM),          E(EACCES),        E(EFAULT),          E(EBUSY),
    E(EEXIST),       E(EXDEV),           E(ENODEV),        E(ENOTDIR),         E(EISDIR),
    E(EINVAL),       E(ENFILE),          E(EMFILE),        E(ENOTTY),          E(EFBIG),
    E(ENOSPC),       E(ESPIPE),          E(EROFS),         E(EMLINK),          E(EPIPE),
    E(EDOM),         E(ERANGE),          E(EDEADLK),       E(ENAMETOOLONG),    E(ENOLCK),
    E(ENOSYS),       E(ENOTEMPTY),       E(ELOOP),         E(ENOMSG),          E(EIDRM),
    E(ENOSTR),       E(ENODATA),         E(ETIME),         E(ENOSR),           E(ENONET),
    E(ENOLINK),      E(EPROTO),          E(EBADMSG),       E(EOVERFLOW),       E(EILSEQ),
    E(ERESTART),     E(EUSERS),          E(ENOTSOCK),      E(EDESTADDRREQ),    E(EMSGSIZE),
    E(EPROTOTYPE),   E(ENOPROTOOPT),     E(EPROTONOSUPPORT), E(ESOCKTNOSUPPORT), E(EOPNOTSUPP),
    E(EPFNOSUPPORT), E(EAFNOSUPPORT),    E(EADDRINUSE),    E(EADDRNOTAVAIL),   E(ENETDOWN),
    E(ENETUNREACH),  E(ENETRESET),       E(ECONNABORTED),  E(ECONNRESET),      E(ENOBUFS),
    E(EISCONN),      E(ENOTCONN),        E(ESHUTDOWN),     E(ETOOMANYREFS),    E(ETIMEDOUT),
    E(ECONNREFUSED), E(EHOSTDOWN),       E(EHOSTUNREACH),  E(EALREADY),        E(EINPROGRESS),
    E(ESTALE),       E(EDQUOT),          E(ECANCELED),     E(EOWNERDEAD),      E(ENOTRECOVERABLE),
};
#undef E

std::string
ErrnoName(int e)
{
    for (const auto& n : ERRNO_NAMES)
    {
        if (n.num == e)
        {
            return n.name;
        }
    }
    return "E" + std::to_string(e);
}

/// The POSIX error for an ns-3 Socket::SocketErrno.
int
PosixErrno(Socket::SocketErrno e)
{
    switch (e)
    {
    case Socket::ERROR_NOTERROR:
        return 0;
    case Socket::ERROR_ISCONN:
        return EISCONN;
    case Socket::ERROR_NOTCONN:
        return ENOTCONN;
    case Socket::ERROR_MSGSIZE:
        return EMSGSIZE;
    case Socket::ERROR_AGAIN:
        return EAGAIN;
    case Socket::ERROR_SHUTDOWN:
        return EPIPE;
    case Socket::ERROR_OPNOTSUPP:
        return EOPNOTSUPP;
    case Socket::ERROR_AFNOSUPPORT:
        return EAFNOSUPPORT;
    case Socket::ERROR_INVAL:
        return EINVAL;
    case Socket::ERROR_BADF:
        return EBADF;
    case Socket::ERROR_NOROUTETOHOST:
        return EHOSTUNREACH;
    case Socket::ERROR_NODEV:
        return ENODEV;
    case Socket::ERROR_ADDRNOTAVAIL:
        return EADDRNOTAVAIL;
    case Socket::ERROR_ADDRINUSE:
        return EADDRINUSE;
    default:
        return EIO;
    }
}

// ---------------------------------------------------------------------------------------------
// Reading TcpSocketBase's protected members. A pointer to a protected member formed through a derived
// class is a pointer to the base's member, usable on any TcpSocketBase: this reads the stack's own
// state and calls its own teardown routines, it changes nothing in ns-3.

struct Peek : public TcpSocketBase
{
    static TcpStates_t State(const TcpSocketBase& s)
    {
        return (s.*(&Peek::m_state)).Get();
    }

    static Ipv4EndPoint* EndPoint(const TcpSocketBase& s)
    {
        return s.*(&Peek::m_endPoint);
    }

    static Ipv6EndPoint* EndPoint6(const TcpSocketBase& s)
    {
        return s.*(&Peek::m_endPoint6);
    }

    /// Whether the socket is bound: an IPv4 or an IPv6 endpoint.
    static bool Bound(const TcpSocketBase& s)
    {
        return EndPoint(s) != nullptr || EndPoint6(s) != nullptr;
    }

    static bool ShutdownSent(const TcpSocketBase& s)
    {
        return s.*(&Peek::m_shutdownSend);
    }

    static bool EverConnected(const TcpSocketBase& s)
    {
        return s.*(&Peek::m_connected);
    }

    /// ns-3's own abort: sends RST, notifies the error close, frees the endpoint (TcpSocketBase::SendRST).
    static void SendRst(TcpSocketBase& s)
    {
        (s.*(&Peek::SendRST))();
    }

    /// Frees the endpoint without sending anything (TcpSocketBase::DeallocateEndPoint).
    static void Deallocate(TcpSocketBase& s)
    {
        (s.*(&Peek::DeallocateEndPoint))();
    }
};

struct StateName
{
    const char* rfc;
    const char* code;
};

StateName
RfcState(TcpSocket::TcpStates_t s)
{
    switch (s)
    {
    case TcpSocket::CLOSED:
        return {"CLOSED", "07"};
    case TcpSocket::LISTEN:
        return {"LISTEN", "0A"};
    case TcpSocket::SYN_SENT:
        return {"SYN-SENT", "02"};
    case TcpSocket::SYN_RCVD:
        return {"SYN-RECEIVED", "03"};
    case TcpSocket::ESTABLISHED:
        return {"ESTABLISHED", "01"};
    case TcpSocket::CLOSE_WAIT:
        return {"CLOSE-WAIT", "08"};
    case TcpSocket::LAST_ACK:
        return {"LAST-ACK", "09"};
    case TcpSocket::FIN_WAIT_1:
        return {"FIN-WAIT-1", "04"};
    case TcpSocket::FIN_WAIT_2:
        return {"FIN-WAIT-2", "05"};
    case TcpSocket::CLOSING:
        return {"CLOSING", "0B"};
    case TcpSocket::TIME_WAIT:
        return {"TIME-WAIT", "06"};
    default:
        return {"UNKNOWN", "00"};
    }
}

std::string
Ip4(Ipv4Address a)
{
    uint32_t v = a.Get();
    char buf[32];
    std::snprintf(buf,
                  sizeof buf,
                  "%u.%u.%u.%u",
                  (v >> 24) & 0xff,
                  (v >> 16) & 0xff,
                  (v >> 8) & 0xff,
                  v & 0xff);
    return buf;
}

std::string
Endpoint(Ipv4Address a, uint16_t port)
{
    return Ip4(a) + ":" + std::to_string(port);
}

/// "[2001:db8::2]:5000", the address as inet_ntop writes it.
std::string
Endpoint(Ipv6Address a, uint16_t port)
{
    uint8_t b[16];
    a.GetBytes(b);
    char text[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, b, text, sizeof text);
    return std::string("[") + text + "]:" + std::to_string(port);
}

std::string
LocalOf(const TcpSocketBase& s)
{
    if (Ipv6EndPoint* ep6 = Peek::EndPoint6(s))
    {
        return Endpoint(ep6->GetLocalAddress(), ep6->GetLocalPort());
    }
    Ipv4EndPoint* ep = Peek::EndPoint(s);
    return ep ? Endpoint(ep->GetLocalAddress(), ep->GetLocalPort()) : "0.0.0.0:0";
}

std::string
RemoteOf(const TcpSocketBase& s)
{
    if (Ipv6EndPoint* ep6 = Peek::EndPoint6(s))
    {
        return Endpoint(ep6->GetPeerAddress(), ep6->GetPeerPort());
    }
    Ipv4EndPoint* ep = Peek::EndPoint(s);
    return ep ? Endpoint(ep->GetPeerAddress(), ep->GetPeerPort()) : "0.0.0.0:0";
}

// ---------------------------------------------------------------------------------------------
// Answers.

struct Out
{
    bool ok{true};
    std::string body; // ",\"key\":value" pairs
    std::string errname;
    std::string errmsg;
    bool exitAfter{false};

    Out& Str(const char* k, const std::string& v)
    {
        body += ",\"";
        body += k;
        body += "\":";
        tcpct::AppendJsonString(body, v);
        return *this;
    }

    Out& Int(const char* k, long long v)
    {
        body += ",\"";
        body += k;
        body += "\":" + std::to_string(v);
        return *this;
    }

    Out& Bool(const char* k, bool v)
    {
        body += ",\"";
        body += k;
        body += v ? "\":true" : "\":false";
        return *this;
    }

    Out& Raw(const char* k, const std::string& json)
    {
        body += ",\"";
        body += k;
        body += "\":" + json;
        return *this;
    }

    Out& Fail(int err, const std::string& msg)
    {
        ok = false;
        errname = ErrnoName(err);
        errmsg = msg;
        return *this;
    }

    Out& FailName(const char* name, const std::string& msg)
    {
        ok = false;
        errname = name;
        errmsg = msg;
        return *this;
    }
};

std::string
Render(const std::string& idJson, const Out& o)
{
    std::string s = "{\"id\":" + idJson;
    if (o.ok)
    {
        s += ",\"ok\":true" + o.body + "}";
    }
    else
    {
        s += ",\"ok\":false,\"errno\":";
        tcpct::AppendJsonString(s, o.errname);
        s += ",\"error\":";
        tcpct::AppendJsonString(s, o.errmsg);
        s += "}";
    }
    return s;
}

std::string
Clip(const std::string& s)
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

// ---------------------------------------------------------------------------------------------
// Running code inside the simulator.

RealtimeSimulatorImpl* g_rt = nullptr;
uint32_t g_nodeId = 0;

class FnEvent : public EventImpl
{
  public:
    explicit FnEvent(std::function<void()> f)
        : m_f(std::move(f))
    {
    }

  protected:
    void Notify() override
    {
        m_f();
    }

  private:
    std::function<void()> m_f;
};

/// Runs f in the simulator thread, now in real time, and returns its result (control thread only).
template <typename R>
R
InSim(std::function<R()> f)
{
    std::promise<R> p;
    std::future<R> fut = p.get_future();
    g_rt->ScheduleRealtimeNowWithContext(g_nodeId, new FnEvent([&p, &f]() { p.set_value(f()); }));
    return fut.get();
}

// ---------------------------------------------------------------------------------------------
// The agent's sockets (simulator thread only).

Ptr<Node> g_node;
/// eth0's interface index in ns-3's Ipv4 and Ipv6 (0 is the loopback), set by BuildNode.
int32_t g_if4 = -1;
int32_t g_if6 = -1;
Ptr<TcpL4Protocol> g_tcp;

struct Info
{
    Ptr<TcpSocketBase> sock;                    // keeps every socket the agent has seen alive
    int soError{0};                             // pending error for getsockopt SO_ERROR
    bool reset{false};                          // the connection was reset or refused
    std::deque<Ptr<TcpSocketBase>> acceptQueue; // listeners: connections ns-3 announced, not accepted
    bool traced{false};
    bool recverr4{false};                       // IP_RECVERR: TcpSocketBase's IcmpCallback installed (protocol 5d)
    bool recverr6{false};                       // IPV6_RECVERR: its IcmpCallback6 installed
    std::deque<std::string> errorQueue;         // the ICMP errors ns-3 handed the socket, as errqueue entries
};

std::map<TcpSocketBase*, Info> g_info; // every socket the agent created or was handed by ns-3
std::map<int, Ptr<TcpSocketBase>> g_owned;

Info&
InfoOf(Ptr<Socket> s)
{
    TcpSocketBase* raw = dynamic_cast<TcpSocketBase*>(PeekPointer(s));
    Info& i = g_info[raw];
    if (!i.sock)
    {
        i.sock = Ptr<TcpSocketBase>(raw);
    }
    return i;
}

std::string
Describe(const TcpSocketBase& s)
{
    return LocalOf(s) + " " + RemoteOf(s);
}

void
OnState(TcpSocketBase* s, TcpSocket::TcpStates_t from, TcpSocket::TcpStates_t to)
{
    Note("ns-3 %s: %s -> %s",
         Describe(*s).c_str(),
         TcpSocket::TcpStateName[from],
         TcpSocket::TcpStateName[to]);
}

void
OnNormalClose(Ptr<Socket> s)
{
    Info& i = InfoOf(s);
    // NotifyNormalClose runs before the state changes: the state tells a reset or refusal (a RST in
    // SYN-SENT, SYN-RECEIVED, ESTABLISHED, FIN-WAIT-1/2) from a FIN (CLOSE-WAIT, TIME-WAIT).
    switch (Peek::State(*i.sock))
    {
    case TcpSocket::SYN_SENT:
        i.reset = true;
        i.soError = ECONNREFUSED;
        break;
    case TcpSocket::SYN_RCVD:
    case TcpSocket::ESTABLISHED:
    case TcpSocket::FIN_WAIT_1:
    case TcpSocket::FIN_WAIT_2:
        i.reset = true;
        i.soError = ECONNRESET;
        break;
    default:
        break;
    }
}

void
OnErrorClose(Ptr<Socket> s)
{
    Info& i = InfoOf(s);
    if (Peek::State(*i.sock) == TcpSocket::LAST_ACK)
    {
        i.soError = ETIMEDOUT; // LastAckTimeout gave up
    }
    else
    {
        i.reset = true;
        i.soError = ECONNRESET;
    }
}

void
OnConnected(Ptr<Socket>)
{
}

void
OnConnectFailed(Ptr<Socket> s)
{
    Info& i = InfoOf(s);
    if (i.soError == 0)
    {
        i.soError = ETIMEDOUT; // the SYN's retries ran out
    }
}

bool
OnConnectionRequest(Ptr<Socket>, const Address&)
{
    return true;
}

void TraceStates(Info& i);

// --- 5d. error reports: TcpSocketBase's IcmpCallback / IcmpCallback6 attributes, which its ForwardIcmp
// calls for every ICMP error the endpoint gets (ns-3's TCP itself does nothing else with it).

template <typename A>
void
QueueIcmp(TcpSocketBase* s, const char* origin, A source, uint8_t type, uint8_t code, uint32_t info)
{
    Info& i = g_info[s];
    if (i.errorQueue.size() >= 64)
    {
        return; // bounded, as a kernel's queue is by the receive buffer
    }
    std::ostringstream who;
    source.Print(who);
    std::string e = "{\"origin\":\"" + std::string(origin) + "\",\"type\":" + std::to_string(type) +
                    ",\"code\":" + std::to_string(code) + ",\"errno\":null,\"info\":" + std::to_string(info) +
                    ",\"offender\":";
    tcpct::AppendJsonString(e, who.str());
    i.errorQueue.push_back(e + "}");
    Note("ns-3 %s: ICMP%s error %u/%u queued for the application", Describe(*s).c_str(),
         std::string(origin) == "icmp6" ? "v6" : "", type, code);
}

void
OnIcmp4(TcpSocketBase* s, Ipv4Address source, uint8_t, uint8_t type, uint8_t code, uint32_t info)
{
    QueueIcmp(s, "icmp", source, type, code, info);
}

void
OnIcmp6(TcpSocketBase* s, Ipv6Address source, uint8_t, uint8_t type, uint8_t code, uint32_t info)
{
    QueueIcmp(s, "icmp6", source, type, code, info);
}

/// Installs (or removes) the socket's ICMP callbacks as its IP_RECVERR / IPV6_RECVERR say.
bool
InstallIcmpCallbacks(Ptr<TcpSocketBase> s, Info& i)
{
    CallbackValue v4 = i.recverr4 ? CallbackValue(MakeBoundCallback(&OnIcmp4, PeekPointer(s)))
                                  : CallbackValue(MakeNullCallback<void, Ipv4Address, uint8_t, uint8_t, uint8_t, uint32_t>());
    CallbackValue v6 = i.recverr6 ? CallbackValue(MakeBoundCallback(&OnIcmp6, PeekPointer(s)))
                                  : CallbackValue(MakeNullCallback<void, Ipv6Address, uint8_t, uint8_t, uint8_t, uint32_t>());
    return s->SetAttributeFailSafe("IcmpCallback", v4) && s->SetAttributeFailSafe("IcmpCallback6", v6);
}

void
OnNewConnection(TcpSocketBase* listener, Ptr<Socket> child, const Address&)
{
    Info& c = InfoOf(child);
    // an accepted socket takes the listener's IP_RECVERR / IPV6_RECVERR, as Linux's does, with callbacks of its own
    // (a copy of the listener's would queue the child's errors on the listener)
    c.recverr4 = g_info[listener].recverr4;
    c.recverr6 = g_info[listener].recverr6;
    InstallIcmpCallbacks(c.sock, c);
    TraceStates(c);
    g_info[listener].acceptQueue.push_back(c.sock);
    Note("ns-3 %s: connection ready to accept", Describe(*c.sock).c_str());
}

void
TraceStates(Info& i)
{
    if (!i.traced)
    {
        i.traced = i.sock->TraceConnectWithoutContext(
            "State",
            MakeBoundCallback(&OnState, PeekPointer(i.sock)));
    }
}

Ptr<TcpSocketBase>
NewSocket()
{
    Ptr<Socket> s = Socket::CreateSocket(g_node, TcpSocketFactory::GetTypeId());
    Info& i = InfoOf(s);
    s->SetCloseCallbacks(MakeCallback(&OnNormalClose), MakeCallback(&OnErrorClose));
    s->SetConnectCallback(MakeCallback(&OnConnected), MakeCallback(&OnConnectFailed));
    TraceStates(i);
    return i.sock;
}

int
Own(Ptr<TcpSocketBase> s)
{
    int n = 3;
    while (g_owned.count(n))
    {
        n++;
    }
    g_owned[n] = s;
    return n;
}

Ptr<TcpSocketBase>
Owned(long long n)
{
    auto it = g_owned.find(static_cast<int>(n));
    if (n < 0 || n > 1000000 || it == g_owned.end())
    {
        return nullptr;
    }
    return it->second;
}

Out
NotOwned(long long n)
{
    Out o;
    return o.Fail(EBADF, "sock " + std::to_string(n) + " is not a socket owned by the agent");
}

/// Runs {@code body} in the simulation on the socket the agent owns as number {@code sock}, with the Out it answers
/// with; a number it does not own is EBADF. Every command on one socket goes through here.
Out
OnOwned(long long sock, const std::function<Out(Ptr<TcpSocketBase>, Out&)>& body)
{
    return InSim<Out>([&]() {
        Out r;
        Ptr<TcpSocketBase> s = Owned(sock);
        if (!s)
        {
            return NotOwned(sock);
        }
        return body(s, r);
    });
}

/// The stack's abort: a listener or a socket without a connection is closed, anything else gets
/// ns-3's SendRST (RST, error close, endpoint freed), the routine ns-3 itself uses to abort.
void
Abort(Ptr<TcpSocketBase> s)
{
    TcpSocket::TcpStates_t st = Peek::State(*s);
    if (!Peek::Bound(*s))
    {
        return;
    }
    if (st == TcpSocket::LISTEN)
    {
        s->Close();
    }
    else if (st == TcpSocket::CLOSED)
    {
        Peek::Deallocate(*s);
    }
    else
    {
        Peek::SendRst(*s);
    }
}

// ---------------------------------------------------------------------------------------------
// Arguments.

struct Args
{
    const tcpct::JObject& o;

    const tcpct::JValue* Get(const char* name) const
    {
        auto it = o.find(name);
        if (it == o.end() || it->second.kind == tcpct::JValue::NUL)
        {
            return nullptr;
        }
        return &it->second;
    }

    bool Has(const char* name) const
    {
        return Get(name) != nullptr;
    }

    /// An integer argument; false (with out set) when missing-but-required, mistyped or out of range.
    bool IntArg(Out& out,
                const char* name,
                bool required,
                long long def,
                long long lo,
                long long hi,
                long long& v,
                bool allowBool = false) const
    {
        const tcpct::JValue* a = Get(name);
        if (!a)
        {
            if (required)
            {
                out.Fail(EINVAL, std::string("missing argument \"") + name + "\"");
                return false;
            }
            v = def;
            return true;
        }
        if (a->kind == tcpct::JValue::BOOLEAN && allowBool)
        {
            v = a->flag ? 1 : 0;
        }
        else if (a->kind != tcpct::JValue::INTEGER)
        {
            out.Fail(EINVAL, std::string("argument \"") + name + "\" must be an integer");
            return false;
        }
        else
        {
            v = a->num;
        }
        if (v < lo || v > hi)
        {
            out.Fail(EINVAL,
                     std::string("argument \"") + name + "\" must be between " +
                         std::to_string(lo) + " and " + std::to_string(hi));
            return false;
        }
        return true;
    }

    bool StrArg(Out& out, const char* name, bool required, const std::string& def, std::string& v)
        const
    {
        const tcpct::JValue* a = Get(name);
        if (!a)
        {
            if (required)
            {
                out.Fail(EINVAL, std::string("missing argument \"") + name + "\"");
                return false;
            }
            v = def;
            return true;
        }
        if (a->kind != tcpct::JValue::STRING)
        {
            out.Fail(EINVAL, std::string("argument \"") + name + "\" must be a string");
            return false;
        }
        v = a->str;
        return true;
    }
};

/// An address argument: IPv4, or IPv6 (v6 set).
struct IpArg
{
    bool v6{false};
    Ipv4Address a4;
    Ipv6Address a6;

    /// The socket address of this address and port.
    Address With(uint16_t port) const
    {
        return v6 ? Address(Inet6SocketAddress(a6, port)) : Address(InetSocketAddress(a4, port));
    }
};

/// Parses an address argument: dotted IPv4, an IPv4-mapped IPv6 address (as IPv4), or IPv6.
bool
ParseAddr(Out& out, const std::string& text, IpArg& ip)
{
    Ipv4Address& a = ip.a4;
    std::string t = text;
    if (t.size() >= 2 && t.front() == '[' && t.back() == ']')
    {
        t = t.substr(1, t.size() - 2);
    }
    struct in_addr a4;
    struct in6_addr a6;
    if (inet_pton(AF_INET, t.c_str(), &a4) == 1)
    {
        a = Ipv4Address(ntohl(a4.s_addr));
        return true;
    }
    if (inet_pton(AF_INET6, t.c_str(), &a6) == 1)
    {
        static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (std::memcmp(a6.s6_addr, mapped, 12) == 0)
        {
            uint32_t v;
            std::memcpy(&v, a6.s6_addr + 12, 4);
            a = Ipv4Address(ntohl(v));
            return true;
        }
        ip.v6 = true;
        ip.a6 = Ipv6Address(a6.s6_addr);
        return true;
    }
    out.Fail(EINVAL, "invalid IP address \"" + Clip(text) + "\"");
    return false;
}

bool
ParseHex(Out& out, const std::string& hex, std::vector<uint8_t>& bytes)
{
    if (hex.size() % 2)
    {
        out.Fail(EINVAL, "argument \"data\" must have an even number of hex digits");
        return false;
    }
    bytes.clear();
    for (size_t i = 0; i < hex.size(); i += 2)
    {
        int v = 0;
        for (size_t k = 0; k < 2; k++)
        {
            char c = hex[i + k];
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
                out.Fail(EINVAL, "argument \"data\" must be hex digits");
                return false;
            }
            v = v * 16 + d;
        }
        bytes.push_back(static_cast<uint8_t>(v));
    }
    return true;
}

std::string
Hex(const uint8_t* p, size_t n)
{
    static const char* digits = "0123456789abcdef";
    std::string s;
    s.reserve(2 * n);
    for (size_t i = 0; i < n; i++)
    {
        s += digits[p[i] >> 4];
        s += digits[p[i] & 15];
    }
    return s;
}

// ---------------------------------------------------------------------------------------------
// Socket options: the agent protocol's names mapped onto ns-3's TcpSocket attributes.

struct OptionDef
{
    const char* name;
    const char* attribute; // nullptr: ns-3 has no such option
    long long lo;
    long long hi;
    long long offset; // value given to ns-3 = protocol value + offset
};

const OptionDef OPTIONS[] = {
    {"SO_REUSEADDR", nullptr, 0, 0, 0},
    {"SO_KEEPALIVE", nullptr, 0, 0, 0},
    {"SO_RCVBUF", "RcvBufSize", 1, 0x7fffffff, 0},
    {"SO_SNDBUF", "SndBufSize", 1, 0x7fffffff, 0},
    {"SO_LINGER", nullptr, 0, 0, 0},
    {"TCP_NODELAY", "TcpNoDelay", 0, 1, 0},
    {"TCP_MAXSEG", "SegmentSize", 1, 65495, 0},
    // ns-3's ConnCount counts every SYN it sends, the first included; TCP_SYNCNT counts
    // retransmissions only. TCP_SYNCNT n is ConnCount n + 1.
    {"TCP_SYNCNT", "ConnCount", 1, 255, 1},
    {"TCP_LINGER2", nullptr, 0, 0, 0},
    {"TCP_USER_TIMEOUT", nullptr, 0, 0, 0},
    {"TCP_KEEPIDLE", nullptr, 0, 0, 0},
    {"TCP_KEEPINTVL", nullptr, 0, 0, 0},
    {"TCP_KEEPCNT", nullptr, 0, 0, 0},
    {"TCP_DEFER_ACCEPT", nullptr, 0, 0, 0},
    {"TCP_QUICKACK", nullptr, 0, 0, 0},
    {"TCP_WINDOW_CLAMP", nullptr, 0, 0, 0},
    // ns::Socket's own IP header settings (not attributes): TcpSocketBase tags its packets with them
    {"IP_TTL", "Socket::SetIpTtl", 0, 255, 0},
    {"IP_TOS", "Socket::SetIpTos", 0, 255, 0},
    {"IPV6_UNICAST_HOPS", "Socket::SetIpv6HopLimit", 0, 255, 0},
    {"IPV6_TCLASS", "Socket::SetIpv6Tclass", 0, 255, 0},
};

// Whether the option is one of Socket's IP header settings rather than an attribute.
bool
IsIpHeaderOption(const std::string& name)
{
    return name == "IP_TTL" || name == "IP_TOS" || name == "IPV6_UNICAST_HOPS" || name == "IPV6_TCLASS";
}

const OptionDef*
FindOption(const std::string& name)
{
    for (const auto& d : OPTIONS)
    {
        if (name == d.name)
        {
            return &d;
        }
    }
    return nullptr;
}

// ---------------------------------------------------------------------------------------------
// Commands. Each cmd* runs in the control thread; what touches ns-3 runs through InSim.

const char* const COMMANDS[] = {"hello",
                                "socket",
                                "setsockopt",
                                "getsockopt",
                                "listen",
                                "accept",
                                "connect",
                                "send",
                                "recv",
                                "shutdown",
                                "close",
                                "abort",
                                "states",
                                "reset",
                                "bye",
                                "errqueue",
                                "address",
                                "bind"};

int g_ctl = -1;

[[noreturn]] void ExitAgent(int status);

Out
CmdHello(const Args&)
{
    Out o;
    std::string cmds = "[";
    for (const char* c : COMMANDS)
    {
        if (cmds.size() > 1)
        {
            cmds += ",";
        }
        tcpct::AppendJsonString(cmds, c);
    }
    cmds += "]";
    o.Str("agent", AGENT_NAME)
        .Int("protocol", 1)
        .Str("stack", std::string("ns-3 ") + TCPCT_NS3_VERSION + " TcpSocketBase (real-time simulator, " +
                          "FdNetDevice on eth0)")
        .Str("probe", "agent")
        .Raw("commands", cmds)
        .Raw("hiddenStates", "[]")
        .Raw("families", "[\"inet\",\"inet6\"]");
    return o;
}

Out
CmdSocket(const Args& a)
{
    Out o;
    std::string family;
    if (!a.StrArg(o, "family", false, "inet", family))
    {
        return o;
    }
    // an ns-3 socket takes its family from its first Bind or Connect: inet6 needs nothing more here
    if (family != "inet" && family != "inet6")
    {
        return o.Fail(EINVAL, "argument \"family\" must be \"inet\" or \"inet6\"");
    }
    int n = InSim<int>([]() { return Own(NewSocket()); });
    return o.Int("sock", n);
}

Out
CmdSetsockopt(const Args& a)
{
    Out o;
    long long sock;
    long long value;
    std::string name;
    if (!a.IntArg(o, "sock", true, 0, LLONG_MIN, LLONG_MAX, sock) ||
        !a.StrArg(o, "name", true, "", name) ||
        !a.IntArg(o, "value", true, 0, LLONG_MIN, LLONG_MAX, value, true))
    {
        return o;
    }
    return OnOwned(sock, [&](Ptr<TcpSocketBase> s, Out& r) -> Out {
        if (name == "SO_ERROR")
        {
            return r.Fail(ENOPROTOOPT, "setsockopt(SO_ERROR): the option is read-only");
        }
        if (name == "IP_RECVERR" || name == "IPV6_RECVERR")
        {
            Info& i = g_info[PeekPointer(s)];
            (name == "IP_RECVERR" ? i.recverr4 : i.recverr6) = value != 0;
            if (!InstallIcmpCallbacks(s, i))
            {
                return r.Fail(EINVAL, "setsockopt(" + name + "): ns-3 rejected the IcmpCallback attribute");
            }
            return r;
        }
        const OptionDef* d = FindOption(name);
        if (!d)
        {
            return r.Fail(ENOPROTOOPT, "setsockopt: unknown option \"" + Clip(name) + "\"");
        }
        if (!d->attribute)
        {
            return r.Fail(ENOPROTOOPT,
                          "setsockopt(" + name + "): ns-3's TcpSocket has no such option");
        }
        if (value < d->lo || value > d->hi)
        {
            return r.Fail(EINVAL,
                          "setsockopt(" + name + "): value must be between " +
                              std::to_string(d->lo) + " and " + std::to_string(d->hi));
        }
        if (name == "TCP_MAXSEG" && Peek::State(*s) != TcpSocket::CLOSED)
        {
            // TcpSocketBase::SetSegSize aborts the process outside CLOSED.
            return r.Fail(EINVAL,
                          "setsockopt(TCP_MAXSEG): ns-3 sets the segment size only before the "
                          "connection starts");
        }
        bool ok = true;
        if (name == "IP_TTL")
        {
            s->SetIpTtl(static_cast<uint8_t>(value));
        }
        else if (name == "IP_TOS")
        {
            s->SetIpTos(static_cast<uint8_t>(value));
        }
        else if (name == "IPV6_UNICAST_HOPS")
        {
            s->SetIpv6HopLimit(static_cast<uint8_t>(value));
        }
        else if (name == "IPV6_TCLASS")
        {
            s->SetIpv6Tclass(static_cast<int>(value));
        }
        else if (name == "TCP_NODELAY")
        {
            ok = s->SetAttributeFailSafe(d->attribute, BooleanValue(value != 0));
        }
        else
        {
            ok = s->SetAttributeFailSafe(
                d->attribute,
                UintegerValue(static_cast<uint64_t>(value + d->offset)));
        }
        if (!ok)
        {
            return r.Fail(EINVAL, "setsockopt(" + name + "): ns-3 rejected the value");
        }
        return r;
    });
}

Out
CmdGetsockopt(const Args& a)
{
    Out o;
    long long sock;
    std::string name;
    if (!a.IntArg(o, "sock", true, 0, LLONG_MIN, LLONG_MAX, sock) ||
        !a.StrArg(o, "name", true, "", name))
    {
        return o;
    }
    return OnOwned(sock, [&](Ptr<TcpSocketBase> s, Out& r) -> Out {
        if (name == "IP_RECVERR" || name == "IPV6_RECVERR")
        {
            Info& i = g_info[PeekPointer(s)];
            return r.Int("value", (name == "IP_RECVERR" ? i.recverr4 : i.recverr6) ? 1 : 0);
        }
        if (name == "SO_ERROR")
        {
            Info& i = g_info[PeekPointer(s)];
            int e = i.soError;
            i.soError = 0;
            r.Int("value", e);
            if (e)
            {
                r.Str("error", ErrnoName(e));
            }
            else
            {
                r.Raw("error", "null");
            }
            return r;
        }
        const OptionDef* d = FindOption(name);
        if (!d)
        {
            return r.Fail(ENOPROTOOPT, "getsockopt: unknown option \"" + Clip(name) + "\"");
        }
        if (!d->attribute)
        {
            return r.Fail(ENOPROTOOPT,
                          "getsockopt(" + name + "): ns-3's TcpSocket has no such option");
        }
        if (IsIpHeaderOption(name))
        {
            long long v = name == "IP_TTL"              ? s->GetIpTtl()
                          : name == "IP_TOS"            ? s->GetIpTos()
                          : name == "IPV6_UNICAST_HOPS" ? s->GetIpv6HopLimit()
                                                        : s->GetIpv6Tclass();
            return r.Int("value", v);
        }
        if (name == "TCP_NODELAY")
        {
            BooleanValue b;
            s->GetAttribute(d->attribute, b);
            return r.Int("value", b.Get() ? 1 : 0);
        }
        UintegerValue u;
        s->GetAttribute(d->attribute, u);
        return r.Int("value", static_cast<long long>(u.Get()) - d->offset);
    });
}

/// bind(2) of an owned socket and nothing more (agent protocol 2, section 5a): Socket::Bind to addr and port, for a
/// connect from a given local address (section 5c). An address the node does not own is ns-3's error.
Out
CmdBind(const Args& a)
{
    Out o;
    long long sock;
    long long port;
    std::string addrText;
    IpArg addr;
    if (!a.IntArg(o, "sock", true, 0, LLONG_MIN, LLONG_MAX, sock) || !a.IntArg(o, "port", true, 0, 0, 65535, port) ||
        !a.StrArg(o, "addr", false, "0.0.0.0", addrText) || !ParseAddr(o, addrText, addr))
    {
        return o;
    }
    return OnOwned(sock, [&](Ptr<TcpSocketBase> s, Out& r) -> Out {
        if (s->Bind(addr.With(static_cast<uint16_t>(port))) != 0)
        {
            int e = PosixErrno(s->GetErrno());
            if (e == 0)
            {
                e = EINVAL;
            }
            return r.Fail(e, std::string("bind: ") + std::strerror(e));
        }
        return r.Str("local", LocalOf(*s));
    });
}

/// Gives eth0 one more address, addr/prefix, beside the one it starts with (agent protocol 5c): Ipv4::AddAddress or
/// Ipv6::AddAddress on the interface BuildNode made, as ip addr add does for a kernel. Its prefix is the first address's.
Out
CmdAddress(const Args& a)
{
    Out o;
    std::string addrText;
    long long prefix;
    IpArg addr;
    if (!a.StrArg(o, "addr", true, "", addrText) || !a.IntArg(o, "prefix", true, 0, 0, 128, prefix) || !ParseAddr(o, addrText, addr))
    {
        return o;
    }
    if (!addr.v6 && prefix > 32)
    {
        return o.Fail(EINVAL, "argument \"prefix\" is " + std::to_string(prefix) + ", more than an IPv4 address has");
    }
    return InSim<Out>([&]() {
        Out r;
        if (addr.v6)
        {
            Ptr<Ipv6> ipv6 = g_node->GetObject<Ipv6>();
            ipv6->AddAddress(g_if6, Ipv6InterfaceAddress(addr.a6, Ipv6Prefix(static_cast<uint8_t>(prefix))));
        }
        else
        {
            Ptr<Ipv4> ipv4 = g_node->GetObject<Ipv4>();
            uint32_t mask = prefix == 0 ? 0 : 0xffffffffu << (32 - prefix);
            ipv4->AddAddress(g_if4, Ipv4InterfaceAddress(addr.a4, Ipv4Mask(mask)));
        }
        return r;
    });
}

Out
CmdListen(const Args& a)
{
    Out o;
    long long port;
    long long backlog;
    long long sock = -1;
    std::string addrText;
    IpArg addr;
    if (!a.IntArg(o, "port", true, 0, 0, 65535, port) ||
        !a.IntArg(o, "backlog", false, 16, 0, 0x7fffffff, backlog) ||
        !a.StrArg(o, "addr", false, "0.0.0.0", addrText) ||
        (a.Has("sock") && !a.IntArg(o, "sock", true, 0, LLONG_MIN, LLONG_MAX, sock)))
    {
        return o;
    }
    if (!ParseAddr(o, addrText, addr))
    {
        return o;
    }
    // ns-3 has no listen backlog: every SYN to a listener forks a connection.
    bool given = a.Has("sock");
    return InSim<Out>([&]() {
        Out r;
        Ptr<TcpSocketBase> s;
        if (given)
        {
            s = Owned(sock);
            if (!s)
            {
                return NotOwned(sock);
            }
            if (Peek::Bound(*s) || Peek::State(*s) != TcpSocket::CLOSED)
            {
                return r.Fail(EINVAL, "bind: the socket is already bound");
            }
        }
        else
        {
            s = NewSocket();
        }
        s->SetAcceptCallback(MakeCallback(&OnConnectionRequest),
                             MakeBoundCallback(&OnNewConnection, PeekPointer(s)));
        if (s->Bind(addr.With(static_cast<uint16_t>(port))) != 0)
        {
            int e = PosixErrno(s->GetErrno());
            return r.Fail(e, std::string("bind: ") + std::strerror(e));
        }
        if (s->Listen() != 0)
        {
            int e = PosixErrno(s->GetErrno());
            if (!given)
            {
                Peek::Deallocate(*s);
            }
            return r.Fail(e, std::string("listen: ") + std::strerror(e));
        }
        int n = given ? static_cast<int>(sock) : Own(s);
        return r.Int("sock", n).Str("local", LocalOf(*s));
    });
}

/// Watches the control connection for a few milliseconds; exits the agent if the harness hung up.
void
PauseWatchingControl(int ms)
{
    struct pollfd p = {g_ctl, 0, 0}; // POLLHUP and POLLERR are always reported
    int rc = poll(&p, 1, ms);
    if (rc > 0 && (p.revents & (POLLHUP | POLLERR)))
    {
        Note("control connection closed during a wait; exiting");
        ExitAgent(0);
    }
}

/// Repeats attempt (in the simulator) until it is done or timeoutMs has passed.
bool
WaitFor(long long timeoutMs, const std::function<bool()>& attempt)
{
    long long deadline = MonoMs() + timeoutMs;
    for (;;)
    {
        if (InSim<bool>(attempt))
        {
            return true;
        }
        long long left = deadline - MonoMs();
        if (left <= 0)
        {
            return false;
        }
        PauseWatchingControl(static_cast<int>(std::min<long long>(left, WAIT_POLL_MS)));
    }
}

Out
CmdAccept(const Args& a)
{
    Out o;
    long long sock;
    long long timeoutMs;
    if (!a.IntArg(o, "sock", true, 0, LLONG_MIN, LLONG_MAX, sock) ||
        !a.IntArg(o, "timeoutMs", false, 1000, 0, 3600000, timeoutMs))
    {
        return o;
    }
    Out r;
    bool done = WaitFor(timeoutMs, [&]() {
        Ptr<TcpSocketBase> l = Owned(sock);
        if (!l)
        {
            r = NotOwned(sock);
            return true;
        }
        if (Peek::State(*l) != TcpSocket::LISTEN)
        {
            r = Out();
            r.Fail(EINVAL, "accept: the socket is not listening");
            return true;
        }
        Info& li = g_info[PeekPointer(l)];
        if (li.acceptQueue.empty())
        {
            return false;
        }
        Ptr<TcpSocketBase> c = li.acceptQueue.front();
        li.acceptQueue.pop_front();
        r = Out();
        r.Int("sock", Own(c)).Str("remote", RemoteOf(*c)).Str("local", LocalOf(*c));
        return true;
    });
    if (!done)
    {
        return o.Fail(EAGAIN,
                      "accept: no connection within " + std::to_string(timeoutMs) + " ms");
    }
    return r;
}

Out
CmdConnect(const Args& a)
{
    Out o;
    std::string addrText;
    long long port;
    long long localPort = -1;
    long long sock = -1;
    IpArg addr;
    if (!a.StrArg(o, "addr", true, "", addrText) ||
        !a.IntArg(o, "port", true, 0, 0, 65535, port) ||
        (a.Has("localPort") && !a.IntArg(o, "localPort", true, 0, 0, 65535, localPort)) ||
        (a.Has("sock") && !a.IntArg(o, "sock", true, 0, LLONG_MIN, LLONG_MAX, sock)))
    {
        return o;
    }
    if (!ParseAddr(o, addrText, addr))
    {
        return o;
    }
    bool given = a.Has("sock");
    return InSim<Out>([&]() {
        Out r;
        Ptr<TcpSocketBase> s;
        if (given)
        {
            s = Owned(sock);
            if (!s)
            {
                return NotOwned(sock);
            }
        }
        else
        {
            s = NewSocket();
        }
        if (localPort >= 0)
        {
            // ns-3 has no SO_REUSEADDR: a port still held (e.g. by TIME-WAIT) gives EADDRINUSE.
            Address any = addr.v6 ? Address(Inet6SocketAddress(Ipv6Address::GetAny(), static_cast<uint16_t>(localPort)))
                                  : Address(InetSocketAddress(Ipv4Address::GetAny(), static_cast<uint16_t>(localPort)));
            if (s->Bind(any) != 0)
            {
                int e = PosixErrno(s->GetErrno());
                return r.Fail(e, std::string("bind: ") + std::strerror(e));
            }
        }
        if (s->Connect(addr.With(static_cast<uint16_t>(port))) != 0)
        {
            int e = PosixErrno(s->GetErrno());
            if (e == 0)
            {
                e = EINVAL;
            }
            if (!given)
            {
                Peek::Deallocate(*s);
            }
            return r.Fail(e, std::string("connect: ") + std::strerror(e));
        }
        int n = given ? static_cast<int>(sock) : Own(s);
        TcpSocket::TcpStates_t st = Peek::State(*s);
        return r.Int("sock", n)
            .Str("local", LocalOf(*s))
            .Bool("inProgress", st == TcpSocket::SYN_SENT || st == TcpSocket::SYN_RCVD);
    });
}

/// "oob": true on send and recv (agent protocol 5b) gets ENOSYS: TcpSocketBase's Send and Recv abort on any flag
/// ("use of flags is not supported"), and it never sets or reads the urgent pointer; hello names no "oob" feature.
bool
NoUrgentData(Out& out, const Args& a, const char* call)
{
    long long oob;
    if (!a.IntArg(out, "oob", false, 0, 0, 1, oob, true))
    {
        return false;
    }
    if (oob)
    {
        out.Fail(ENOSYS, std::string(call) + " with oob: ns-3's TcpSocketBase has no urgent data (MSG_OOB)");
        return false;
    }
    return true;
}

Out
CmdSend(const Args& a)
{
    Out o;
    long long sock;
    std::string hex;
    std::vector<uint8_t> bytes;
    if (!a.IntArg(o, "sock", true, 0, LLONG_MIN, LLONG_MAX, sock) ||
        !a.StrArg(o, "data", true, "", hex) || !ParseHex(o, hex, bytes) || !NoUrgentData(o, a, "send"))
    {
        return o;
    }
    return OnOwned(sock, [&](Ptr<TcpSocketBase> s, Out& r) -> Out {
        Info& i = g_info[PeekPointer(s)];
        TcpSocket::TcpStates_t st = Peek::State(*s);
        if (Peek::ShutdownSent(*s))
        {
            // Checked first: TcpSocketBase::Send would queue the data before it refuses.
            return r.Fail(EPIPE, "send: the sending side is shut down");
        }
        if (st != TcpSocket::ESTABLISHED && st != TcpSocket::SYN_SENT &&
            st != TcpSocket::CLOSE_WAIT)
        {
            if (i.reset)
            {
                return r.Fail(ECONNRESET, "send: the connection was reset");
            }
            if (Peek::EverConnected(*s))
            {
                return r.Fail(EPIPE, std::string("send: the connection is in ") +
                                         TcpSocket::TcpStateName[st]);
            }
            return r.Fail(ENOTCONN, std::string("send: not connected (ns-3 state ") +
                                        TcpSocket::TcpStateName[st] + ")");
        }
        uint32_t room = s->GetTxAvailable();
        if (bytes.empty())
        {
            return r.Int("sent", 0);
        }
        if (room == 0)
        {
            return r.Fail(EAGAIN, "send: the send buffer is full");
        }
        uint32_t n = std::min<uint32_t>(room, static_cast<uint32_t>(bytes.size()));
        int rc = s->Send(Create<Packet>(bytes.data(), n), 0);
        if (rc < 0)
        {
            int e = PosixErrno(s->GetErrno());
            return r.Fail(e, std::string("send: ") + std::strerror(e));
        }
        return r.Int("sent", rc);
    });
}

Out
CmdRecv(const Args& a)
{
    Out o;
    long long sock;
    long long max;
    long long timeoutMs;
    if (!a.IntArg(o, "sock", true, 0, LLONG_MIN, LLONG_MAX, sock) ||
        !a.IntArg(o, "max", false, 65536, 1, 1048576, max) ||
        !a.IntArg(o, "timeoutMs", false, 1000, 0, 3600000, timeoutMs) || !NoUrgentData(o, a, "recv"))
    {
        return o;
    }
    Out r;
    bool done = WaitFor(timeoutMs, [&]() {
        r = Out();
        Ptr<TcpSocketBase> s = Owned(sock);
        if (!s)
        {
            r = NotOwned(sock);
            return true;
        }
        Info& i = g_info[PeekPointer(s)];
        TcpSocket::TcpStates_t st = Peek::State(*s);
        if (s->GetRxAvailable() > 0)
        {
            Ptr<Packet> p = s->Recv(static_cast<uint32_t>(max), 0);
            std::vector<uint8_t> buf(p ? p->GetSize() : 0);
            if (p && !buf.empty())
            {
                p->CopyData(buf.data(), static_cast<uint32_t>(buf.size()));
            }
            r.Str("data", Hex(buf.data(), buf.size())).Bool("eof", false);
            return true;
        }
        if (i.reset)
        {
            r.Fail(ECONNRESET, "recv: the connection was reset");
            return true;
        }
        if (s->GetRxBuffer()->Finished())
        {
            r.Str("data", "").Bool("eof", true); // the peer's FIN, every octet before it read
            return true;
        }
        if (st == TcpSocket::LISTEN || (st == TcpSocket::CLOSED && !Peek::EverConnected(*s)))
        {
            r.Fail(ENOTCONN, "recv: not connected");
            return true;
        }
        return false;
    });
    if (!done)
    {
        return o.Fail(EAGAIN, "recv: no data within " + std::to_string(timeoutMs) + " ms");
    }
    return r;
}

Out
CmdShutdown(const Args& a)
{
    Out o;
    long long sock;
    std::string how;
    if (!a.IntArg(o, "sock", true, 0, LLONG_MIN, LLONG_MAX, sock) ||
        !a.StrArg(o, "how", true, "", how))
    {
        return o;
    }
    if (how != "rd" && how != "wr" && how != "rdwr")
    {
        return o.Fail(EINVAL, "argument \"how\" must be \"rd\", \"wr\" or \"rdwr\"");
    }
    return OnOwned(sock, [&](Ptr<TcpSocketBase> s, Out& r) -> Out {
        TcpSocket::TcpStates_t st = Peek::State(*s);
        if (st == TcpSocket::LISTEN || st == TcpSocket::CLOSED)
        {
            return r.Fail(ENOTCONN, "shutdown: not connected");
        }
        if (how != "wr")
        {
            s->ShutdownRecv();
        }
        if (how != "rd")
        {
            s->ShutdownSend();
        }
        return r;
    });
}

Out
CmdClose(const Args& a, bool abort)
{
    Out o;
    long long sock;
    if (!a.IntArg(o, "sock", true, 0, LLONG_MIN, LLONG_MAX, sock))
    {
        return o;
    }
    return OnOwned(sock, [&](Ptr<TcpSocketBase> s, Out& r) -> Out {
        g_owned.erase(static_cast<int>(sock));
        if (abort)
        {
            Abort(s);
        }
        else
        {
            s->Close();
        }
        return r;
    });
}

Out
CmdStates(const Args&)
{
    return InSim<Out>([]() {
        Out r;
        ObjectVectorValue list;
        g_tcp->GetAttribute("SocketList", list);
        std::string eps = "[";
        for (auto it = list.Begin(); it != list.End(); ++it)
        {
            Ptr<TcpSocketBase> s = DynamicCast<TcpSocketBase>(it->second);
            if (!s || !Peek::Bound(*s))
            {
                continue; // created but never bound: no endpoint in the stack yet
            }
            StateName n = RfcState(Peek::State(*s));
            if (eps.size() > 1)
            {
                eps += ",";
            }
            eps += "{\"local\":";
            tcpct::AppendJsonString(eps, LocalOf(*s));
            eps += ",\"remote\":";
            tcpct::AppendJsonString(eps, RemoteOf(*s));
            eps += ",\"state\":";
            tcpct::AppendJsonString(eps, n.rfc);
            eps += ",\"code\":";
            tcpct::AppendJsonString(eps, n.code);
            eps += "}";
        }
        eps += "]";
        return r.Raw("endpoints", eps);
    });
}

Out
CmdReset(const Args&)
{
    return InSim<Out>([]() {
        Out r;
        int closed = static_cast<int>(g_owned.size());
        std::map<int, Ptr<TcpSocketBase>> owned;
        owned.swap(g_owned);
        for (auto& kv : owned)
        {
            Info& i = g_info[PeekPointer(kv.second)];
            // Connections ns-3 announced to a listener but nobody accepted belong to the listener.
            for (auto& c : i.acceptQueue)
            {
                Abort(c);
            }
            i.acceptQueue.clear();
            Abort(kv.second);
        }
        return r.Int("closed", closed);
    });
}

/// errqueue (protocol 5d): takes every entry off the socket's queue of ICMP errors ns-3 handed it.
Out
CmdErrqueue(const Args& a)
{
    Out o;
    long long sock;
    if (!a.IntArg(o, "sock", true, 0, LLONG_MIN, LLONG_MAX, sock))
    {
        return o;
    }
    return OnOwned(sock, [&](Ptr<TcpSocketBase> s, Out& r) -> Out {
        Info& i = g_info[PeekPointer(s)];
        std::string list = "[";
        for (const std::string& e : i.errorQueue)
        {
            list += (list.size() > 1 ? "," : "") + e;
        }
        i.errorQueue.clear();
        return r.Raw("errors", list + "]");
    });
}

Out
Dispatch(const std::string& cmd, const Args& a)
{
    if (cmd == "hello")
    {
        return CmdHello(a);
    }
    if (cmd == "socket")
    {
        return CmdSocket(a);
    }
    if (cmd == "setsockopt")
    {
        return CmdSetsockopt(a);
    }
    if (cmd == "errqueue")
    {
        return CmdErrqueue(a);
    }
    if (cmd == "getsockopt")
    {
        return CmdGetsockopt(a);
    }
    if (cmd == "listen")
    {
        return CmdListen(a);
    }
    if (cmd == "accept")
    {
        return CmdAccept(a);
    }
    if (cmd == "connect")
    {
        return CmdConnect(a);
    }
    if (cmd == "send")
    {
        return CmdSend(a);
    }
    if (cmd == "recv")
    {
        return CmdRecv(a);
    }
    if (cmd == "shutdown")
    {
        return CmdShutdown(a);
    }
    if (cmd == "close")
    {
        return CmdClose(a, false);
    }
    if (cmd == "abort")
    {
        return CmdClose(a, true);
    }
    if (cmd == "states")
    {
        return CmdStates(a);
    }
    if (cmd == "reset")
    {
        return CmdReset(a);
    }
    if (cmd == "bye")
    {
        Out o;
        o.exitAfter = true;
        return o;
    }
    if (cmd == "address")
    {
        return CmdAddress(a);
    }
    if (cmd == "bind")
    {
        return CmdBind(a);
    }
    Out o;
    return o.Fail(ENOSYS, "unknown command \"" + Clip(cmd) + "\"");
}

// ---------------------------------------------------------------------------------------------
// The control connection.

void
WriteAll(int fd, const std::string& s)
{
    size_t off = 0;
    while (off < s.size())
    {
        ssize_t n = send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
        if (n < 0)
        {
            if (errno == EINTR)
            {
                continue;
            }
            return; // the harness is gone; EOF on the next read ends the agent
        }
        off += static_cast<size_t>(n);
    }
}

void
Respond(const std::string& idJson, const Out& o)
{
    std::string line = Render(idJson, o);
    LogLine('>', line);
    WriteAll(g_ctl, line + "\n");
}

/// Handles one request line; returns false when the agent should exit afterwards (bye).
bool
HandleLine(std::string line)
{
    if (!line.empty() && line.back() == '\r')
    {
        line.pop_back();
    }
    if (line.find_first_not_of(" \t") == std::string::npos)
    {
        return true; // blank lines get no answer
    }
    LogLine('<', line);
    Out o;
    if (line.size() > MAX_LINE)
    {
        Respond("null", o.Fail(EPROTO, "bad request: line longer than 65536 bytes"));
        return true;
    }
    tcpct::JObject req;
    std::string why;
    if (!tcpct::ParseFlatObject(line, req, why))
    {
        Respond("null", o.Fail(EPROTO, "bad request: " + why));
        return true;
    }
    auto id = req.find("id");
    if (id == req.end() || id->second.kind != tcpct::JValue::INTEGER)
    {
        Respond("null", o.Fail(EPROTO, "bad request: missing or non-integer \"id\""));
        return true;
    }
    std::string idJson = std::to_string(id->second.num);
    auto cmd = req.find("cmd");
    if (cmd == req.end() || cmd->second.kind != tcpct::JValue::STRING)
    {
        Respond(idJson, o.Fail(EPROTO, "bad request: missing or non-string \"cmd\""));
        return true;
    }
    Args args{req};
    o = Dispatch(cmd->second.str, args);
    Respond(idJson, o);
    return !o.exitAfter;
}

void
ExitAgent(int status)
{
    // Close every owned socket the normal way (FIN, or RST where ns-3 decides so), give the simulator
    // a moment to put the segments on the wire, and leave without tearing ns-3 down.
    std::promise<void> done;
    std::future<void> f = done.get_future();
    g_rt->ScheduleRealtimeNowWithContext(g_nodeId, new FnEvent([&done]() {
                                             for (auto& kv : g_owned)
                                             {
                                                 kv.second->Close();
                                             }
                                             g_owned.clear();
                                             done.set_value();
                                         }));
    f.wait_for(std::chrono::milliseconds(500));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    Note("agent exits with status %d", status);
    _exit(status);
}

void
ServeControl()
{
    std::string buf;
    bool discarding = false; // inside a line longer than MAX_LINE
    char tmp[65536];
    for (;;)
    {
        size_t nl;
        while ((nl = buf.find('\n')) != std::string::npos)
        {
            std::string line = buf.substr(0, nl);
            buf.erase(0, nl + 1);
            if (discarding)
            {
                discarding = false;
                continue;
            }
            if (!HandleLine(line))
            {
                ExitAgent(0);
            }
        }
        if (!discarding && buf.size() > MAX_LINE + 1)
        {
            Out o;
            Respond("null", o.Fail(EPROTO, "bad request: line longer than 65536 bytes"));
            discarding = true;
        }
        if (discarding)
        {
            buf.clear();
        }
        ssize_t n = read(g_ctl, tmp, sizeof tmp);
        if (n < 0 && errno == EINTR)
        {
            continue;
        }
        if (n <= 0)
        {
            Note(n == 0 ? "harness closed the control connection" : "control connection failed");
            ExitAgent(0);
        }
        buf.append(tmp, static_cast<size_t>(n));
    }
}

// ---------------------------------------------------------------------------------------------
// Start-up.

void
OnSignal(int)
{
    _exit(0);
}

int
OpenControl(const std::string& path)
{
    int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (l < 0)
    {
        Note("socket(AF_UNIX): %s", std::strerror(errno));
        return -1;
    }
    struct sockaddr_un sa;
    std::memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    if (path.size() >= sizeof sa.sun_path)
    {
        Note("control socket path too long: %s", path.c_str());
        return -1;
    }
    std::memcpy(sa.sun_path, path.c_str(), path.size());
    unlink(path.c_str());
    if (bind(l, reinterpret_cast<struct sockaddr*>(&sa), sizeof sa) < 0)
    {
        Note("bind(%s): %s", path.c_str(), std::strerror(errno));
        return -1;
    }
    chmod(path.c_str(), 0666);
    if (listen(l, 1) < 0)
    {
        Note("listen(%s): %s", path.c_str(), std::strerror(errno));
        return -1;
    }
    Note("waiting for the harness on %s", path.c_str());
    int c;
    do
    {
        c = accept4(l, nullptr, nullptr, SOCK_CLOEXEC);
    } while (c < 0 && errno == EINTR);
    int saved = errno;
    close(l);
    unlink(path.c_str());
    if (c < 0)
    {
        Note("accept(%s): %s", path.c_str(), std::strerror(saved));
        return -1;
    }
    Note("harness connected");
    return c;
}

/// Opens eth0 for the FdNetDevice: an AF_PACKET socket for every protocol, bound to eth0. Waits a
/// little for eth0 to appear, since the harness moves the veth end in after starting the container.
int
OpenWire(Mac48Address& mac)
{
    unsigned idx = 0;
    for (int i = 0; i < 1000 && (idx = if_nametoindex(IFACE)) == 0; i++)
    {
        usleep(10000);
    }
    if (idx == 0)
    {
        Note("no interface %s after 10 s", IFACE);
        return -1;
    }
    int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
    if (fd < 0)
    {
        Note("socket(AF_PACKET): %s (the container needs the NET_RAW capability)",
             std::strerror(errno));
        return -1;
    }
    struct ifreq ifr;
    std::memset(&ifr, 0, sizeof ifr);
    std::strncpy(ifr.ifr_name, IFACE, IFNAMSIZ - 1);
    if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
    {
        Note("SIOCGIFHWADDR %s: %s", IFACE, std::strerror(errno));
        return -1;
    }
    uint8_t m[6];
    std::memcpy(m, ifr.ifr_hwaddr.sa_data, 6);
    mac.CopyFrom(m);
    struct sockaddr_ll ll;
    std::memset(&ll, 0, sizeof ll);
    ll.sll_family = AF_PACKET;
    ll.sll_protocol = htons(ETH_P_ALL);
    ll.sll_ifindex = static_cast<int>(idx);
    if (bind(fd, reinterpret_cast<struct sockaddr*>(&ll), sizeof ll) < 0)
    {
        Note("bind(AF_PACKET, %s): %s", IFACE, std::strerror(errno));
        return -1;
    }
    char text[32];
    std::snprintf(text,
                  sizeof text,
                  "%02x:%02x:%02x:%02x:%02x:%02x",
                  m[0],
                  m[1],
                  m[2],
                  m[3],
                  m[4],
                  m[5]);
    Note("%s: ifindex %u, MAC %s, AF_PACKET socket %d", IFACE, idx, text, fd);
    return fd;
}

void
BuildNode(int wireFd, Mac48Address mac)
{
    g_node = CreateObject<Node>();
    g_nodeId = g_node->GetId();

    Ptr<FdNetDevice> dev = CreateObject<FdNetDevice>();
    dev->SetAddress(mac);
    g_node->AddDevice(dev);
    dev->SetFileDescriptor(wireFd);

    // IPv6 without duplicate address detection (no DAD for the link-local or the global address); ns-3 has no MLD.
    Config::SetDefault("ns3::Icmpv6L4Protocol::DAD", BooleanValue(false));
    InternetStackHelper stack;
    stack.Install(g_node);

    Ptr<Ipv4> ipv4 = g_node->GetObject<Ipv4>();
    int32_t ifIndex = ipv4->AddInterface(dev);
    g_if4 = ifIndex;
    ipv4->AddAddress(ifIndex,
                     Ipv4InterfaceAddress(Ipv4Address(LOCAL_IP), Ipv4Mask(LOCAL_MASK)));
    ipv4->SetMetric(ifIndex, 1);
    ipv4->SetUp(ifIndex);

    Ptr<Ipv6> ipv6 = g_node->GetObject<Ipv6>();
    int32_t if6 = ipv6->AddInterface(dev);
    g_if6 = if6;
    ipv6->AddAddress(if6, Ipv6InterfaceAddress(Ipv6Address(LOCAL_IP6), Ipv6Prefix(64)));
    ipv6->SetMetric(if6, 1);
    // SetUp gives the interface a link-local address and schedules the end of its (skipped) DAD, which sends router
    // solicitations from a host's interface; a forwarding one sends none. Nothing is routed: eth0 is the only interface.
    ipv6->SetForwarding(if6, true);
    ipv6->SetUp(if6);

    g_tcp = g_node->GetObject<TcpL4Protocol>();
}

/// Prints ns-3's defaults that shape what the harness measures (for the README).
void
PrintDefaults()
{
    struct Item
    {
        const char* type;
        const char* attribute;
    };

    const Item items[] = {
        {"ns3::TcpSocket", "ConnTimeout"},
        {"ns3::TcpSocket", "ConnCount"},
        {"ns3::TcpSocket", "DataRetries"},
        {"ns3::TcpSocket", "DelAckTimeout"},
        {"ns3::TcpSocket", "DelAckCount"},
        {"ns3::TcpSocket", "TcpNoDelay"},
        {"ns3::TcpSocket", "SegmentSize"},
        {"ns3::TcpSocket", "SndBufSize"},
        {"ns3::TcpSocket", "RcvBufSize"},
        {"ns3::TcpSocket", "InitialCwnd"},
        {"ns3::TcpSocket", "PersistTimeout"},
        {"ns3::TcpSocketBase", "MinRto"},
        {"ns3::TcpSocketBase", "ClockGranularity"},
        {"ns3::TcpSocketBase", "MaxSegLifetime"},
        {"ns3::TcpSocketBase", "MaxWindowSize"},
        {"ns3::TcpSocketBase", "WindowScaling"},
        {"ns3::TcpSocketBase", "Sack"},
        {"ns3::TcpSocketBase", "Timestamp"},
        {"ns3::TcpSocketBase", "UseEcn"},
        {"ns3::TcpL4Protocol", "SocketType"},
        {"ns3::TcpL4Protocol", "RttEstimatorType"},
        {"ns3::RttEstimator", "InitialEstimation"},
    };
    for (const auto& it : items)
    {
        TypeId tid = TypeId::LookupByName(it.type);
        TypeId::AttributeInformation info;
        if (tid.LookupAttributeByName(it.attribute, &info))
        {
            std::printf("%s::%s = %s\n",
                        it.type,
                        it.attribute,
                        info.initialValue->SerializeToString(info.checker).c_str());
        }
    }
}

} // namespace

int
main(int argc, char** argv)
{
    std::string control;
    for (int i = 1; i < argc; i++)
    {
        std::string arg = argv[i];
        if (arg == "--control" && i + 1 < argc)
        {
            control = argv[++i];
        }
        else if (arg == "--version")
        {
            std::printf("%s protocol 1\n", AGENT_NAME);
            return 0;
        }
        else if (arg == "--defaults")
        {
            PrintDefaults();
            return 0;
        }
        else
        {
            std::fprintf(stderr,
                         "usage: agent --control PATH | --version | --defaults\n");
            return 2;
        }
    }
    if (control.empty())
    {
        std::fprintf(stderr, "usage: agent --control PATH | --version | --defaults\n");
        return 2;
    }

    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa;
    std::memset(&sa, 0, sizeof sa);
    sa.sa_handler = OnSignal;
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGHUP, &sa, nullptr);

    g_ctl = OpenControl(control);
    if (g_ctl < 0)
    {
        return 1;
    }
    Mac48Address mac;
    int wire = OpenWire(mac);
    if (wire < 0)
    {
        return 1;
    }

    GlobalValue::Bind("SimulatorImplementationType", StringValue("ns3::RealtimeSimulatorImpl"));
    GlobalValue::Bind("ChecksumEnabled", BooleanValue(true));
    BuildNode(wire, mac);
    g_rt = dynamic_cast<RealtimeSimulatorImpl*>(PeekPointer(Simulator::GetImplementation()));
    if (!g_rt)
    {
        Note("the simulator is not ns3::RealtimeSimulatorImpl");
        return 1;
    }
    Note("ns-3 %s node %u up: %s/24 on %s", TCPCT_NS3_VERSION, g_nodeId, LOCAL_IP, IFACE);

    std::thread control_thread(ServeControl);
    control_thread.detach();
    Simulator::Run(); // until the control thread ends the process
    return 0;
}
