package mocks

import (
	"net"

	"github.com/mailoauth/mailoauth/mocks/imap"
	"github.com/mailoauth/mailoauth/mocks/mailauth"
	"github.com/mailoauth/mailoauth/mocks/pop3"
	"github.com/mailoauth/mailoauth/mocks/smtp"
)

// MaxMailConnections caps the mail connections open at once across every
// mail server of a world, well under a process's usual 1,024 or 2,048
// open files, so that the HTTPS endpoints and serve's admin API keep
// answering whatever clients do; one past it gets its protocol's busy
// reply (SMTP 421 4.7.0, IMAP BYE, POP3 -ERR [SYS/TEMP]).
const MaxMailConnections = 800

// startMail starts a provider's SMTP, IMAP and POP3 servers, deciding
// with its mail rule and speaking with its personality.
func (s *Server) startMail(o Options, provider string, rule mailauth.Rule, p mailauth.Personality) (Mail, error) {
	lns := map[string]net.Listener{}
	for _, name := range []string{"smtp", "smtps", "imap", "imaps", "pop3", "pop3s"} {
		if name == "smtps" && p.SMTP.NoImplicitTLS {
			continue // Exchange Online has no 465 (EX-11)
		}
		ln, err := o.Listen(provider + "." + name)
		if err != nil {
			for _, l := range lns {
				_ = l.Close()
			}
			return Mail{}, err
		}
		lns[name] = ln
	}
	base := func(plain, implicit string) mailauth.ServerConfig {
		return mailauth.ServerConfig{Listener: lns[plain], TLSListener: lns[implicit], Provider: provider, World: s.World,
			Rule: rule, TLS: s.CA.ServerConfig(), Limit: s.mailLimit, ErrorLog: o.ErrorLog}
	}
	sm, err := smtp.Start(smtp.Config{ServerConfig: base("smtp", "smtps"), Personality: p.SMTP})
	if err != nil {
		return Mail{}, err
	}
	s.closers = append(s.closers, sm.Close)
	im, err := imap.Start(imap.Config{ServerConfig: base("imap", "imaps"), Personality: p.IMAP, MaxMessageBytes: p.SMTP.MaxMessageBytes})
	if err != nil {
		return Mail{}, err
	}
	s.closers = append(s.closers, im.Close)
	po, err := pop3.Start(pop3.Config{ServerConfig: base("pop3", "pop3s"), Personality: p.POP3})
	if err != nil {
		return Mail{}, err
	}
	s.closers = append(s.closers, po.Close)
	return Mail{SMTP: sm.Addr, SMTPS: sm.TLSAddr, IMAPS: im.TLSAddr, IMAP: im.Addr, POP3S: po.TLSAddr, POP3: po.Addr}, nil
}
