#!/bin/sh
# The GitHub Action's steps (action.yml), in POSIX sh so that `make test`
# runs them without GitHub (cmd/mailoauth/action_test.go).
#
# action.sh start: start `mailoauth serve` in the background, wait for its
# manifest, and export MAILOAUTH_MANIFEST, MAILOAUTH_CA_FILE and
# MAILOAUTH_ADMIN_URL to $GITHUB_ENV (and manifest, ca-file, admin-url to
# $GITHUB_OUTPUT when set).
#   MAILOAUTH_BIN  the mailoauth binary (action.yml fetches or builds it)
#   INPUT_ARGS     more serve flags, split on white space
#   INPUT_WORLD    a world file (serve --config)
# action.sh run: run the @app scenarios with the job's application as the
# client (mailoauth run --app, docs/app-conformance.md); exits as run does.
#   INPUT_APP              the application's command (required)
#   INPUT_TAGS             a tag expression (default @app)
#   INPUT_EXPECT_FAILURES  a baseline file (--expect-failures)
#   INPUT_REPORT_DIR       where the reports go (default mailoauth-reports)
# action.sh stop: stop that serve with SIGTERM (MAILOAUTH_MANIFEST says
# which), wait for it to exit, and print its log.
set -eu
set -f # INPUT_ARGS is split on white space, never globbed

fail() {
  echo "mailoauth action: $*" >&2
  exit 1
}

start() {
  bin=${MAILOAUTH_BIN:-mailoauth}
  : "${GITHUB_ENV:?GITHUB_ENV is not set}"
  dir=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/mailoauth.XXXXXX")
  manifest=$dir/manifest.json
  set -- serve --state-dir "$dir" --manifest "$manifest"
  if [ -n "${INPUT_WORLD:-}" ]; then set -- "$@" --config "$INPUT_WORLD"; fi
  # shellcheck disable=SC2086 # split on purpose
  set -- "$@" ${INPUT_ARGS:-}
  # A subshell starts serve, waits for it and writes its exit status: the
  # steps see when it is gone, whoever reaps what. Neither holds the step's
  # output open, or the step would not end.
  (
    "$bin" "$@" >"$dir/stdout" 2>"$dir/serve.log" &
    echo $! >"$dir/serve.pid"
    status=0
    wait $! || status=$?
    echo "$status" >"$dir/exit"
  ) </dev/null >/dev/null 2>&1 &
  tries=0
  until [ -f "$manifest" ]; do
    if [ -f "$dir/exit" ]; then
      cat "$dir/serve.log" >&2
      fail "mailoauth serve exited ($(cat "$dir/exit")) before it was ready"
    fi
    tries=$((tries + 1))
    if [ $tries -gt 600 ]; then
      kill "$(cat "$dir/serve.pid")" 2>/dev/null || true
      cat "$dir/serve.log" >&2
      fail "no manifest after a minute"
    fi
    sleep 0.1
  done
  pid=$(cat "$dir/serve.pid")
  # The manifest is indented JSON: admin_url is a top-level key on a line
  # of its own (no jq needed).
  admin=$(sed -n 's/^  "admin_url": "\(.*\)",$/\1/p' "$manifest")
  [ -n "$admin" ] || fail "no admin_url in $manifest"
  {
    echo "MAILOAUTH_MANIFEST=$manifest"
    echo "MAILOAUTH_CA_FILE=$dir/ca.pem"
    echo "MAILOAUTH_ADMIN_URL=$admin"
  } >>"$GITHUB_ENV"
  if [ -n "${GITHUB_OUTPUT:-}" ]; then
    {
      echo "manifest=$manifest"
      echo "ca-file=$dir/ca.pem"
      echo "admin-url=$admin"
    } >>"$GITHUB_OUTPUT"
  fi
  echo "mailoauth serve ready (pid $pid): manifest $manifest, admin $admin"
}

stop() {
  : "${MAILOAUTH_MANIFEST:?MAILOAUTH_MANIFEST is not set: no mailoauth started in this job}"
  dir=$(dirname "$MAILOAUTH_MANIFEST")
  [ -f "$dir/serve.pid" ] || fail "no serve.pid in $dir"
  pid=$(cat "$dir/serve.pid")
  kill -TERM "$pid" 2>/dev/null || true
  tries=0
  until [ -f "$dir/exit" ]; do
    tries=$((tries + 1))
    if [ $tries -gt 150 ]; then
      kill -KILL "$pid" 2>/dev/null || true
      fail "mailoauth serve (pid $pid) did not stop within 15 s of SIGTERM"
    fi
    sleep 0.1
  done
  status=$(cat "$dir/exit")
  echo "mailoauth serve (pid $pid) stopped, exit status $status; its log:"
  cat "$dir/serve.log"
  rm -rf "$dir"
  [ "$status" = 0 ] || fail "mailoauth serve exited $status"
}

run() {
  bin=${MAILOAUTH_BIN:-mailoauth}
  [ -n "${INPUT_APP:-}" ] || fail "run needs the app input: the command of the application under test"
  set -- run --app "$INPUT_APP" --tags "${INPUT_TAGS:-@app}" --report-dir "${INPUT_REPORT_DIR:-mailoauth-reports}"
  if [ -n "${INPUT_EXPECT_FAILURES:-}" ]; then set -- "$@" --expect-failures "$INPUT_EXPECT_FAILURES"; fi
  exec "$bin" "$@"
}

case ${1:-} in
start) start ;;
run) run ;;
stop) stop ;;
*)
  echo "usage: action.sh start|run|stop" >&2
  exit 2
  ;;
esac
