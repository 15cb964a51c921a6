#!/bin/sh
# Ends at once, leaving a child behind that holds its stdout.
sleep 300 &
echo $! > "$PIDFILE"
echo '{}'
