package microsoft

import (
	"crypto/rand"
	"fmt"
	"strings"
	"time"

	"github.com/mailoauth/mailoauth/mocks/authserver"
)

// aadError is the JSON of a refused request (M-04).
type aadError struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
	ErrorCodes       []int  `json:"error_codes,omitempty"`
	Timestamp        string `json:"timestamp"`
	TraceID          string `json:"trace_id"`
	CorrelationID    string `json:"correlation_id"`
	ErrorURI         string `json:"error_uri,omitempty"`
	Suberror         string `json:"suberror,omitempty"`
}

// aadsts is one AADSTS answer as rendered from the catalogue: the error
// code, the number, its text and HTTP status.
type aadsts struct {
	status   int
	err      string
	code     int // 0 when the number is not recorded
	text     string
	suberror string
}

// timestampLayout is the form of "Timestamp:" lines and fields (M-04).
const timestampLayout = "2006-01-02 15:04:05Z"

// body renders a for call: the description starts with "AADSTS<code>: "
// and ends with the trace, correlation and timestamp lines (M-04). The
// correlation id is the client-request-id the client sent (MSAL does), or
// a new one.
func (a aadsts) body(call authserver.Call) aadError {
	trace, corr := newGUID(), newGUID()
	if call.Request != nil {
		if id := call.Request.Header.Get("client-request-id"); isGUID(id) {
			corr = id
		}
	}
	now := call.Now
	if now.IsZero() {
		now = time.Now()
	}
	return a.bodyOf(trace, corr, now.UTC().Format(timestampLayout))
}

// bodyOf renders a with the given trace id, correlation id and timestamp
// (a page shown again, M-13's /common/reprocess).
func (a aadsts) bodyOf(trace, corr, ts string) aadError {
	desc := a.text
	if a.code != 0 {
		desc = fmt.Sprintf("AADSTS%d: %s", a.code, a.text)
	}
	desc += "\r\nTrace ID: " + trace + "\r\nCorrelation ID: " + corr + "\r\nTimestamp: " + ts
	e := aadError{Error: a.err, ErrorDescription: desc, Timestamp: ts, TraceID: trace, CorrelationID: corr, Suberror: a.suberror}
	if a.code != 0 {
		e.ErrorCodes = []int{a.code}
		if !a.withoutErrorURI() {
			e.ErrorURI = fmt.Sprintf("https://login.microsoftonline.com/error?code=%d", a.code)
		}
	}
	return e
}

// withoutErrorURI reports the answers recorded with no error_uri (M-04,
// M-12): 9002313, and 70011's variant (b) (two resources' /.default).
func (a aadsts) withoutErrorURI() bool {
	return a.code == 9002313 || a.code == 70011 && strings.HasPrefix(a.text, "The provided request must include a 'scope' input parameter.")
}

// reply is a as a token-endpoint answer.
func (a aadsts) reply(call authserver.Call) authserver.Reply {
	return authserver.Reply{Status: a.status, Body: a.body(call)}
}

// newGUID returns a random (version 4) GUID.
func newGUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// parseTimestamp reads a "Timestamp:" value back (timestampLayout).
func parseTimestamp(s string) (time.Time, error) { return time.Parse(timestampLayout, s) }
