package serve

import (
	"net"
	"strconv"
)

// urlHost is the host every URL and mail endpoint of the world names: the
// first advertised name, else 127.0.0.1 for a wildcard listen address
// (0.0.0.0 or ::, which no client can dial: inside a container, a
// published port is reached on the host's loopback), else "" (the
// listeners' own address).
func urlHost(listen string, advertise []string) string {
	if len(advertise) > 0 {
		return advertise[0]
	}
	if ip := net.ParseIP(listen); ip != nil && ip.IsUnspecified() {
		return "127.0.0.1"
	}
	return ""
}

// advertised is a listener that gives, as its address, the host clients
// dial with its own port: the servers build their URLs, issuers and mail
// endpoints from their listener's address.
type advertised struct {
	net.Listener
	addr hostPort
}

func advertise(ln net.Listener, host string) net.Listener {
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	n, _ := strconv.Atoi(port)
	return advertised{Listener: ln, addr: hostPort{host: host, port: n}}
}

func (a advertised) Addr() net.Addr { return a.addr }

// hostPort is a TCP address by name.
type hostPort struct {
	host string
	port int
}

func (h hostPort) Network() string { return "tcp" }
func (h hostPort) String() string  { return net.JoinHostPort(h.host, strconv.Itoa(h.port)) }
