// The README's example ("In `go test`"), byte for byte but for the
// package name: TestREADME keeps the two the same.

package mocks_test

import (
	"strings"
	"testing"

	"github.com/emersion/go-smtp"

	"github.com/mailoauth/mailoauth/mocks"
	"github.com/mailoauth/mailoauth/mocks/sasl"
)

func TestSendThroughGmail(t *testing.T) {
	srv := mocks.Start(t)
	tok, err := srv.Google.Token(t.Context(), "alice@gmail.test", "https://mail.google.com/")
	if err != nil {
		t.Fatal(err)
	}
	c, err := smtp.DialStartTLS(srv.Google.Mail.SMTP, srv.TLSConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Auth(sasl.NewXOAUTH2Client("alice@gmail.test", tok.AccessToken, nil)); err != nil {
		t.Fatal(err) // *smtp.SMTPError 535 5.7.8 for a token Gmail would refuse
	}
	msg := strings.NewReader("Subject: hi\r\n\r\nhello\r\n")
	if err := c.SendMail("alice@gmail.test", []string{"bob@gmail.test"}, msg); err != nil {
		t.Fatal(err)
	}
	if got := srv.Messages("bob@gmail.test"); len(got) != 1 || got[0].Subject != "hi" {
		t.Fatalf("delivered %+v", got)
	}
}
