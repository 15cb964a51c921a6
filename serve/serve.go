// Package serve runs the whole fake world as standalone servers for clients
// in any language: every provider and mail server (HTTPS with a CA written
// to disk), an admin API and a dashboard, and the manifest that says where
// everything is.
package serve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/mailoauth/mailoauth/mocks"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// DefaultAdminPort is the admin port with `--ports default`.
const DefaultAdminPort = 7780

// Config configures a standalone world.
type Config struct {
	// World is the world to serve; nil means world.Default().
	World *world.World
	// Host is the address every listener binds (default 127.0.0.1).
	Host string
	// Ports fixes the providers' ports and AdminPort the admin API's; zero
	// ports are free ones.
	Ports     mocks.Ports
	AdminPort int
	// StateDir receives ca.pem.
	StateDir string
	// Logger gets one line per token request and mail authentication.
	Logger *slog.Logger
}

// Instance is a running standalone world.
type Instance struct {
	Mocks    *mocks.Server
	Manifest Manifest
	admin    *http.Server
}

// Start starts every server and returns once each listener accepts.
func Start(cfg Config) (*Instance, error) {
	w := cfg.World
	if w == nil {
		w = world.Default()
	}
	if cfg.Host == "" {
		cfg.Host = "127.0.0.1"
	}
	if cfg.Logger != nil {
		log := cfg.Logger
		w.Observe(func(e world.Event) {
			log.Info("event", "provider", e.Provider, "protocol", e.Protocol, "mechanism", e.Mechanism,
				"user", e.User, "client", e.Client, "outcome", e.Outcome, "reason", e.Reason)
		})
	}
	m, err := mocks.New(mocks.Options{World: w, AutoApproveLoginHint: true, Host: cfg.Host, Ports: cfg.Ports})
	if err != nil {
		return nil, err
	}
	caFile, err := filepath.Abs(filepath.Join(cfg.StateDir, "ca.pem"))
	if err == nil {
		err = os.WriteFile(caFile, m.CA.PEM, 0o644)
	}
	if err != nil {
		m.Close()
		return nil, fmt.Errorf("serve: writing the CA: %w", err)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.AdminPort)))
	if err != nil {
		m.Close()
		return nil, err
	}
	inst := &Instance{Mocks: m}
	inst.Manifest = manifest(m, caFile, "http://"+ln.Addr().String())
	inst.admin = &http.Server{
		Handler:           newAdmin(m, inst.Manifest),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
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
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}
