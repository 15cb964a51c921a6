package microsoft

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mailoauth/mailoauth/mocks/mailauth"
)

// TestTicksID: 16 upper-case hex digits, a .NET DateTime.Ticks value 0
// to 2 days before now (EX-13).
func TestTicksID(t *testing.T) {
	t.Parallel()
	for range 100 {
		id := ticksID()
		if !regexp.MustCompile(`^[0-9A-F]{16}$`).MatchString(id) {
			t.Fatalf("id %q", id)
		}
		ticks, _ := strconv.ParseInt(id, 16, 64)
		at := time.Unix(0, (ticks-unixEpochTicks)*100)
		if age := time.Since(at); age < 0 || age > 48*time.Hour {
			t.Fatalf("id %s is %v old", id, age)
		}
	}
}

// TestStampShape: every Exchange SMTP refusal with a stamp matches
// EX-13's regex once expanded.
func TestStampShape(t *testing.T) {
	t.Parallel()
	stampRE := regexp.MustCompile(`\[[A-Za-z0-9]+\.[A-Za-z0-9]+\.(PROD|prod)\.(OUTLOOK|outlook)\.(COM|com)( \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z [0-9A-F]{16})\]$`)
	p := Personality().SMTP
	replies := []mailauth.SMTPReply{p.AuthFailed, p.Malformed, p.UnknownMechanism, p.AuthWithoutTLS, p.AuthRequired, p.UnknownCommand}
	for _, r := range p.Refusals {
		replies = append(replies, r)
	}
	for _, r := range replies {
		text := mailauth.Expand(r.Text, ticksID(), "127.0.0.1")
		if !stampRE.MatchString(text) || strings.Contains(text, "{id}") || strings.Contains(text, "{ts}") {
			t.Errorf("%d %q has no 2023+ stamp", r.Code, text)
		}
	}
}
