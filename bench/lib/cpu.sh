# bench/lib/cpu.sh — CPU time per request of a load run and of the processes it loads (sourced
# by bench/run and bench/tools/sched-http). On 2 shared cores throughput follows 1 / (the CPU
# time all processes spend per request), and CPU time moves less from run to run than req/s.

cpu_ticks() { # PID: its user + system CPU time so far, in clock ticks (all its threads)
  awk '{ print $14 + $15 }' "/proc/$1/stat"
}
system_ticks() { # PID: the system part of cpu_ticks
  awk '{ print $15 }' "/proc/$1/stat"
}
# PID KIND: its context switches so far, KIND voluntary or nonvoluntary, summed over its threads
# (threads that have exited are not counted; a server's runtime threads live as long as it does)
context_switches() {
  cat /proc/"$1"/task/*/status | awk -v k="$2_ctxt_switches:" '$1 == k { s += $2 } END { print s + 0 }'
}
# COMMAND...: runs it and prints its JSON result (the wrk scripts' `JSON {...}` line, or the
# line starting with `{` that mcpbench prints), then `TICKS n`, its CPU time once reaped (this
# shell's children's time, /proc/PID/stat fields 16–17).
with_cpu_ticks() {
  bash -c '"$@" | sed -n -e "s/^JSON //p" -e t -e "/^{/p"; s=($(</proc/$$/stat)); echo "TICKS $(( s[15] + s[16] ))"' with_cpu_ticks "$@"
}
# OUTPUT [ROLE PID TICKS]...: with_cpu_ticks' OUTPUT as its JSON result with CPU microseconds
# per request added: cpu_client_us (the load generator), cpu_ROLE_us for each process named
# (e.g. server, upstream; TICKS is its CPU time before the run), and cpu_all_us, their sum.
with_cpu_per_request() {
  local json ticks used="" hz
  json=$(sed -n '/^{/p' <<<"$1")
  ticks=$(sed -n 's/^TICKS //p' <<<"$1")
  [[ -n $json && -n $ticks ]] || return 0
  shift
  while [[ $# -ge 3 ]]; do
    used+="$1=$(( $(cpu_ticks "$2") - $3 )) "
    shift 3
  done
  hz=$(getconf CLK_TCK)
  awk -v json="$json" -v client="$ticks" -v used="$used" -v hz="$hz" 'BEGIN {
    match(json, /"requests":[0-9]+/); n = substr(json, RSTART + 11, RLENGTH - 11) + 0
    if (n == 0) { print json; exit }
    us = 1e6 / hz / n
    extra = sprintf("\"cpu_client_us\":%.2f", client * us)
    all = client
    count = split(used, roles, " ")
    for (i = 1; i <= count; i++) {
      split(roles[i], role, "=")
      extra = extra sprintf(",\"cpu_%s_us\":%.2f", role[1], role[2] * us)
      all += role[2]
    }
    extra = extra sprintf(",\"cpu_all_us\":%.2f", all * us)
    sub(/}$/, "," extra "}", json); print json
  }'
}
