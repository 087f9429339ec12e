# Shell helpers shared by the benchmark scripts in this folder; sourced, not run.

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
die() { log "error: $*"; exit 1; }

# A TCP port on 127.0.0.1 that is free right now.
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Waits until something accepts TCP connections on the port while process $2 is alive (at most 30 s).
wait_for_port() {
    local port=$1 pid=$2 name=$3
    for _ in $(seq 300); do
        kill -0 "$pid" 2>/dev/null || { log "$name exited during start-up"; return 1; }
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    log "$name did not accept connections on port $port within 30 s"
    return 1
}

# SIGTERM, up to 5 s to exit, then SIGKILL. An empty or finished pid is fine.
stop_pid() {
    local pid=$1
    [[ -n $pid ]] || return 0
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
}

# CPU time (user + system) process $1 used so far, in clock ticks (CLK_TCK per second).
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
CLK_TCK=$(getconf CLK_TCK)

# Creates Mosquitto's log file $1 writable by everyone: started as root, mosquitto drops to its own user before it
# opens the file, and cannot create one in a root-owned folder (it then logs nothing and says so on stderr).
mosquitto_log_file() { : >"$1"; chmod 666 "$1"; }
