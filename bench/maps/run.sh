#!/usr/bin/env bash
# Benchmark mmtrace maps against the tools it replaces, on a process with many regions:
#
#   mmtrace maps PID            against  pmap -X PID           (both read smaps)
#   mmtrace maps --no-smaps PID against  cat /proc/PID/maps    (both read maps only)
#
# Rounds are interleaved (A B A B ...) so that drift in the machine's state hits both sides
# alike; each prints its medians and the ratio of medians. Output goes to /dev/null: this
# measures reading, parsing, classifying and formatting, not the terminal.
#
#   bench/maps/run.sh [REGIONS [ROUNDS]]     (defaults 60000 and 21)
set -euo pipefail

regions=${1:-60000}
rounds=${2:-21}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=$(mktemp -d)
target=
cleanup() {
	[ -n "$target" ] && exec 3>&- && wait "$target" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

(cd "$root" && CGO_ENABLED=0 go build -o "$work/mmtrace" ./cmd/mmtrace)
cc -O2 -o "$work/many" "$here/many.c"

# The target lives until fd 3 (its stdin) is closed.
mkfifo "$work/in" "$work/out"
"$work/many" "$regions" "$work" <"$work/in" >"$work/out" &
target=$!
exec 3>"$work/in"
read -r ready <"$work/out"
[ "$ready" = ready ] || { echo "target did not start" >&2; exit 1; }
echo "target pid $target: $(wc -l </proc/$target/maps) regions; $rounds interleaved rounds"

# now prints the time in microseconds.
now() { local t=${EPOCHREALTIME/./}; echo "$t"; }

# bench NAME_A NAME_B -- A... -- B...: interleaved rounds, medians, ratio B/A.
bench() {
	local name_a=$1 name_b=$2; shift 2
	local -a a=() b=()
	shift # --
	while [ "$1" != -- ]; do a+=("$1"); shift; done
	shift
	b=("$@")
	local -a ta=() tb=()
	"${a[@]}" >/dev/null; "${b[@]}" >/dev/null # warm the page cache and the binaries
	for ((i = 0; i < rounds; i++)); do
		local t0 t1 t2
		t0=$(now); "${a[@]}" >/dev/null; t1=$(now); "${b[@]}" >/dev/null; t2=$(now)
		ta+=($((t1 - t0))); tb+=($((t2 - t1)))
	done
	local ma mb
	ma=$(printf '%s\n' "${ta[@]}" | sort -n | sed -n "$((rounds / 2 + 1))p")
	mb=$(printf '%s\n' "${tb[@]}" | sort -n | sed -n "$((rounds / 2 + 1))p")
	printf '%-28s median %8.1f ms\n' "$name_a" "$(echo "$ma / 1000" | bc -l)"
	printf '%-28s median %8.1f ms\n' "$name_b" "$(echo "$mb / 1000" | bc -l)"
	printf '%-28s %.2f x\n\n' "ratio" "$(echo "$mb / $ma" | bc -l)"
}

bench "pmap -X" "mmtrace maps" -- pmap -X "$target" -- "$work/mmtrace" maps "$target"
bench "cat /proc/PID/maps" "mmtrace maps --no-smaps" -- cat "/proc/$target/maps" -- "$work/mmtrace" maps --no-smaps "$target"
