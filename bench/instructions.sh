#!/bin/sh
# Instructions per request for each pair of benchmark modules, and per start-up for two
# examples, counted by callgrind: exact and repeatable (same binary => same counts), unlike
# the timings.
#
#   bench/instructions.sh <bench_requests> [--detail <bench_requests_named>] [--requests N]
#                         [--pairs headers,body,log,logdebug] [--startup] [--json FILE]
#
# For each module, runs of its timed loop only (callgrind --toggle-collect=bench_loop_*):
#   total   everything per request: plugin, host imports, and the driver's map reset
#   plugin  the same with the host imports excluded (--toggle-collect on Z_envZ_* turns
#           collection off inside every import, including the allocation an import makes
#           with the module's malloc), i.e. the plugin's own instructions
# and per exported callback. --detail takes the plugin-only counts from the named build
# (same code, function names kept) and adds the allocator calls made by plugin code per
# request for every module and sdk_plugin's own instructions per function. --startup adds
# hello_world's and http_headers' start-up (bench_start_*: _initialize, the root context,
# proxy_on_vm_start, proxy_on_configure), total and plugin-only. --json writes the same
# figures as one JSON object (docs/performance.md describes its shape).
set -eu

usage="usage: instructions.sh <bench_requests> [--detail <bench_requests_named>] [--requests N] [--pairs p,q] [--startup] [--json FILE]"
bench=${1:?$usage}
shift
named=""
requests=5000
pairs="headers,body,log,logdebug"
startup=""
json=""
while [ $# -gt 0 ]; do
  case "$1" in
    --detail) named=${2:?}; shift 2 ;;
    --requests) requests=${2:?}; shift 2 ;;
    --pairs) pairs=${2:?}; shift 2 ;;
    --startup) startup=1; shift ;;
    --json) json=${2:?}; shift 2 ;;
    *) echo "instructions.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

if ! command -v valgrind >/dev/null 2>&1; then
  echo "instructions.sh: valgrind is not installed; skipping instruction counts"
  if [ -n "$json" ]; then
    printf '{"skipped": "valgrind is not installed"}\n' >"$json"
  fi
  exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# pair_modules <pair>: "a b"; pair_callbacks <pair>: the exports its request shape calls.
pair_modules() {
  case "$1" in
    headers) echo "raw_plugin sdk_plugin" ;;
    body) echo "raw_body sdk_body" ;;
    log) echo "raw_log sdk_log" ;;
    logdebug) echo "sdk_plugin sdk_logdebug" ;;
    *) echo "instructions.sh: unknown pair $1" >&2; exit 2 ;;
  esac
}
pair_callbacks() {
  case "$1" in
    body) echo "proxy_on_context_create proxy_on_request_headers proxy_on_request_body proxy_on_response_headers proxy_on_done proxy_on_delete" ;;
    log) echo "proxy_on_context_create proxy_on_request_headers proxy_on_response_headers proxy_on_log proxy_on_done proxy_on_delete" ;;
    *) echo "proxy_on_context_create proxy_on_request_headers proxy_on_response_headers proxy_on_done proxy_on_delete" ;;
  esac
}
# A pair that drives module <m> (its request shape).
pair_of() {
  case "$1" in
    raw_plugin | sdk_plugin) echo headers ;;
    raw_body | sdk_body) echo body ;;
    raw_log | sdk_log) echo log ;;
    sdk_logdebug) echo logdebug ;;
  esac
}

pairs=$(echo "$pairs" | tr ',' ' ')
modules=""
for p in $pairs; do
  for m in $(pair_modules "$p"); do
    case " $modules " in *" $m "*) ;; *) modules="$modules $m" ;; esac
  done
done

# run <binary> <out> <callgrind options and program arguments...>: callgrind, collection
# off at start. No warm-up: --toggle-collect flips collection, so a host import called
# outside the timed loop would be switched on; one-time costs (the start, first
# allocations, table growth) amortize to < 0.1/request at 5000 requests.
run() {
  bin=$1 out=$2
  shift 2
  valgrind --tool=callgrind --callgrind-out-file="$out" --collect-atstart=no "$@" >/dev/null 2>"$out.log" || {
    cat "$out.log" >&2
    exit 1
  }
  callgrind_annotate --inclusive=yes --threshold=100 "$out" >"$out.incl" 2>/dev/null
}
loop_args() {  # <binary> <module>
  echo "--toggle-collect=bench_loop_* $1 --pairs $(pair_of "$2") --only $2 --mode real --runs 1 --warmup 0 --requests $requests"
}

# Two at a time (2 cores): the total run and the plugin-only run of each module.
plugin_bin=${named:-$bench}
for m in $modules; do
  # shellcheck disable=SC2046
  run "$bench" "$tmp/$m.total" $(loop_args "$bench" "$m") &
  # shellcheck disable=SC2046
  run "$plugin_bin" "$tmp/$m.plugin" --toggle-collect='Z_envZ_*' $(loop_args "$plugin_bin" "$m") &
  wait
done
if [ -n "$startup" ]; then
  for ex in hello_world http_headers; do
    run "$bench" "$tmp/$ex.start_total" --toggle-collect='bench_start_*' "$bench" --startup "$ex" &
    run "$bench" "$tmp/$ex.start_plugin" --toggle-collect='bench_start_*' --toggle-collect='Z_envZ_*' "$bench" --startup "$ex" &
    wait
  done
fi

# inclusive <out> <function regex> <divisor>: inclusive Ir of the matching functions / divisor
inclusive() {
  awk -v re="$2" -v n="$3" '
    $0 ~ re && $0 ~ /\[/ { gsub(",", "", $1); s += $1; found = 1 }
    END { if (found) printf "%.0f", s / n; else printf "0" }' "$1.incl"
}
# total <out> <divisor>: all collected Ir / divisor
total() {
  awk -v n="$2" '/PROGRAM TOTALS/ { gsub(",", "", $1); printf "%.0f", $1 / n }' "$1.incl"
}

js() { [ -z "$json" ] || printf "$@" >>"$tmp/json"; }
js '{"requests": %s, "pairs": [' "$requests"

echo "Instructions per request (callgrind, $requests requests; host = real):"
echo "  total = plugin + host imports (+ driver); plugin = with the host imports excluded"
first_pair=1
for p in $pairs; do
  set -- $(pair_modules "$p")
  a=$1 b=$2
  echo ""
  echo "$p: a = $a, b = $b"
  echo ""
  printf '| %-26s | %9s | %9s | %9s | %9s | %10s |\n' "callback" "a total" "a plugin" "b total" "b plugin" "b-a plugin"
  printf '|%s|%s|%s|%s|%s|%s|\n' "----------------------------" "----------:" "----------:" "----------:" "----------:" "------------:"
  [ $first_pair = 1 ] || js ','
  first_pair=0
  js '\n  {"pair": "%s", "a": "%s", "b": "%s", "rows": [' "$p" "$a" "$b"
  first_row=1
  for cb in $(pair_callbacks "$p") per_request; do
    if [ "$cb" = per_request ]; then
      label="per request (with driver)"
      at=$(total "$tmp/$a.total" "$requests"); ap=$(total "$tmp/$a.plugin" "$requests")
      bt=$(total "$tmp/$b.total" "$requests"); bp=$(total "$tmp/$b.plugin" "$requests")
    else
      label=$cb
      at=$(inclusive "$tmp/$a.total" "Z_${a}Z_${cb} " "$requests")
      ap=$(inclusive "$tmp/$a.plugin" "Z_${a}Z_${cb} " "$requests")
      bt=$(inclusive "$tmp/$b.total" "Z_${b}Z_${cb} " "$requests")
      bp=$(inclusive "$tmp/$b.plugin" "Z_${b}Z_${cb} " "$requests")
    fi
    # A callback neither module exports (the SDK omits the ones no context overrides).
    [ "$at$ap$bt$bp" != 0000 ] || continue
    printf '| %-26s | %9s | %9s | %9s | %9s | %+10d |\n' "$label" "$at" "$ap" "$bt" "$bp" $((bp - ap))
    [ $first_row = 1 ] || js ','
    first_row=0
    js '\n    {"callback": "%s", "a_total": %s, "a_plugin": %s, "b_total": %s, "b_plugin": %s}' \
      "$label" "$at" "$ap" "$bt" "$bp"
  done
  js ']}'
  awk -v b="$bt" -v a="$at" -v bp="$bp" -v ap="$ap" 'BEGIN { printf "b/a: %.2fx total, %.2fx plugin-only\n", b / a, bp / ap }'
done
js '\n]'

if [ -n "$named" ]; then
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
  echo "Allocator calls made by plugin code per request (allocations the host makes through the"
  echo "malloc export, to hand data over, are not counted; the plugin's free of them is):"
  echo ""
  echo "| module         | malloc |   free |"
  echo "|----------------|-------:|-------:|"
  js ',\n"allocations": ['
  first=1
  for m in $modules; do
    ma=$(calls "$tmp/$m.plugin" alloc)
    fr=$(calls "$tmp/$m.plugin" free)
    printf '| %-14s | %6s | %6s |\n' "$m" "$ma" "$fr"
    [ $first = 1 ] || js ','
    first=0
    js '\n  {"module": "%s", "malloc": %s, "free": %s}' "$m" "$ma" "$fr"
  done
  js '\n]'
  case " $modules " in
    *" sdk_plugin "*)
      echo ""
      echo "sdk_plugin's own instructions per request, by function (self cost; named build, same code;"
      echo "host imports excluded; wasm2c names: w2c_<function>, Z_sdk_pluginZ_<export> = export wrapper):"
      echo ""
      callgrind_annotate --auto=no --threshold=100 "$tmp/sdk_plugin.plugin" 2>/dev/null |
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
          END { printf "%8.1f  (outside the plugin: the driver loop and its header-map reset)\n", other }' >"$tmp/detail"
      cat "$tmp/detail"
      js ',\n"sdk_plugin_functions": ['
      awk '{ v = $1; $1 = ""; sub(/^ /, ""); gsub(/\\/, "\\\\"); gsub(/"/, "\\\""); printf "%s\n  {\"function\": \"%s\", \"instructions\": %s}", (NR > 1 ? "," : ""), $0, v }' \
        "$tmp/detail" >"$tmp/json.detail"
      [ -z "$json" ] || cat "$tmp/json.detail" >>"$tmp/json"
      js '\n]'
      ;;
  esac
fi

if [ -n "$startup" ]; then
  echo ""
  echo "Start-up instructions (callgrind, one start: _initialize, proxy_on_context_create(root),"
  echo "proxy_on_vm_start, proxy_on_configure; total = with the host imports, plugin = without):"
  echo ""
  echo "| example      | step                    |    total |   plugin |"
  echo "|--------------|-------------------------|---------:|---------:|"
  js ',\n"startup": ['
  first=1
  for ex in hello_world http_headers; do
    [ $first = 1 ] || js ','
    first=0
    js '\n  {"example": "%s", "rows": [' "$ex"
    first_row=1
    for step in _initialize proxy_on_context_create proxy_on_vm_start proxy_on_configure start-up; do
      if [ "$step" = start-up ]; then
        t=$(total "$tmp/$ex.start_total" 1); pl=$(total "$tmp/$ex.start_plugin" 1)
      else
        t=$(inclusive "$tmp/$ex.start_total" "Z_${ex}Z_${step} " 1)
        pl=$(inclusive "$tmp/$ex.start_plugin" "Z_${ex}Z_${step} " 1)
      fi
      printf '| %-12s | %-23s | %8s | %8s |\n' "$ex" "$step" "$t" "$pl"
      [ $first_row = 1 ] || js ','
      first_row=0
      js '\n    {"step": "%s", "total": %s, "plugin": %s}' "$step" "$t" "$pl"
    done
    js ']}'
  done
  js '\n]'
fi

if [ -n "$json" ]; then
  # The fragments form one object: requests, pairs, allocations, sdk_plugin_functions, startup.
  { cat "$tmp/json"; printf '}\n'; } >"$json"
fi
