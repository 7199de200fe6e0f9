// The stack under test: a gVisor netstack with IPv4 (+ ARP), IPv6 and TCP, whose only
// NIC is eth0 reached through an AF_PACKET socket (the fdbased link endpoint).

package main

import (
	"fmt"
	"net"
	"time"

	"golang.org/x/sys/unix"
	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/link/fdbased"
	"gvisor.dev/gvisor/pkg/tcpip/network/arp"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv4"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv6"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
	"gvisor.dev/gvisor/pkg/tcpip/transport/tcp"
)

const (
	nicID = 1
	// linkName is the container's end of the harness's veth pair.
	linkName = "eth0"
	// The stack's address and subnet (RFC 5737 TEST-NET-1, documentation only).
	stackAddr   = "192.0.2.2"
	stackPrefix = 24
	// The IPv6 address and prefix (RFC 3849 documentation prefix 2001:db8::/32).
	stackAddr6   = "2001:db8::2"
	stackPrefix6 = 64
	// linkWait bounds the wait for eth0: the harness moves the veth end into
	// the container, renames it eth0 and sets it up after the container has
	// started, and waits 10 s for the control socket.
	linkWait = 9 * time.Second
)

// netstackInfo describes the running stack for logs and hello.
type netstackInfo struct {
	ifindex int
	mac     net.HardwareAddr
	mtu     int
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }

// waitForLink waits (bounded) until eth0 exists, is up and has a MAC address.
func waitForLink(name string, bound time.Duration) (*net.Interface, error) {
	deadline := time.Now().Add(bound)
	for {
		ifc, err := net.InterfaceByName(name)
		if err == nil && ifc.Flags&net.FlagUp != 0 && len(ifc.HardwareAddr) == 6 {
			return ifc, nil
		}
		if time.Now().After(deadline) {
			if err != nil {
				return nil, fmt.Errorf("no interface %s after %v: %v", name, bound, err)
			}
			return nil, fmt.Errorf("interface %s not up with a MAC address after %v (flags %v, MAC %q)", name, bound, ifc.Flags, ifc.HardwareAddr)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// openPacketSocket opens an AF_PACKET socket that sees every frame of the
// interface (needs CAP_NET_RAW). It is created with protocol 0, so it gets no
// frame at all before it is bound to the interface with ETH_P_ALL.
func openPacketSocket(ifindex int) (int, error) {
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("socket(AF_PACKET): %v (the container needs CAP_NET_RAW)", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ALL), Ifindex: ifindex}); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("bind(AF_PACKET, ifindex %d): %v", ifindex, err)
	}
	// The kernel already keeps a packet socket's own frames from it; this also
	// keeps any other outgoing frame of eth0 out of the stack's input.
	_ = unix.SetsockoptInt(fd, unix.SOL_PACKET, unix.PACKET_IGNORE_OUTGOING, 1)
	return fd, nil
}

// newNetstack builds the stack on eth0 with every netstack option at its
// default: IPv4 192.0.2.2/24 on the NIC, a route for 192.0.2.0/24, ARP to
// resolve the peer (the harness answers ARP for 192.0.2.1); IPv6 2001:db8::2/64
// and a route for 2001:db8::/64, the peer resolved by neighbour discovery (the
// harness answers solicitations for 2001:db8::1). ipv6.Options{} is netstack's
// zero configuration: no link-local address, no DAD, no router solicitations,
// router advertisements ignored, MLD off; so the stack sends nothing of IPv6's
// own but its neighbour solicitations for the peer.
func newNetstack() (*stack.Stack, netstackInfo, error) {
	var info netstackInfo
	ifc, err := waitForLink(linkName, linkWait)
	if err != nil {
		return nil, info, err
	}
	info.ifindex, info.mac, info.mtu = ifc.Index, ifc.HardwareAddr, ifc.MTU
	if info.mtu <= 0 {
		info.mtu = 1500
	}
	fd, err := openPacketSocket(ifc.Index)
	if err != nil {
		return nil, info, err
	}
	link, err := fdbased.New(&fdbased.Options{
		FDs:                []int{fd},
		MTU:                uint32(info.mtu),
		EthernetHeader:     true,
		Address:            tcpip.LinkAddress(ifc.HardwareAddr),
		PacketDispatchMode: fdbased.Readv,
		// No checksum offload either way: the stack verifies what it receives
		// and writes complete checksums into what it sends.
		TXChecksumOffload: false,
		RXChecksumOffload: false,
	})
	if err != nil {
		return nil, info, fmt.Errorf("fdbased link endpoint on %s: %v", linkName, err)
	}
	s := stack.New(stack.Options{
		NetworkProtocols:   []stack.NetworkProtocolFactory{ipv4.NewProtocol, arp.NewProtocol, ipv6.NewProtocolWithOptions(ipv6.Options{})},
		TransportProtocols: []stack.TransportProtocolFactory{tcp.NewProtocol},
	})
	if terr := s.CreateNIC(nicID, link); terr != nil {
		return nil, info, fmt.Errorf("CreateNIC: %v", terr)
	}
	var routes []tcpip.Route
	for _, a := range []struct {
		proto tcpip.NetworkProtocolNumber
		text  string
		plen  int
	}{{ipv4.ProtocolNumber, stackAddr, stackPrefix}, {ipv6.ProtocolNumber, stackAddr6, stackPrefix6}} {
		ip := net.ParseIP(a.text)
		if v4 := ip.To4(); v4 != nil {
			ip = v4
		}
		withPrefix := tcpip.AddressWithPrefix{Address: tcpip.Address(ip), PrefixLen: a.plen}
		if terr := s.AddProtocolAddress(nicID, tcpip.ProtocolAddress{Protocol: a.proto, AddressWithPrefix: withPrefix},
			stack.AddressProperties{}); terr != nil {
			return nil, info, fmt.Errorf("AddProtocolAddress %s/%d: %v", a.text, a.plen, terr)
		}
		routes = append(routes, tcpip.Route{Destination: withPrefix.Subnet(), NIC: nicID})
	}
	s.SetRouteTable(routes)
	return s, info, nil
}

// tcpDefaults reads the protocol options that decide the timers the suite
// measures, as netstack has them (all left at their defaults).
//
// The SYN retry count (TCPSynRetriesOption, TCP_SYNCNT) is stored but not used
// by this netstack: a handshake's backoff timer starts at InitialRTO, doubles,
// and gives up once the next timeout would exceed MaxRTO.
func tcpDefaults(s *stack.Stack) string {
	var minRTO tcpip.TCPMinRTOOption
	var maxRTO tcpip.TCPMaxRTOOption
	var tw tcpip.TCPTimeWaitTimeoutOption
	var linger tcpip.TCPLingerTimeoutOption
	var sack tcpip.TCPSACKEnabled
	var synRetries tcpip.TCPSynRetriesOption
	s.TransportProtocolOption(tcp.ProtocolNumber, &minRTO)
	s.TransportProtocolOption(tcp.ProtocolNumber, &maxRTO)
	s.TransportProtocolOption(tcp.ProtocolNumber, &tw)
	s.TransportProtocolOption(tcp.ProtocolNumber, &linger)
	s.TransportProtocolOption(tcp.ProtocolNumber, &sack)
	s.TransportProtocolOption(tcp.ProtocolNumber, &synRetries)
	retries, giveUp := 0, time.Duration(0)
	for t := tcp.InitialRTO; t <= tcp.MaxRTO; t *= 2 {
		giveUp += t
		retries++
	}
	return fmt.Sprintf("SYN/SYN-ACK RTO %v doubling, given up after %d retransmissions (%v) when the next timeout would pass the %v max RTO "+
		"(SYN retries option %d: not used by this netstack); data/FIN RTO min %v, max %v; TIME-WAIT %v; FIN-WAIT-2 of a closed socket %v; SACK %v",
		tcp.InitialRTO, retries-1, giveUp, tcp.MaxRTO, synRetries, time.Duration(minRTO), time.Duration(maxRTO),
		time.Duration(tw), time.Duration(linger), bool(sack))
}
