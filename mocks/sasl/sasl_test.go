package sasl

import (
	"bytes"
	"errors"
	"testing"

	gosasl "github.com/emersion/go-sasl"
)

func TestParseXOAUTH2(t *testing.T) {
	t.Parallel()
	good := EncodeXOAUTH2("someuser@example.com", "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg")
	c, err := ParseXOAUTH2(good)
	if err != nil || c.User != "someuser@example.com" || c.Token != "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg" {
		t.Fatalf("%+v %v", c, err)
	}
	if _, err := ParseXOAUTH2([]byte("user=a@b\x01auth=bearer t\x01\x01")); err != nil {
		t.Fatalf("lower-case scheme: %v", err)
	}
	for _, bad := range []string{
		"", "\x01\x01", "user=a@b\x01auth=Bearer t\x01", "user=a@b\x01auth=Bearer t",
		"user=\x01auth=Bearer t\x01\x01", "user=a@b\x01auth=Basic dXNlcjpwYXNz\x01\x01",
		"user=a@b\x01auth=Bearer \x01\x01", "user=a@b\x01x=y\x01auth=Bearer t\x01\x01", "auth=Bearer t\x01user=a@b\x01\x01",
	} {
		if _, err := ParseXOAUTH2([]byte(bad)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%q: %v, want ErrMalformed", bad, err)
		}
	}
}

func TestParseOAuthBearer(t *testing.T) {
	t.Parallel()
	// The RFC 7628 §4.1 example, and go-sasl's client's own output.
	c, err := ParseOAuthBearer([]byte("n,a=user@example.com,\x01host=server.example.com\x01port=143\x01auth=Bearer vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg==\x01\x01"))
	if err != nil || c.User != "user@example.com" || c.Host != "server.example.com" || c.Port != "143" || c.Token != "vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg==" {
		t.Fatalf("%+v %v", c, err)
	}
	_, ir, _ := gosasl.NewOAuthBearerClient(&gosasl.OAuthBearerOptions{Username: "a@b.test", Token: "tok", Host: "h", Port: 993}).Start()
	if c, err := ParseOAuthBearer(ir); err != nil || c.User != "a@b.test" || c.Token != "tok" {
		t.Fatalf("go-sasl client: %+v %v", c, err)
	}
	if c, err := ParseOAuthBearer([]byte("n,,\x01auth=Bearer t\x01future=x\x01\x01")); err != nil || c.User != "" || c.Token != "t" {
		t.Fatalf("unknown keys must be ignored (RFC 7628 §3.1): %+v %v", c, err)
	}
	if c, _ := ParseOAuthBearer([]byte("n,a=od=2Cd=3D@x,\x01auth=Bearer t\x01\x01")); c.User != "od,d=@x" {
		t.Fatalf("authzid escapes: %q", c.User)
	}
	for _, bad := range []string{
		"", "\x01", "n,a=u,\x01\x01", "n,a=u\x01auth=Bearer t\x01\x01", "p=tls-unique,,\x01auth=Bearer t\x01\x01",
		"n,u,\x01auth=Bearer t\x01\x01", "n,,\x01auth=Basic t\x01\x01", "n,,\x01auth=Bearer t\x01", "n,,\x01=x\x01auth=Bearer t\x01\x01",
	} {
		if _, err := ParseOAuthBearer([]byte(bad)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%q: %v, want ErrMalformed", bad, err)
		}
	}
}

func TestXOAUTH2Client(t *testing.T) {
	t.Parallel()
	var got []byte
	c := NewXOAUTH2Client("a@b", "tok", &got)
	mech, ir, err := c.Start()
	if mech != XOAUTH2 || !bytes.Equal(ir, []byte("user=a@b\x01auth=Bearer tok\x01\x01")) || err != nil {
		t.Fatalf("%s %q %v", mech, ir, err)
	}
	resp, err := c.Next([]byte(`{"status":"400"}`))
	if len(resp) != 0 || err != nil || string(got) != `{"status":"400"}` {
		t.Fatalf("%q %v %q", resp, err, got)
	}
}

func FuzzParseXOAUTH2(f *testing.F) {
	f.Add(EncodeXOAUTH2("a@b", "ya29.x"))
	f.Add([]byte("user=\x01\x01\x01"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseXOAUTH2(b)
		if err == nil && (c.User == "" || c.Token == "") {
			t.Fatalf("accepted %q without user or token", b)
		}
		if err == nil {
			if again, err := ParseXOAUTH2(EncodeXOAUTH2(c.User, c.Token)); err != nil || again != c {
				t.Fatalf("round trip of %+v: %+v %v", c, again, err)
			}
		}
	})
}

func FuzzParseOAuthBearer(f *testing.F) {
	f.Add([]byte("n,a=user@example.com,\x01host=h\x01port=143\x01auth=Bearer t\x01\x01"))
	f.Add([]byte("y,,\x01auth=bearer x\x01\x01"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseOAuthBearer(b)
		if err == nil && c.Token == "" {
			t.Fatalf("accepted %q without a token", b)
		}
	})
}
