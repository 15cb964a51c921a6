#!/bin/sh
# A last line that opens an object and is not one.
echo '{"oops"'
