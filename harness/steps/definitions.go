package steps

import (
	"regexp"
	"sync"

	"github.com/cucumber/godog"
)

// stepDef is one step definition: the regular expression godog matches a
// step's text with, one line saying what the step does, and the function
// it runs.
type stepDef struct {
	pattern, doc string
	fn           any
}

// concerns are the step definitions by concern, in the order they are
// registered and listed; each gives its concern's definitions bound to a
// scenario.
var concerns = []struct {
	name string
	defs func(*scenario) []stepDef
}{
	{"world and clock", (*scenario).worldSteps},
	{"OAuth flows", (*scenario).oauthSteps},
	{"device", (*scenario).deviceSteps},
	{"mail", (*scenario).mailSteps},
	{"assertions", (*scenario).assertionSteps},
	{"Google console", (*scenario).googleSteps},
	{"Microsoft console", (*scenario).microsoftSteps},
	{"MSAL", (*scenario).msalSteps},
	{"Trackdéchets", (*scenario).trackdechetsSteps},
	{"application under test", (*scenario).appSteps},
	{"claims (mail, Trackdéchets)", (*scenario).claimsMailSteps},
	{"Microsoft claims", (*scenario).claimsMicrosoftSteps},
	{"request loops", (*scenario).floodSteps},
	{"Exchange errors", (*scenario).exchangeErrorSteps},
	{"SMTP messages", (*scenario).smtpMessageSteps},
}

// register registers every step definition of s with godog.
func (s *scenario) register(sc *godog.ScenarioContext) {
	for _, c := range concerns {
		for _, d := range c.defs(s) {
			sc.Step(compiled(d.pattern), d.fn)
		}
	}
}

// patterns are the step patterns compiled once for every scenario (godog
// compiles a string pattern at each registration, a quarter of a run's
// time otherwise); a *regexp.Regexp is safe for concurrent use.
var patterns sync.Map

func compiled(pattern string) *regexp.Regexp {
	if re, ok := patterns.Load(pattern); ok {
		return re.(*regexp.Regexp)
	}
	re, _ := patterns.LoadOrStore(pattern, regexp.MustCompile(pattern))
	return re.(*regexp.Regexp)
}

// Definition is one step definition as a feature's author sees it.
type Definition struct {
	// Concern is the group it belongs to ("OAuth flows", "mail", ...).
	Concern string `json:"concern"`
	// Pattern is the regular expression a step's text must match.
	Pattern string `json:"pattern"`
	// Doc says in one line what the step does.
	Doc string `json:"doc"`
}

// Definitions are every step definition Initialize registers, by concern,
// in registration order.
func Definitions() []Definition {
	var defs []Definition
	for _, c := range concerns {
		for _, d := range c.defs(&scenario{}) {
			defs = append(defs, Definition{Concern: c.name, Pattern: d.pattern, Doc: d.doc})
		}
	}
	return defs
}
