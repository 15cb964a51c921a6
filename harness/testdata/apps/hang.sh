#!/bin/sh
# Never answers.
sleep 300
