package mocks_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/mailoauth/mailoauth/mocks"
	"github.com/mailoauth/mailoauth/mocks/google"
	"github.com/mailoauth/mailoauth/mocks/internal/mailtest"
	"github.com/mailoauth/mailoauth/mocks/mailstore"
)

// TestQuotaOnTheWire: the mail store's limits answered with each
// protocol's over-quota replies (issue 13): SMTP 452 4.2.2 at RCPT for a
// full mailbox, 552 5.2.2 for a message past a recipient's quota, 452
// 4.3.1 when the store is full; IMAP APPEND past the quota NO [OVERQUOTA],
// and past the message size (Gmail's SIZE) NO [TOOBIG] before the literal
// is sent.
func TestQuotaOnTheWire(t *testing.T) {
	srv := mocks.Start(t, mocks.Options{Providers: []string{google.Name}})
	// 10,000 bytes of bodies beside the six mailboxes (bob, carol, r0-r2, r9).
	const store = 10000 + 6*mailstore.MailboxCost
	srv.World.SetMailLimits(mailstore.Limits{Mailbox: 4000, Store: store})
	tok, err := srv.Google.Token(context.Background(), "alice@gmail.test", google.MailScope)
	if err != nil {
		t.Fatal(err)
	}
	cfg := srv.TLSConfig()
	smtp := mailtest.Dial(t, srv.Google.Mail.SMTPS, cfg)
	smtp.SMTPReply()
	expect := func(line, want string) {
		t.Helper()
		smtp.Send(line)
		if got := smtp.SMTPReply(); !strings.HasPrefix(got[len(got)-1], want) {
			t.Fatalf("%.40s: %q, want %q", line, got, want)
		}
	}
	send := func(to []string, size int, want string) {
		t.Helper()
		expect("MAIL FROM:<alice@gmail.test>", "250")
		for _, rcpt := range to {
			expect("RCPT TO:<"+rcpt+">", "250")
		}
		expect("DATA", "354")
		expect("Subject: q\r\n\r\n"+strings.Repeat(strings.Repeat("x", 98)+"\r\n", size/100)+".", want)
	}
	expect("EHLO client.test", "250")
	expect("AUTH XOAUTH2 "+mailtest.XOAUTH2("alice@gmail.test", tok.AccessToken), "235")
	send([]string{"bob@gmail.test"}, 3000, "250")
	send([]string{"carol@gmail.test", "bob@gmail.test"}, 1500, "552 5.2.2 Mailbox full")
	srv.World.SetMailLimits(mailstore.Limits{Mailbox: 3000, Store: store}) // bob holds 3,014 bytes
	expect("MAIL FROM:<alice@gmail.test>", "250")
	expect("RCPT TO:<bob@gmail.test>", "452 4.2.2 Mailbox full: bob@gmail.test")
	expect("RSET", "250")
	srv.World.SetMailLimits(mailstore.Limits{Mailbox: 4000, Store: store})
	for i := range 3 {
		send([]string{"r" + strconv.Itoa(i) + "@gmail.test"}, 2000, "250")
	}
	send([]string{"r9@gmail.test"}, 2000, "452 4.3.1 Insufficient system storage")
	if msgs := srv.Messages("carol@gmail.test"); len(msgs) != 0 {
		t.Fatalf("carol got %d messages of a refused delivery", len(msgs))
	}

	imap := mailtest.Dial(t, srv.Google.Mail.IMAPS, cfg)
	imap.Line()
	imap.Send("a AUTHENTICATE XOAUTH2 " + mailtest.XOAUTH2("alice@gmail.test", tok.AccessToken))
	imap.Until("a OK")
	imap.Send("b APPEND INBOX {35882578}")
	if got := imap.Line(); got != "b NO [TOOBIG] Literals are limited to 35882577 bytes for this command" {
		t.Fatalf("APPEND past SIZE: %q", got)
	}
	srv.World.SetMailLimits(mailstore.Limits{Mailbox: 100, Store: store})
	imap.Send("c APPEND INBOX {200}")
	imap.Until("+")
	imap.Send(strings.Repeat("y", 200))
	if got := imap.Line(); got != "c NO [OVERQUOTA] Mailbox is full: the message would exceed its quota" {
		t.Fatalf("APPEND past the quota: %q", got)
	}
}
