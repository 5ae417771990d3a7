# shellcheck shell=bash
# Shared by bench/compare.sh, bench/pixel-door.sh and bench/inline-ab.sh (sourced from the repository's
# root): the processes a script started, the loopback ports it takes, and a little arithmetic.
# The sourcing script declares `started=()` and sets `next_port` before its first alloc_port.
# shellcheck disable=SC2154  # started: the sourcing script's

# stop_started: TERM to every process in `started`, up to 10 s each to exit, then KILL.
stop_started() {
  local pid
  for pid in "${started[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${started[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
}

# alloc_port VAR: the next loopback port from `next_port` on that nothing listens on, into VAR.
alloc_port() {
  while ! clickhouse/private-server.sh port-free "$next_port"; do next_port=$((next_port + 1)); done
  printf -v "$1" '%s' "$next_port"
  next_port=$((next_port + 1))
}

# calc EXPR [DECIMALS]: EXPR evaluated by awk, printed with DECIMALS decimals (0 by default).
calc() { awk "BEGIN { printf \"%.${2:-0}f\", ($1) }"; }

# cpu_ticks PID: utime + stime of a live process, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
