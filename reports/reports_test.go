package reports

import (
	"strings"
	"testing"
)

const cucumber = `[{"name":"F","tags":[{"name":"@google"}],"elements":[
 {"name":"a","type":"scenario","tags":[{"name":"@google"},{"name":"@device"}],"steps":[{"keyword":"Then ","name":"x","result":{"status":"passed"}}]},
 {"name":"b","type":"scenario","tags":[{"name":"@authcode"}],"steps":[
   {"keyword":"Given ","name":"y","result":{"status":"passed"}},
   {"keyword":"Then ","name":"z","result":{"status":"failed","error_message":"boom\nlast server reply: POST /token -> HTTP 400\n{}"},
    "embeddings":[{"name":"other","mime_type":"text/plain","data":"eA=="},{"name":"mailoauth-refusals","mime_type":"text/plain","data":"bWljcm9zb2Z0IGltYXAgWE9BVVRIMiByZWZ1c2VkOiBub19zZXJ2aWNlX3ByaW5jaXBhbDogc2VydmljZSBwcmluY2lwYWwgcmVnaXN0ZXJlZCB3aXRoIG9iamVjdCBpZCAxZjJlICh0aGUgYXBwIHJlZ2lzdHJhdGlvbidzKTsgRXhjaGFuZ2UgbmVlZHMgdGhlIGVudGVycHJpc2UgYXBwbGljYXRpb24ncyA0ZDNjCmdvb2dsZSBvYXV0aCByZWZyZXNoX3Rva2VuIHJlZnVzZWQ6IHJlZnJlc2hfcmV2b2tlZA=="}]},
   {"keyword":"And ","name":"w","result":{"status":"skipped"}}]},
 {"name":"c","type":"scenario","tags":[{"name":"@smtp"}],"steps":[{"keyword":"Then ","name":"x","result":{"status":"skipped"}}]}
]}]`

func TestFromCucumberJSON(t *testing.T) {
	run, err := FromCucumberJSON(strings.NewReader(cucumber), []string{"google", "microsoft", "trackdechets"})
	if err != nil {
		t.Fatal(err)
	}
	if p, f := run.Counts(); p != 1 || f != 1 {
		t.Fatalf("counts %d/%d", p, f)
	}
	b := run.Scenarios[1]
	if b.Provider != "google" || b.FailedStep != "Then z" || b.Error != "boom" || !strings.HasPrefix(b.LastReply, "POST /token") {
		t.Fatalf("failure %+v", b)
	}
	if len(b.Refusals) != 2 || !strings.Contains(b.Refusals[0], "no_service_principal: service principal registered") {
		t.Fatalf("refusals %q", b.Refusals)
	}
	var md strings.Builder
	if err := WriteMarkdown(&md, run); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "- Why, as the world saw it (its last refusals):\n  - microsoft imap XOAUTH2 refused: no_service_principal: service principal") ||
		!strings.Contains(md.String(), "\n  - google oauth refresh_token refused: refresh_revoked\n") {
		t.Fatalf("summary.md:\n%s", md.String())
	}
	m := run.Matrix()
	if strings.Join(m.Flows, ",") != "authcode,device" {
		t.Fatalf("flows %v (skipped scenarios must not count, authcode before device)", m.Flows)
	}
	if got := MatrixText(m); !strings.Contains(got, "| google | 0/1 FAIL | 1/1 ok |") {
		t.Fatalf("matrix:\n%s", got)
	}
	if _, err := FromCucumberJSON(strings.NewReader("{"), nil); err == nil {
		t.Fatal("broken JSON accepted")
	}
}
