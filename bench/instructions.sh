#!/bin/sh
# Instructions per request for sdk_plugin and raw_plugin, counted by callgrind: exact and
# repeatable (same binary => same counts), unlike the timings.
#
#   bench/instructions.sh <bench_requests> [--detail <bench_requests_named>] [--requests N]
#
# For each plugin, two runs of the timed loop only (callgrind --toggle-collect=bench_loop_*):
#   total   everything per request: plugin, host imports, and the driver's map reset
#   plugin  the same with the host imports excluded (--toggle-collect on Z_envZ_* turns
#           collection off inside every import, including the allocation an import makes
#           with the module's malloc), i.e. the plugin's own instructions
# and per exported callback. --detail adds the SDK plugin's own instructions per
# function, from the named build (same code, function names kept).
set -eu

bench=${1:?usage: instructions.sh <bench_requests> [--detail <bench_requests_named>] [--requests N]}
shift
named=""
requests=5000
while [ $# -gt 0 ]; do
  case "$1" in
    --detail) named=${2:?}; shift 2 ;;
    --requests) requests=${2:?}; shift 2 ;;
    *) echo "instructions.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

if ! command -v valgrind >/dev/null 2>&1; then
  echo "instructions.sh: valgrind is not installed; skipping instruction counts"
  exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run <binary> <plugin> <out> [extra toggle]: callgrind over `requests` requests. No warm-up:
# --toggle-collect flips collection, so a host import called outside the timed loop would
# be switched on; one-time costs (first allocation, table growth) amortize to < 0.1/request.
run() {
  bin=$1 plugin=$2 out=$3
  shift 3
  valgrind --tool=callgrind --callgrind-out-file="$out" --collect-atstart=no \
    --toggle-collect='bench_loop_*' "$@" \
    "$bin" --only "$plugin" --mode real --runs 1 --warmup 0 --requests "$requests" >/dev/null 2>"$out.log" || {
    cat "$out.log" >&2
    exit 1
  }
}

# inclusive <out> <function regex>: inclusive Ir of the matching functions / requests
inclusive() {
  callgrind_annotate --inclusive=yes --threshold=100 "$1" 2>/dev/null |
    awk -v re="$2" -v n="$requests" '
      $0 ~ re && $0 ~ /\[/ { gsub(",", "", $1); s += $1; found = 1 }
      END { if (found) printf "%.0f", s / n; else printf "0" }'
}
# total <out>: all collected Ir / requests
total() {
  callgrind_annotate "$1" 2>/dev/null | awk -v n="$requests" '/PROGRAM TOTALS/ { gsub(",", "", $1); printf "%.0f", $1 / n }'
}

for p in raw sdk; do
  run "$bench" "$p" "$tmp/$p.total"
  run "$bench" "$p" "$tmp/$p.plugin" --toggle-collect='Z_envZ_*'
done

callbacks="proxy_on_context_create proxy_on_request_headers proxy_on_response_headers proxy_on_done proxy_on_delete"
echo "Instructions per request (callgrind, $requests requests; host = real):"
echo "  total = plugin + host imports (+ driver); plugin = with the host imports excluded"
echo ""
printf '| %-26s | %9s | %9s | %9s | %9s | %12s |\n' "callback" "raw total" "raw plugin" "sdk total" "sdk plugin" "sdk-raw plugin"
printf '|%s|%s|%s|%s|%s|%s|\n' "----------------------------" "----------:" "----------:" "----------:" "----------:" "--------------:"
for cb in $callbacks; do
  rt=$(inclusive "$tmp/raw.total" "Z_raw_pluginZ_${cb} ")
  rp=$(inclusive "$tmp/raw.plugin" "Z_raw_pluginZ_${cb} ")
  st=$(inclusive "$tmp/sdk.total" "Z_sdk_pluginZ_${cb} ")
  sp=$(inclusive "$tmp/sdk.plugin" "Z_sdk_pluginZ_${cb} ")
  printf '| %-26s | %9s | %10s | %9s | %10s | %+14d |\n' "$cb" "$rt" "$rp" "$st" "$sp" $((sp - rp))
done
rt=$(total "$tmp/raw.total"); rp=$(total "$tmp/raw.plugin")
st=$(total "$tmp/sdk.total"); sp=$(total "$tmp/sdk.plugin")
printf '| %-26s | %9s | %10s | %9s | %10s | %+14d |\n' "per request (with driver)" "$rt" "$rp" "$st" "$sp" $((sp - rp))
awk -v s="$st" -v r="$rt" -v sp="$sp" -v rp="$rp" 'BEGIN { printf "sdk/raw: %.2fx total, %.2fx plugin-only\n", s / r, sp / rp }'

if [ -n "$named" ]; then
  run "$named" sdk "$tmp/sdk.named" --toggle-collect='Z_envZ_*'
  run "$named" raw "$tmp/raw.named" --toggle-collect='Z_envZ_*'
  # calls <out> <alloc|free>: allocator calls per request made by plugin code, from the
  # callgrind file (fn=/cfn= names are compressed to "(id)" after their first use). Call
  # counts are recorded even where collection is off, so calls made for the host (through
  # the malloc export) and calls between the allocator's own functions are left out.
  calls() {
    awk -v kind="$2" -v n="$requests" '
      function base(f) { sub(/\.part\.[0-9]+$/, "", f); return f }
      function allocator(f) { f = base(f); return f == "w2c_malloc" || f == "w2c_dlmalloc" || f == "w2c_free" }
      function wanted(f) { f = base(f); return kind == "free" ? f == "w2c_free" : (f == "w2c_malloc" || f == "w2c_dlmalloc") }
      /^c?fn=\(/ {
        id = $1; sub(/^c?fn=/, "", id); name = $0; sub(/^c?fn=\([0-9]+\) ?/, "", name)
        if (name != "") names[id] = name
        if ($0 ~ /^cfn=/) callee = names[id]; else caller = names[id]
        next
      }
      /^calls=/ {
        c = $1; sub(/^calls=/, "", c)
        if (wanted(callee) && !allocator(caller) && caller !~ /^Z_.*Z_(malloc|proxy_on_memory_allocate)$/ &&
            caller != "w2c_proxy_on_memory_allocate") total += c
        next
      }
      END { printf "%.2f", total / n }' "$1"
  }
  echo ""
  echo "Allocator calls made by plugin code per request (the host's allocation of the :path"
  echo "value through the malloc export is not counted; both plugins free it):"
  printf '  raw_plugin: %s malloc, %s free\n' "$(calls "$tmp/raw.named" alloc)" "$(calls "$tmp/raw.named" free)"
  printf '  sdk_plugin: %s malloc, %s free\n' "$(calls "$tmp/sdk.named" alloc)" "$(calls "$tmp/sdk.named" free)"
  echo ""
  echo "sdk_plugin's own instructions per request, by function (self cost; named build, same code;"
  echo "host imports excluded; wasm2c names: w2c_<function>, Z_sdk_pluginZ_<export> = export wrapper):"
  callgrind_annotate --auto=no --threshold=100 "$tmp/sdk.named" 2>/dev/null |
    awk -v n="$requests" '
      /file:function/ { on = 1; next }
      on && NF == 0 { exit }
      on && $1 ~ /^[0-9,]+$/ {
        gsub(",", "", $1); v = $1 / n
        line = $0; sub(/^ *[0-9,]+ *\([^)]*\) */, "", line); sub(/ \[[^]]*\]$/, "", line)
        file = line; sub(/:.*/, "", file); sub(/^[^:]*:/, "", line)
        if (file !~ /sdk_plugin\.c$/) { other += v; next }
        if (v >= 0.5) printf "%8.1f  %s\n", v, line
      }
      END { printf "%8.1f  (outside the plugin: the driver loop and its header-map reset)\n", other }'
fi
