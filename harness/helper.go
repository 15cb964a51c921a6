package harness

import (
	"os"

	"github.com/mailoauth/mailoauth/harness/app"
	"github.com/mailoauth/mailoauth/harness/app/adapter"
)

// HelperMain runs the commands the @app scenarios re-execute this binary
// for: `browse CONTROL URL` (MAILOAUTH_BROWSER) and `adapter ACTION` (the
// Go reference adapter). It reports whether args named one; the mailoauth
// command and every test binary that runs the @app scenarios call it first
// (a test binary in its TestMain).
func HelperMain(args []string) (code int, ok bool) {
	if len(args) == 0 {
		return 0, false
	}
	switch args[0] {
	case "browse":
		return app.Browse(args[1:], os.Stderr), true
	case "adapter":
		return adapter.Main(args[1:]), true
	}
	return 0, false
}
