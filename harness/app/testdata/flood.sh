#!/bin/sh
# Prints without end.
yes "megabytes of output"
