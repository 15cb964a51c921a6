#!/bin/sh
# Does nothing the suite asks.
echo "this application only sends mail" >&2
exit 3
