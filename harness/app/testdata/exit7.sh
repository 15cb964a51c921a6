#!/bin/sh
# An exit status the contract does not know.
exit 7
