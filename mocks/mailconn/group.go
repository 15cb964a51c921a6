package mailconn

import (
	"errors"
	"net"
	"sync"
)

// Group runs the Serve loops of a protocol library's servers and stops
// them together.
type Group struct {
	wg        sync.WaitGroup
	listeners []net.Listener
	closers   []func() error
	serving   []chan struct{} // closed once a Serve loop accepts, or returned
}

// Go runs serve(ln) until Close; stop is the library server's Close.
func (g *Group) Go(ln net.Listener, serve func(net.Listener) error, stop func() error) {
	serving := make(chan struct{})
	g.listeners = append(g.listeners, ln)
	g.closers = append(g.closers, stop)
	g.serving = append(g.serving, serving)
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		first := &firstAccept{Listener: ln, serving: serving}
		_ = serve(first) // returns once the listener is closed
		first.once.Do(func() { close(serving) })
	}()
}

// firstAccept tells when its Serve loop first accepts: the library has
// then counted the loop, and its Close waits for it (go-imap's Close and
// Serve must not overlap before that).
type firstAccept struct {
	net.Listener
	serving chan struct{}
	once    sync.Once
}

// Accept implements net.Listener.
func (f *firstAccept) Accept() (net.Conn, error) {
	f.once.Do(func() { close(f.serving) })
	return f.Listener.Accept()
}

// Close says goodbye on every open connection (Config.Goodbye), stops
// every server (closing its connections) and every listener, then waits
// for the Serve loops to return. The listeners are closed here
// too, since the libraries only close those their Serve already saw.
func (g *Group) Close() error {
	for _, serving := range g.serving {
		<-serving
	}
	for _, ln := range g.listeners {
		Goodbye(ln)
	}
	var errs []error
	for _, stop := range g.closers {
		if err := stop(); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, err)
		}
	}
	for _, ln := range g.listeners {
		_ = ln.Close()
	}
	g.wg.Wait()
	return errors.Join(errs...)
}

// Hangup ends every connection open on the group's listeners, each with
// its goodbye (Config.Goodbye) as Close does, and goes on serving: for a
// world that was reset, whose sessions must not go on.
func (g *Group) Hangup() {
	for _, ln := range g.listeners {
		Hangup(ln)
	}
}

// Host returns the host part of a network address.
func Host(a net.Addr) string {
	host, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return host
}

// OrLoopback opens a free port of 127.0.0.1 for each listener that is
// nil; on failure it closes those it opened.
func OrLoopback(lns ...*net.Listener) error {
	var opened []*net.Listener
	for _, ln := range lns {
		if *ln != nil {
			continue
		}
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			for _, o := range opened {
				_ = (*o).Close()
				*o = nil
			}
			return err
		}
		*ln = l
		opened = append(opened, ln)
	}
	return nil
}
