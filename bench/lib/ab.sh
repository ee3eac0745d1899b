# bench/lib/ab.sh — what the before/after tools (bench/tools/ab-*) share: starting the servers
# they compare (stopped when the tool exits), a number read from a run's JSON line, and the
# median of a run-by-run list.
# Needs bench/lib/port.sh sourced first.

pids=() # the servers started, in order
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT

start() { # PORT CMD...: starts CMD in the background and waits until PORT accepts
  local port=$1
  shift
  "$@" >/dev/null 2>&1 &
  pids+=($!)
  wait_for_port "$port" "$!" 100 && return
  echo "${0##*/}: $* did not start" >&2
  exit 1
}

field() { # NAME JSON: the number JSON holds under NAME (empty when it has none)
  sed -n "s/.*\"$1\":\([0-9.e+-]*\).*/\1/p" <<<"$2"
}

median() { # the median of the numbers on stdin (spaces or lines apart); – when there are none
  tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "–"; else print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
