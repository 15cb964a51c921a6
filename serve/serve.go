// Package serve runs the whole fake world as standalone servers for clients
// in any language: every provider and mail server (HTTPS with a CA written
// to disk), an admin API and a dashboard, and the manifest that says where
// everything is.
package serve

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/mailoauth/mailoauth/mocks"
	"github.com/mailoauth/mailoauth/mocks/registry"
	"github.com/mailoauth/mailoauth/mocks/tlsca"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// DefaultPorts are fixed ports for a standalone world (`mailoauth serve
// --ports default`), by listener name ("google.smtp"), in the style of the
// real ones (7587 for 587, 7993 for 993...): each provider's
// registry.Provider.Ports, and "admin", the admin API's.
func DefaultPorts() map[string]int {
	ports := map[string]int{"admin": 7780}
	for _, p := range registry.All() {
		for listener, port := range p.Ports {
			ports[p.Name+"."+listener] = port
		}
	}
	return ports
}

// adminWriteTimeout bounds the writing of an admin API answer.
const adminWriteTimeout = 30 * time.Second

// Config configures a standalone world.
type Config struct {
	// World is the world to serve; nil means world.Default().
	World *world.World
	// Host is the address every listener binds (default 127.0.0.1).
	Host string
	// Advertise are the names clients dial from outside (the host of a
	// published container port, a compose service name): the first is the
	// host of every URL of the manifest, issuer and discovery document and
	// of every mail endpoint; the certificate covers each, and the admin
	// API answers to each. None: the listeners' address (127.0.0.1 for a
	// wildcard Host).
	Advertise []string
	// Ports fixes listeners' ports by name ("admin", "google.https"...,
	// as DefaultPorts); a listener not named gets a free port.
	Ports map[string]int
	// StateDir receives ca.pem and ca-key.pem; it is created if missing.
	StateDir string
	// Logger gets one line per token request and mail authentication.
	Logger *slog.Logger
	// ApproveAs are the users authorization requests without login_hint
	// are approved as (`--approve-as`, mocks.Options.ApproveAs).
	ApproveAs []string
	// ManifestFile, if set, receives the manifest once every listener
	// accepts, and again after each change through the admin API
	// (`--manifest`).
	ManifestFile string
}

// Instance is a running standalone world.
type Instance struct {
	Mocks    *mocks.Server
	Manifest Manifest
	admin    *http.Server
	lock     *os.File // held on the state directory while the world runs
}

// Start starts every server and returns once each listener accepts. The
// state directory is locked while the world runs: a second world on it
// fails at once rather than overwrite the first one's CA.
func Start(cfg Config) (*Instance, error) {
	if err := os.MkdirAll(cmp.Or(cfg.StateDir, "."), 0o700); err != nil {
		return nil, fmt.Errorf("serve: creating the state directory: %w", err)
	}
	lock, err := lockStateDir(cfg.StateDir)
	if err != nil {
		return nil, err
	}
	inst, err := start(cfg)
	if err != nil {
		_ = lock.Close()
		return nil, err
	}
	inst.lock = lock
	return inst, nil
}

func start(cfg Config) (*Instance, error) {
	w := cfg.World
	if w == nil {
		w = mocks.DefaultWorld()
	}
	if cfg.Host == "" {
		cfg.Host = "127.0.0.1"
	}
	if cfg.Logger != nil {
		log := cfg.Logger
		// "time" is the real time the line was written, "world_time" the
		// world's clock (moved by /api/clock) when the event happened.
		w.Observe(func(e world.Event) {
			log.LogAttrs(context.Background(), slog.LevelInfo, "event", slog.Time("world_time", e.Time), slog.String("provider", e.Provider),
				slog.String("protocol", e.Protocol), slog.String("mechanism", e.Mechanism), slog.String("user", e.User),
				slog.String("client", e.Client), slog.String("outcome", e.Outcome), slog.String("reason", e.Reason), slog.String("detail", e.Detail), slog.Any("seen", e.Seen))
		})
	}
	named := urlHost(cfg.Host, cfg.Advertise)
	listen := func(name string) (net.Listener, error) {
		ln, err := net.Listen("tcp", net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Ports[name])))
		if err != nil || named == "" {
			return ln, err
		}
		return advertise(ln, named), nil
	}
	var hosts []string
	if ip := net.ParseIP(cfg.Host); ip == nil || !(ip.IsLoopback() || ip.IsUnspecified()) {
		hosts = append(hosts, cfg.Host)
	}
	hosts = append(hosts, cfg.Advertise...)
	// The HTTP servers' own complaints (a TLS handshake that failed) go
	// through the logger too, so that stderr stays one JSON object a line.
	var errorLog *log.Logger
	if cfg.Logger != nil {
		errorLog = slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelWarn)
	}
	for _, email := range cfg.ApproveAs {
		if !hasAccount(w, email) {
			return nil, fmt.Errorf("serve: --approve-as %s: no provider of the world has this user", email)
		}
	}
	ca, caFile, err := stateCA(cfg.StateDir, hosts)
	if err != nil {
		return nil, err
	}
	m, err := mocks.New(mocks.Options{World: w, Listen: listen, Hosts: hosts, ErrorLog: errorLog, CA: ca, FreshKeys: true,
		ApproveAs: cfg.ApproveAs})
	if err != nil {
		return nil, err
	}
	ln, err := listen("admin")
	if err != nil {
		m.Close()
		return nil, err
	}
	inst := &Instance{Mocks: m}
	adminURL := "http://" + ln.Addr().String()
	inst.Manifest = manifest(m, caFile, adminURL)
	handler := newAdmin(m, inst.Manifest, cfg.Logger)
	if cfg.ManifestFile != "" {
		file := &manifestFile{path: cfg.ManifestFile, current: func() Manifest { return manifest(m, caFile, adminURL) }}
		if err := file.write(); err != nil {
			_ = ln.Close()
			m.Close()
			return nil, fmt.Errorf("serve: writing the manifest: %w", err)
		}
		handler = file.rewriting(handler, func(err error) {
			if cfg.Logger != nil {
				cfg.Logger.Error("serve: rewriting the manifest", "err", err)
			}
		})
	}
	inst.admin = &http.Server{
		Handler:           guard(append([]string{cfg.Host}, cfg.Advertise...), handler),
		ErrorLog:          errorLog,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      adminWriteTimeout,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	go func() { _ = inst.admin.Serve(ln) }() // returns http.ErrServerClosed on Close
	return inst, nil
}

// Close drains the admin API (in-flight requests finish, until ctx ends)
// and stops every server.
func (i *Instance) Close(ctx context.Context) error {
	err := i.admin.Shutdown(ctx)
	i.Mocks.Close()
	if i.lock != nil {
		_ = i.lock.Close() // releases the lock
	}
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// stateCA is the CA of the state directory (ca.pem and ca-key.pem), or a
// new one written there: clients configured with ca_file keep working
// across restarts. It returns the CA and ca_file's absolute path.
func stateCA(dir string, hosts []string) (*tlsca.CA, string, error) {
	caFile, err := filepath.Abs(filepath.Join(dir, "ca.pem"))
	if err != nil {
		return nil, "", err
	}
	keyFile := filepath.Join(filepath.Dir(caFile), "ca-key.pem")
	certPEM, err1 := os.ReadFile(caFile)
	keyPEM, err2 := os.ReadFile(keyFile)
	if err1 == nil && err2 == nil {
		ca, err := tlsca.Load(certPEM, keyPEM, hosts...)
		if err != nil {
			return nil, "", fmt.Errorf("serve: the CA of %s: %w", dir, err)
		}
		return ca, caFile, nil
	}
	ca, err := tlsca.New(hosts...)
	if err != nil {
		return nil, "", err
	}
	if err := os.WriteFile(keyFile, ca.KeyPEM, 0o600); err != nil {
		return nil, "", fmt.Errorf("serve: writing the CA: %w", err)
	}
	if err := os.WriteFile(caFile, ca.PEM, 0o644); err != nil {
		return nil, "", fmt.Errorf("serve: writing the CA: %w", err)
	}
	return ca, caFile, nil
}

// hasAccount reports whether some provider of w has an account for email.
func hasAccount(w *world.World, email string) bool {
	for provider := range mocks.Schemas() {
		if _, ok := w.FindAccount(provider, email); ok {
			return true
		}
	}
	return false
}
