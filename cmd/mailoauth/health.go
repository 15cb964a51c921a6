package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

// defaultAdminURL is the admin API of `serve --ports default` on loopback:
// where the container image's HEALTHCHECK looks.
const defaultAdminURL = "http://127.0.0.1:7780"

// healthCommand is `mailoauth health`: exit 0 when the admin API's
// /healthz answers {"status":"ok"}, 1 otherwise, 2 on a usage error. An
// image without a shell or curl checks itself with it.
func healthCommand(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("health", flag.ContinueOnError)
	fl.SetOutput(stderr)
	adminURL := fl.String("url", "", "the admin URL (default "+defaultAdminURL+")")
	manifestFile := fl.String("manifest", "", "read the admin URL from this manifest file")
	timeout := fl.Duration("timeout", 5*time.Second, "give up after this long")
	if err := parseFlags(fl, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitPassed
		}
		return exitUsage
	}
	if fl.NArg() > 0 {
		fmt.Fprintf(stderr, "mailoauth health: unexpected argument %q\n", fl.Arg(0))
		return exitUsage
	}
	if *adminURL != "" && *manifestFile != "" {
		fmt.Fprintln(stderr, "mailoauth health: --url or --manifest, not both")
		return exitUsage
	}
	target := *adminURL
	switch {
	case *manifestFile != "":
		u, err := manifestAdminURL(*manifestFile)
		if err != nil {
			fmt.Fprintf(stderr, "mailoauth health: %v\n", err)
			return exitFailed
		}
		target = u
	case target == "":
		target = defaultAdminURL
	}
	if err := healthy(strings.TrimSuffix(target, "/")+"/healthz", *timeout); err != nil {
		fmt.Fprintf(stderr, "mailoauth health: %v\n", err)
		return exitFailed
	}
	fmt.Fprintln(stdout, "ok")
	return exitPassed
}

// manifestAdminURL is the admin_url of a manifest file. A missing file is
// a world not started yet (or stopped): unhealthy, not a usage error.
func manifestAdminURL(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	var m struct {
		AdminURL string `json:"admin_url"`
	}
	if err := json.Unmarshal(data, &m); err != nil || m.AdminURL == "" {
		return "", fmt.Errorf("%s: no admin_url in it", path)
	}
	return m.AdminURL, nil
}

// healthy GETs url and wants 200 with {"status":"ok"}.
func healthy(url string, timeout time.Duration) error {
	c := &http.Client{Timeout: timeout}
	resp, err := c.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var body struct {
		Status string `json:"status"`
	}
	err = json.NewDecoder(io.LimitReader(resp.Body, 4096)).Decode(&body)
	if resp.StatusCode != http.StatusOK || err != nil || body.Status != "ok" {
		return fmt.Errorf("%s: HTTP %d, status %q", url, resp.StatusCode, body.Status)
	}
	return nil
}
