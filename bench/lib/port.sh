# bench/lib/port.sh — waiting for a server the bench just started (sourced by bench/run,
# bench/profile and the HTTP tools in bench/tools/).

# PORT PID [TENTHS]: true once something accepts connections on 127.0.0.1:PORT while the process
# PID still runs; false as soon as PID has exited (a server that cannot bind its port exits), or
# after TENTHS tenths of a second (default 300: a server under valgrind starts slowly).
wait_for_port() {
  local port=$1 pid=$2 tries=${3:-300}
  for _ in $(seq "$tries"); do
    kill -0 "$pid" 2>/dev/null || return 1
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}
