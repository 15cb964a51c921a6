package steps

import (
	"context"
	"fmt"
)

// floodSteps send the same token request many times in a row, as an
// application in a loop does, and poll a device code at its interval for
// a code's whole life: what Entra's loop detection (M-14) must and must
// not refuse.
func (s *scenario) floodSteps() []stepDef {
	return []stepDef{
		{`^the application refreshes the token (\d+) times(, getting a token each time)?$`,
			"n refreshes in a row with the application's latest refresh token; each must get a token if said so (M-14)", s.refreshesTimes},
		{`^the application posts "([^"]*)" to the token endpoint (\d+) times(, getting a token each time)?$`,
			"n posts of a form body of the scenario's own to the token endpoint; each must get a token if said so (M-14)", s.postsTimes},
		{`^the device polls the token endpoint every (\d+) seconds?, (\d+) times, answered "([^"]*)" each time$`,
			"n device token requests, the world's clock moved by the interval before each; each must be answered that error (M-05)", s.pollsEvery},
	}
}

// refreshesTimes is the application refreshing n times in a row; with
// each, every refresh must get a token.
func (s *scenario) refreshesTimes(ctx context.Context, n int, each string) error {
	return s.times(n, each != "", func() error { return s.refreshes(ctx, "") })
}

// postsTimes is the application posting body to the token endpoint n
// times in a row (ROPC in a loop); with each, every post must get a token.
func (s *scenario) postsTimes(ctx context.Context, body string, n int, each string) error {
	return s.times(n, each != "", func() error { return s.postsToToken(ctx, body, "", "") })
}

// times runs request n times; with tokens, each reply must be a 200.
func (s *scenario) times(n int, tokens bool, request func() error) error {
	for i := range n {
		if err := request(); err != nil {
			return err
		}
		if !tokens {
			continue
		}
		if err := s.serverAnswers(200, "", ""); err != nil {
			return fmt.Errorf("request %d of %d: %w", i+1, n, err)
		}
	}
	return nil
}

// pollsEvery is the device polling n times, the world's clock moved by
// the interval before each poll; each must be answered the error want.
func (s *scenario) pollsEvery(ctx context.Context, interval, n int, want string) error {
	for i := range n {
		if err := s.timePasses(interval, "seconds"); err != nil {
			return err
		}
		if err := s.devicePolls(ctx); err != nil {
			return err
		}
		if err := s.serverAnswers(400, want, ""); err != nil {
			return fmt.Errorf("poll %d of %d, %d s after the code: %w", i+1, n, (i+1)*interval, err)
		}
	}
	return nil
}
