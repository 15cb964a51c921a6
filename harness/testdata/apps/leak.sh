#!/bin/sh
# Fails when its state directory holds what another scenario left there;
# keeps a token file there otherwise.
if [ -n "$(ls -A "$MAILOAUTH_STATE_DIR")" ]; then
  echo '{"error": "state leaked from another scenario"}'
  exit 1
fi
echo "tok" > "$MAILOAUTH_STATE_DIR/tokens"
echo "$MAILOAUTH_STATE_DIR" >> "$LEAK_LOG"
echo '{}'
