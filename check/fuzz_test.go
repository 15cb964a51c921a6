package check

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/mailoauth/mailoauth/mocks/sasl"
)

// FuzzCheckToken: any input gives a report or an *InputError, never a
// panic, and a report always encodes as JSON.
func FuzzCheckToken(f *testing.F) {
	f.Add(jwt(f, delegated(nil)))
	f.Add(jwt(f, app(nil)))
	f.Add(jwt(f, map[string]any{"aud": []any{"x", 1}, "exp": "soon", "roles": "IMAP.AccessAsApp", "nbf": 1e300}))
	f.Add("ya29.a0example")
	f.Add("Bearer a.b.c")
	f.Add("eyJ.eyJ.")
	f.Fuzz(func(t *testing.T, tok string) {
		r, err := CheckToken(tok, Options{For: "smtp", User: "a@b.test", Now: now})
		if err != nil {
			if _, ok := err.(*InputError); !ok {
				t.Fatalf("error %T %v, want *InputError", err, err)
			}
			return
		}
		if _, err := json.Marshal(r); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzCheckSASL: any input, base64 or not, gives a report or an
// *InputError, never a panic.
func FuzzCheckSASL(f *testing.F) {
	tok := jwt(f, delegated(nil))
	f.Add(base64.StdEncoding.EncodeToString(sasl.EncodeXOAUTH2("alice@contoso.test", tok)))
	f.Add(b64("user=a^Aauth=Bearer x^A^A"))
	f.Add(b64("n,a=a@b.test,\x01host=h\x01auth=Bearer  x\x01\x01"))
	f.Add(b64("p=x,,\x01"))
	f.Add("AUTH XOAUTH2 dXNlcj0=")
	f.Add("user=\xff\x01auth=bearer\x01\x01")
	f.Fuzz(func(t *testing.T, blob string) {
		for _, in := range []string{blob, base64.StdEncoding.EncodeToString([]byte(blob))} {
			r, err := CheckSASL(in, Options{For: "imap", User: "a@b.test", Now: now})
			if err != nil {
				if _, ok := err.(*InputError); !ok {
					t.Fatalf("error %T %v, want *InputError", err, err)
				}
				continue
			}
			if _, err := json.Marshal(r); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// FuzzCheckFile: check's input parser (no network, no world started)
// takes any bytes: an *Input or a *FileError, never a panic; the error
// names the file and, when it has a place, a line and column.
func FuzzCheckFile(f *testing.F) {
	for _, p := range []string{"001-office365-imap.yaml", "002-client-credentials-imap.yaml", "004-trackdechets.yaml", "broken/F-18-secret-in-body.yaml"} {
		b, err := os.ReadFile("../testdata/check/" + p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("application: &a {mail: *a}\nproviders: {}\n"))
	f.Add([]byte("providers: {google: {clients: [{<<: {id: x}}]}}\napplication: {scopes: [[a]]}\n"))
	f.Add([]byte("\t- ["))
	f.Fuzz(func(t *testing.T, doc []byte) {
		in, err := ParseInput("in.yaml", bytes.NewReader(doc))
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error %T %v, want *FileError", err, err)
			}
			if !strings.HasPrefix(err.Error(), "in.yaml:") || fe.Problem == "" {
				t.Fatalf("error %q", err)
			}
			return
		}
		if in.World == nil || in.App.Provider == "" || (in.App.Mail == nil && in.App.APIEndpoint == "") {
			t.Fatalf("input %+v", in.App)
		}
	})
}
