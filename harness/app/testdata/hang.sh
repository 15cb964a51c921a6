#!/bin/sh
# Never ends, with a child of its own whose pid it writes to $PIDFILE.
sleep 300 &
echo $! > "$PIDFILE"
sleep 300
