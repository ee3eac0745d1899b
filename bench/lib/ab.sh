# bench/lib/ab.sh — what the before/after tools (bench/tools/ab-*) share: starting the servers
# they compare (stopped when the tool exits), a number read from a run's JSON line, the median
# of a run-by-run list, a count per request, and where `AB_PIN=1` runs servers and load.
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

per_request() { # COUNT REQUESTS SCALE FORMAT: COUNT * SCALE / REQUESTS (nothing when none answered)
  awk -v x="$1" -v n="${2:-0}" -v scale="$3" -v f="$4" 'BEGIN { if (n > 0) printf f, x * scale / n }'
}

# With AB_PIN=1, the servers go on CPU 0 and the load (and, for the proxy, the upstream) on CPU 1,
# wrk with one thread: a server's CPU per call without the load generator preempting it, as on a
# machine where it has a core of its own. Sets SERVER_CPU and LOAD_CPU (command prefixes, empty
# without AB_PIN) and WRK_THREADS; true when pinned.
pin_setup() {
  SERVER_CPU=() LOAD_CPU=() WRK_THREADS=2
  [[ ${AB_PIN:-} == 1 ]] || return 1
  command -v taskset >/dev/null || { echo "${0##*/}: AB_PIN=1 needs taskset (util-linux)" >&2; exit 1; }
  (($(nproc) >= 2)) || { echo "${0##*/}: AB_PIN=1 needs 2 CPUs" >&2; exit 1; }
  SERVER_CPU=(taskset -c 0) LOAD_CPU=(taskset -c 1) WRK_THREADS=1
}
