#!/bin/sh
# Answers every action: fetch with a subject list, fail with an error,
# 3 for what it does not do.
case "$1" in
fetch) echo "reading"; echo '{"subjects": ["Bonjour"]}' ;;
send) echo "the server said no" >&2; echo '{"error": "sign in again"}'; exit 1 ;;
pop) echo "cannot open the maildrop" >&2; exit 1 ;;
api) exit 3 ;;
env) env ;;
*) echo '{}' ;;
esac
