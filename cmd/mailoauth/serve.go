package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/mailoauth/mailoauth/mocks"
	"github.com/mailoauth/mailoauth/serve"
)

// serveCommand is `mailoauth serve`: the whole world on loopback until
// SIGINT or SIGTERM. The manifest goes to stdout (and --manifest), the
// event log to stderr.
// serveMemoryLimit is serve's soft memory limit (runtime/debug).
const serveMemoryLimit = 64 << 20

func serveCommand(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("serve", flag.ContinueOnError)
	fl.SetOutput(stderr)
	config := fl.String("config", "", "world YAML file (default: the built-in world, see docs/serve.md)")
	manifestFile := fl.String("manifest", "", "also write the manifest to this file")
	listen := fl.String("listen", "127.0.0.1", "address every listener binds")
	allowRemote := fl.Bool("allow-remote", false, "allow a --listen address other than loopback")
	ports := fl.String("ports", "auto", `"auto" (free ports) or "default" (fixed ports, see docs/serve.md)`)
	stateDir := fl.String("state-dir", "", "directory for ca.pem and the CA key, created if missing and kept (default: a temporary directory removed on exit)")
	var approveAs, advertise []string
	fl.Func("advertise", "a host name clients dial from outside (a container's, a compose service): the first is in every URL, each in the certificate (repeat for more)",
		func(host string) error {
			if !hostName(host) {
				return fmt.Errorf("%q is not a host name or address (no scheme, no port)", host)
			}
			advertise = append(advertise, host)
			return nil
		})
	fl.Func("approve-as", "approve authorization requests without login_hint as this user, with no page (repeat for several providers)",
		func(email string) error { approveAs = append(approveAs, email); return nil })
	if err := parseFlags(fl, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitPassed
		}
		return exitUsage
	}
	if fl.NArg() > 0 {
		fmt.Fprintf(stderr, "mailoauth serve: unexpected argument %q\n", fl.Arg(0))
		return exitUsage
	}
	logger := slog.New(slog.NewJSONHandler(stderr, nil))
	cfg := serve.Config{Host: *listen, Advertise: advertise, Logger: logger, ApproveAs: approveAs}
	switch *ports {
	case "auto":
	case "default":
		cfg.Ports = serve.DefaultPorts()
	default:
		fmt.Fprintf(stderr, "mailoauth serve: --ports is auto or default, not %q\n", *ports)
		return exitUsage
	}
	if !loopback(*listen) {
		if !*allowRemote {
			fmt.Fprintf(stderr, "mailoauth serve: --listen %s is not a loopback address; add --allow-remote if you mean it\n", *listen)
			return exitUsage
		}
		fmt.Fprintf(stderr, "mailoauth serve: WARNING: listening on %s: anyone who can reach it gets tokens for the fake accounts\n", *listen)
	}
	if *config != "" {
		w, err := mocks.LoadWorld(*config)
		if err != nil {
			fmt.Fprintf(stderr, "mailoauth serve: %v\n", err)
			return exitUsage
		}
		for _, warning := range w.Warnings() {
			logger.Warn("world file", slog.String("file", *config), slog.String("warning", warning))
		}
		cfg.World = w
	}
	if *stateDir == "" {
		dir, err := os.MkdirTemp("", "mailoauth-")
		if err != nil {
			fmt.Fprintf(stderr, "mailoauth serve: %v\n", err)
			return exitUsage
		}
		// The temporary directory holds the CA's private key: it goes
		// with the world.
		defer os.RemoveAll(dir)
		*stateDir = dir
	}
	cfg.StateDir = *stateDir
	cfg.ManifestFile = *manifestFile
	// A soft memory limit: the collector works harder as the heap nears
	// it, rather than let it double (GOGC) under a burst of load. A world
	// holds about 1 KB per live grant; GOMEMLIMIT in the environment
	// overrides it.
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(serveMemoryLimit)
	}
	// The signals are caught before the manifest says the world is ready,
	// so a pipeline that stops serve as soon as it read the manifest gets
	// a clean stop.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	inst, err := serve.Start(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "mailoauth serve: %v\n", err)
		return exitUsage
	}
	out, _ := json.MarshalIndent(inst.Manifest, "", "  ")
	out = append(out, '\n')
	_, _ = stdout.Write(out)
	// One fixed line a container's log wait can match ("msg":"ready").
	logger.Info("ready", slog.String("admin_url", inst.Manifest.AdminURL), slog.String("manifest", *manifestFile))
	<-ctx.Done()
	fmt.Fprintln(stderr, "mailoauth serve: stopping")
	drain, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := inst.Close(drain); err != nil {
		fmt.Fprintf(stderr, "mailoauth serve: %v\n", err)
	}
	if *manifestFile != "" {
		// A pipeline must not read the ports of a world that is gone.
		_ = os.Remove(*manifestFile)
	}
	return exitPassed
}

// loopback reports whether host names the loopback interface: a loopback
// address, or "localhost".
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
