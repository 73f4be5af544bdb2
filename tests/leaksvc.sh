# Sourced by the tests that run the test service (tests/go/leaksvc) on
# 127.0.0.1: it is built once into $work, each instance started on a free
# port, and every instance killed when the test exits.
#   build_leaksvc SOURCE_DIR WORK_DIR   builds $WORK_DIR/leaksvc (exit 1 with a FAIL line)
#   start_leaksvc NAME [FLAGS...]       starts one; its port in $WORK_DIR/NAME.port (exit 1 if it does not start)
leaksvc_pids=()
trap 'for p in "${leaksvc_pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done' EXIT
build_leaksvc() {
  leaksvc_work=$2
  (cd "$1/tests/go/leaksvc" && GOFLAGS=-mod=mod GOPROXY=off GOCACHE="$leaksvc_work/gocache" go build -o "$leaksvc_work/leaksvc" .) ||
    { echo "FAIL: cannot build tests/go/leaksvc"; exit 1; }
}
start_leaksvc() {
  local name=$1; shift
  rm -f "$leaksvc_work/$name.port"
  "$leaksvc_work/leaksvc" -addr 127.0.0.1:0 -portfile "$leaksvc_work/$name.port" "$@" >"$leaksvc_work/$name.log" 2>&1 &
  leaksvc_pids+=($!)
  for _ in $(seq 100); do [ -s "$leaksvc_work/$name.port" ] && break; sleep 0.1; done
  [ -s "$leaksvc_work/$name.port" ] || { echo "FAIL: the test service $name did not start"; exit 1; }
}
