package serve

import (
	"bytes"
	"errors"
	"net/http"
	gomail "net/mail"
	"net/url"
	"strings"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"

	"github.com/mailoauth/mailoauth/mocks/mailstore"
)

// maxDeliverBytes bounds a message POST /api/messages delivers (and its
// request: a JSON body escapes the message).
const maxDeliverBytes = 10 << 20

// deliverRequest is what POST /api/messages reads, as a form or JSON.
type deliverRequest struct {
	Mailbox string `json:"mailbox"`
	// Raw is a whole RFC 5322 message; without it, the message is made of
	// From, To, Subject and Body.
	Raw     string `json:"raw"`
	From    string `json:"from"`
	To      string `json:"to"`
	Subject string `json:"subject"`
	Body    string `json:"body"`
}

// deliver is POST /api/messages (mailbox, and raw or from, to, subject,
// body): a message into the mailbox's INBOX, as if it had been received
// (mocks.Server.Deliver). It answers the message as GET /api/messages
// lists it.
func (a *admin) deliver(w http.ResponseWriter, r *http.Request) {
	var req deliverRequest
	r.Body = http.MaxBytesReader(w, r.Body, 2*maxDeliverBytes)
	if err := readInputLimit(r, &req, func(form url.Values) error {
		req = deliverRequest{Mailbox: form.Get("mailbox"), Raw: form.Get("raw"), From: form.Get("from"), To: form.Get("to"),
			Subject: form.Get("subject"), Body: form.Get("body")}
		return nil
	}); err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{err.Error()})
		return
	}
	if req.Mailbox == "" {
		writeJSON(w, http.StatusBadRequest, apiError{"mailbox required"})
		return
	}
	raw := req.Raw
	if raw == "" {
		var err error
		if raw, err = a.compose(req); err != nil {
			writeJSON(w, http.StatusBadRequest, apiError{err.Error()})
			return
		}
	}
	if len(raw) > maxDeliverBytes {
		writeJSON(w, http.StatusRequestEntityTooLarge, apiError{"a message is at most 10 MB"})
		return
	}
	if _, err := gomail.ReadMessage(strings.NewReader(raw)); err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{"raw is not an RFC 5322 message: " + err.Error()})
		return
	}
	err := a.m.Deliver(req.Mailbox, raw)
	switch {
	case errors.Is(err, mailstore.ErrMailboxFull) || errors.Is(err, mailstore.ErrStoreFull):
		writeJSON(w, http.StatusInsufficientStorage, apiError{err.Error()})
		return
	case err != nil:
		writeJSON(w, http.StatusBadRequest, apiError{err.Error()})
		return
	}
	msgs := a.m.Messages(req.Mailbox)
	writeJSON(w, http.StatusOK, msgs[len(msgs)-1])
}

// compose makes a plain-text message of req's parts, dated by the
// world's clock; To defaults to the mailbox.
func (a *admin) compose(req deliverRequest) (string, error) {
	var h mail.Header
	h.SetDate(a.m.Now())
	to := req.To
	if to == "" {
		to = req.Mailbox
	}
	for key, list := range map[string]string{"From": req.From, "To": to} {
		if list == "" {
			continue
		}
		addrs, err := gomail.ParseAddressList(list)
		if err != nil {
			return "", errors.New(strings.ToLower(key) + " is not a list of addresses: " + err.Error())
		}
		var out []*mail.Address
		for _, ad := range addrs {
			out = append(out, (*mail.Address)(ad))
		}
		h.SetAddressList(key, out)
	}
	h.SetSubject(req.Subject)
	if err := h.GenerateMessageID(); err != nil {
		return "", err
	}
	h.Set("MIME-Version", "1.0")
	h.SetContentType("text/plain", map[string]string{"charset": "utf-8"})
	h.Set("Content-Transfer-Encoding", "quoted-printable")
	var buf bytes.Buffer
	mw, err := message.CreateWriter(&buf, h.Header)
	if err != nil {
		return "", err
	}
	body := strings.ReplaceAll(strings.ReplaceAll(req.Body, "\r\n", "\n"), "\n", "\r\n")
	if _, err := mw.Write([]byte(body)); err != nil {
		return "", err
	}
	if err := mw.Close(); err != nil {
		return "", err
	}
	return buf.String(), nil
}
