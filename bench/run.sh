#!/usr/bin/env bash
# bench/run.sh: mmtrace's overhead against strace on the same workloads
# (issue 3). See bench/README.md for how to read the output.
#
#   bench/run.sh [--quick] [--rounds N] [--timeout S] [--keep] [--floor]
#   bench/run.sh --memcheck [--pairs N]
#
# Every round runs every workload once in each of four modes, in this order:
# untraced, strace, strace --seccomp-bpf, mmtrace. Interleaving the modes
# inside a round spreads slow drifts of the machine (thermal, other load) over
# all of them instead of charging them to whichever mode ran last.
#
# --floor adds three modes before mmtrace: bench/floor.c, the least a tracer
# with mmtrace's filter can do (it resumes each stop, reading nothing), the
# same reading the registers once a call, at its exit (floor -1), and at each
# stop (floor -r); a second table compares them with strace --seccomp-bpf and
# with mmtrace.
#
# Environment: MMTRACE=PATH uses that binary instead of building
# ./cmd/mmtrace; MMTRACE_FLAGS adds flags to `mmtrace trace` (word-split);
# CC picks the C compiler (default cc).
#
# Exit status: 0 all measured; 1 a run failed or bad usage; 3 mmtrace could
# not be measured (the other modes are still reported); for --memcheck, 4 if
# the peak RSS is over the target.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$ROOT/bench/.build
RUNS=$BUILD/last-run
CC=${CC:-cc}
MODES=(untraced strace strace-seccomp mmtrace)
MEM_TARGET_KB=$((30 * 1024))

rounds=7
quick=0
memcheck=0
pairs=1000000
timeout=900
keep=0

usage() {
	sed -n '2,/^$/{s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

while (($# > 0)); do
	case $1 in
	--quick) quick=1 rounds=3 ;;
	--rounds)
		rounds=${2:?--rounds needs a number}
		shift
		;;
	--timeout)
		timeout=${2:?--timeout needs seconds}
		shift
		;;
	--memcheck) memcheck=1 ;;
	--pairs)
		pairs=${2:?--pairs needs a number}
		shift
		;;
	--keep) keep=1 ;;
	--floor) MODES=(untraced strace strace-seccomp floor floor-once floor-regs mmtrace) ;;
	-h | --help)
		usage
		exit 0
		;;
	*)
		echo "run.sh: unknown argument $1" >&2
		usage >&2
		exit 1
		;;
	esac
	shift
done
[[ $rounds =~ ^[1-9][0-9]*$ ]] || {
	echo "run.sh: --rounds wants a positive number" >&2
	exit 1
}

# No process outlives the script: runstat (bench/runstat.c) runs each
# command in a process group of its own and kills that group when the command
# ends, times out, or when runstat gets SIGINT/SIGTERM/SIGHUP. runstat runs in
# the background under `wait`, because bash runs a trap only once its
# foreground command is done, and a traced run can take minutes; `wait`
# returns at once on a trapped signal, and the trap passes the signal on.
current=
# shellcheck disable=SC2317 # called by traps
on_signal() {
	if [[ -n $current ]]; then
		kill -TERM "$current" 2>/dev/null || true
		wait "$current" 2>/dev/null || true
	fi
	exit "$1"
}
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	local pids
	pids=$(jobs -p)
	if [[ -n $pids ]]; then
		# shellcheck disable=SC2086 # one pid per word
		kill $pids 2>/dev/null || true
	fi
	if ((keep == 0)); then
		rm -f "$BUILD/sample.o"
	fi
}
trap cleanup EXIT
trap 'on_signal 130' INT
trap 'on_signal 143' TERM
trap 'on_signal 129' HUP

# runstat OUT TIMEOUT CMD...: bench/runstat.c, interruptibly (see above).
runstat() {
	local status=0
	"$BUILD/runstat" "$@" &
	current=$!
	wait "$current" || status=$?
	current=
	return "$status"
}

say() { printf '%s\n' "$*" >&2; }

# ---------------------------------------------------------------- build ----

mkdir -p "$BUILD"
rm -rf "$RUNS"
mkdir -p "$RUNS"

command -v "$CC" >/dev/null || {
	say "run.sh: no C compiler ($CC)"
	exit 1
}
say "building workloads with $CC into ${BUILD#"$ROOT"/}"
"$CC" -O2 -Wall -o "$BUILD/runstat" "$ROOT/bench/runstat.c"
"$CC" -O2 -Wall -o "$BUILD/floor" "$ROOT/bench/floor.c"
for w in churn filewin untraced forktree; do
	"$CC" -O2 -Wall -o "$BUILD/$w" "$ROOT/bench/workloads/$w.c"
done
"$CC" -O2 -Wall -pthread -o "$BUILD/threads" "$ROOT/bench/workloads/threads.c"

# mmtrace: built from this tree unless MMTRACE names a binary. A missing or
# failing mmtrace does not stop the benchmark; its column says why.
mmtrace_ok=1
mmtrace_why=
read -r -a mm_flags <<<"${MMTRACE_FLAGS:-}"
if [[ -n ${MMTRACE:-} ]]; then
	mmtrace_bin=$MMTRACE
	[[ -x $mmtrace_bin ]] || {
		mmtrace_ok=0
		mmtrace_why="MMTRACE=$MMTRACE is not executable"
	}
else
	mmtrace_bin=$BUILD/mmtrace
	say "building mmtrace (go build ./cmd/mmtrace)"
	if ! (cd "$ROOT" && CGO_ENABLED=0 go build -o "$mmtrace_bin" ./cmd/mmtrace) >"$RUNS/go-build.log" 2>&1; then
		mmtrace_ok=0
		mmtrace_why="go build failed: $(head -c 300 "$RUNS/go-build.log" | tr '\n' ' ')"
	fi
fi
# A smoke run: mmtrace must trace a tiny churn and write mmap lines.
if ((mmtrace_ok)); then
	if ! runstat "$RUNS/probe.stat" 60 \
		"$mmtrace_bin" trace -o "$RUNS/probe.trace" "${mm_flags[@]}" -- "$BUILD/churn" 3 \
		>"$RUNS/probe.log" 2>&1; then
		mmtrace_ok=0
		mmtrace_why="\`mmtrace trace -o FILE ${MMTRACE_FLAGS:-}-- CMD\` failed ($(cut -d' ' -f4 "$RUNS/probe.stat" 2>/dev/null || echo 'no status')): $(head -c 300 "$RUNS/probe.log" | tr '\n' ' ')"
	elif ! grep -q 'mmap(' "$RUNS/probe.trace" 2>/dev/null; then
		mmtrace_ok=0
		mmtrace_why="\`mmtrace trace -o FILE -- CMD\` ran but wrote no mmap( line to FILE"
	fi
fi
if ((mmtrace_ok)); then
	say "mmtrace: $mmtrace_bin ${MMTRACE_FLAGS:-}"
else
	say "mmtrace: NOT AVAILABLE, its mode is skipped: $mmtrace_why"
fi

# ------------------------------------------------------------ memcheck ----

if ((memcheck)); then
	((mmtrace_ok)) || {
		say "memcheck: cannot run without mmtrace"
		exit 3
	}
	say "memcheck: mmtrace tracing $pairs mmap/munmap pairs"
	status=0
	runstat "$RUNS/mem.stat" "$timeout" \
		"$mmtrace_bin" trace -o /dev/null "${mm_flags[@]}" -- "$BUILD/churn" "$pairs" \
		>"$RUNS/mem.log" 2>&1 || status=$?
	read -r wall hwm maxrss code < <(sed 's/[a-z_]*=//g' "$RUNS/mem.stat")
	if ((status != 0)); then
		say "memcheck: mmtrace failed (status $code): $(tail -c 400 "$RUNS/mem.log")"
		exit 1
	fi
	# hwm is 0 only if mmtrace exited before the first 2 ms sample.
	((hwm > 0)) || hwm=$maxrss
	verdict=PASS
	((hwm <= MEM_TARGET_KB)) || verdict=FAIL
	printf '| check | wall s | mmtrace peak RSS (own VmHWM) | ru_maxrss (incl. tracee) | target | verdict |\n'
	printf '|---|---:|---:|---:|---:|---|\n'
	printf '| %s pairs | %.2f | %.1f MiB | %.1f MiB | %d MiB | %s |\n' "$pairs" "$wall" \
		"$(awk -v k="$hwm" 'BEGIN{print k/1024}')" "$(awk -v k="$maxrss" 'BEGIN{print k/1024}')" \
		$((MEM_TARGET_KB / 1024)) "$verdict"
	[[ $verdict == PASS ]] || exit 4
	exit 0
fi

# ----------------------------------------------------------- workloads ----

command -v strace >/dev/null || {
	say "run.sh: strace is not installed"
	exit 1
}

# The real interpreter, not a version manager's shim script (pyenv's is a
# shell script that would be traced too).
python=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null || command -v python3 || true)
[[ -x $python ]] || {
	say "run.sh: python3 not found"
	exit 1
}

# tmpfs for the file windows: msync should cost a syscall, not a disk flush.
shm=$BUILD
[[ -d /dev/shm && -w /dev/shm ]] && shm=/dev/shm

if ((quick)); then
	churn_n=10000 filewin_n=2000 untraced_n=40000 threads_n=1000 fork_n=100
else
	churn_n=100000 filewin_n=20000 untraced_n=200000 threads_n=10000 fork_n=1000
fi
WORKLOADS=(churn filewin untraced threads forktree gcc python)

# workload_cmd NAME: sets CMD to the workload's command line.
workload_cmd() {
	case $1 in
	churn) CMD=("$BUILD/churn" "$churn_n") ;;
	filewin) CMD=("$BUILD/filewin" "$filewin_n" "$shm") ;;
	untraced) CMD=("$BUILD/untraced" "$untraced_n") ;;
	threads) CMD=("$BUILD/threads" "$threads_n") ;;
	forktree) CMD=("$BUILD/forktree" "$fork_n" 3 3) ;;
	gcc) CMD=("$CC" -O2 -c "$ROOT/bench/workloads/sample.c" -o "$BUILD/sample.o") ;;
	python) CMD=("$python" -c 'import json, decimal, asyncio, email.parser') ;;
	esac
}

# mode_prefix MODE: sets PREFIX to what goes before the workload's command.
mode_prefix() {
	case $1 in
	untraced) PREFIX=() ;;
	strace) PREFIX=(strace -f -e 'trace=%memory,%process' -o /dev/null) ;;
	strace-seccomp) PREFIX=(strace -f --seccomp-bpf -e 'trace=%memory,%process' -o /dev/null) ;;
	floor) PREFIX=("$BUILD/floor") ;;
	floor-once) PREFIX=("$BUILD/floor" -1) ;;
	floor-regs) PREFIX=("$BUILD/floor" -r) ;;
	mmtrace) PREFIX=("$mmtrace_bin" trace -o /dev/null "${mm_flags[@]}" --) ;;
	esac
}

failures=0
# measure ROUND WORKLOAD MODE: one run; appends wall time and own peak RSS
# to $RUNS/WORKLOAD.MODE.{wall,hwm}, or counts a failure.
measure() {
	local round=$1 w=$2 m=$3 base=$RUNS/$2.$3 status=0 wall hwm maxrss code
	workload_cmd "$w"
	mode_prefix "$m"
	rm -f "$base.stat"
	runstat "$base.stat" "$timeout" "${PREFIX[@]}" "${CMD[@]}" \
		>"$base.$round.log" 2>&1 </dev/null || status=$?
	if [[ ! -s $base.stat ]]; then
		say "  $w/$m: runstat wrote nothing (status $status)"
		exit 1
	fi
	read -r wall hwm maxrss code < <(sed 's/[a-z_]*=//g' "$base.stat")
	if ((code != 0)); then
		failures=$((failures + 1))
		echo "$code" >>"$base.failed"
		say "  FAILED $w under $m (status $code), log $base.$round.log:"
		tail -n 5 "$base.$round.log" | sed 's/^/    /' >&2
		return
	fi
	echo "$wall" >>"$base.wall"
	echo "$hwm" >>"$base.hwm"
	if [[ $m == untraced && ! -s $RUNS/$w.calls ]]; then
		grep -oE '\btraced_calls=[0-9]+' "$base.$round.log" | cut -d= -f2 >"$RUNS/$w.calls" || true
	fi
}

say "workloads: churn $churn_n pairs, filewin $filewin_n windows, untraced $untraced_n getppid," \
	"threads 4x$threads_n, forktree 40 procs x $fork_n pairs, gcc -c, python3 imports"
say "warm-up (untraced, not counted)"
for w in "${WORKLOADS[@]}"; do
	workload_cmd "$w"
	runstat "$RUNS/warmup.stat" "$timeout" "${CMD[@]}" >"$RUNS/warmup.log" 2>&1 </dev/null || {
		say "run.sh: workload $w fails untraced:"
		tail -n 5 "$RUNS/warmup.log" >&2
		exit 1
	}
done

for ((r = 1; r <= rounds; r++)); do
	line="round $r/$rounds:"
	for w in "${WORKLOADS[@]}"; do
		line+=" $w"
		for m in "${MODES[@]}"; do
			[[ $m == mmtrace ]] && ((mmtrace_ok == 0)) && continue
			measure "$r" "$w" "$m"
		done
	done
	say "$line"
done

# ------------------------------------------------------------- report ----

# median FILE: the median of the numbers in FILE, one a line.
median() {
	sort -g "$1" | awk '{v[NR] = $1} END {
		if (NR == 0) exit 1
		if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# cell W M: "median s (ratio to untraced x)", FAILED or n/a.
cell() {
	local f=$RUNS/$1.$2.wall t base
	if [[ -s $RUNS/$1.$2.failed ]]; then
		echo "FAILED x$(wc -l <"$RUNS/$1.$2.failed")"
	elif [[ ! -s $f ]]; then
		echo "n/a"
	else
		t=$(median "$f")
		base=$(median "$RUNS/$1.untraced.wall")
		awk -v t="$t" -v b="$base" 'BEGIN { printf "%.3f (%.1fx)", t, t / b }'
	fi
}

printf '\n## mmtrace vs strace: median wall time of %d rounds (ratio to untraced)\n\n' "$rounds"
printf '| workload | traced calls | untraced s | strace s | strace --seccomp-bpf s | mmtrace s | mmtrace / strace-seccomp | mmtrace peak RSS |\n'
printf '|---|---:|---:|---:|---:|---:|---:|---:|\n'
ratios=()
for w in "${WORKLOADS[@]}"; do
	calls=$(cat "$RUNS/$w.calls" 2>/dev/null || true)
	untraced=n/a
	[[ -s $RUNS/$w.untraced.wall ]] && untraced=$(printf '%.3f' "$(median "$RUNS/$w.untraced.wall")")
	vs=n/a rss=n/a
	if [[ -s $RUNS/$w.mmtrace.wall && -s $RUNS/$w.strace-seccomp.wall && ! -s $RUNS/$w.mmtrace.failed ]]; then
		vs=$(awk -v a="$(median "$RUNS/$w.mmtrace.wall")" -v b="$(median "$RUNS/$w.strace-seccomp.wall")" \
			'BEGIN { printf "%.2f", a / b }')
		ratios+=("$vs")
		vs+="x"
		rss=$(sort -g "$RUNS/$w.mmtrace.hwm" | tail -n 1 | awk '{ printf "%.1f MiB", $1 / 1024 }')
	fi
	printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$w" "${calls:--}" "$untraced" \
		"$(cell "$w" strace)" "$(cell "$w" strace-seccomp)" "$(cell "$w" mmtrace)" "$vs" "$rss"
done
if ((${#ratios[@]} > 0)); then
	geo=$(printf '%s\n' "${ratios[@]}" | awk '{ s += log($1) } END { printf "%.2f", exp(s / NR) }')
	printf '| **geometric mean** | | | | | | **%sx** | |\n' "$geo"
fi
if [[ " ${MODES[*]} " == *" floor "* ]]; then
	# ratio W A B: the median of mode A over that of mode B, or n/a.
	ratio() {
		if [[ -s $RUNS/$1.$2.wall && -s $RUNS/$1.$3.wall && ! -s $RUNS/$1.$2.failed && ! -s $RUNS/$1.$3.failed ]]; then
			awk -v a="$(median "$RUNS/$1.$2.wall")" -v b="$(median "$RUNS/$1.$3.wall")" 'BEGIN { printf "%.2f", a / b }'
		else
			echo n/a
		fi
	}
	printf '\n## The floor: a C tracer with the same filter that reads nothing (floor), the registers once a call (floor -1) or at each stop (floor -r)\n\n'
	printf '| workload | floor s | floor -1 s | floor -r s | floor / strace-seccomp | floor -1 / strace-seccomp | floor -r / strace-seccomp | mmtrace / floor -r |\n'
	printf '|---|---:|---:|---:|---:|---:|---:|---:|\n'
	declare -A logs=()
	for w in "${WORKLOADS[@]}"; do
		row=()
		for pair in "floor strace-seccomp" "floor-once strace-seccomp" "floor-regs strace-seccomp" "mmtrace floor-regs"; do
			# shellcheck disable=SC2086 # the pair is two words on purpose
			r=$(ratio "$w" $pair)
			row+=("$r")
			[[ $r == n/a ]] || logs[$pair]+=" $r"
		done
		printf '| %s | %s | %s | %s | %sx | %sx | %sx | %sx |\n' "$w" "$(cell "$w" floor)" "$(cell "$w" floor-once)" "$(cell "$w" floor-regs)" "${row[@]}"
	done
	# shellcheck disable=SC2086 # $1 is a list of ratios, split on purpose
	geo() { printf '%s\n' $1 | awk 'NF { s += log($1); n++ } END { if (n) printf "%.2fx", exp(s / n); else printf "n/a" }'; }
	printf '| **geometric mean** | | | | **%s** | **%s** | **%s** | **%s** |\n' "$(geo "${logs[floor strace-seccomp]:-}")" \
		"$(geo "${logs[floor-once strace-seccomp]:-}")" "$(geo "${logs[floor-regs strace-seccomp]:-}")" "$(geo "${logs[mmtrace floor-regs]:-}")"
fi
printf '\n'
printf -- '- machine: %s CPUs, Linux %s; %s; %s\n' "$(nproc)" "$(uname -r)" \
	"$(strace -V | head -n 1)" "$("$CC" --version | head -n 1)"
sizes=full
((quick)) && sizes=quick
printf -- '- sizes: %s (%s)\n' "$sizes" "churn $churn_n pairs, filewin $filewin_n windows, untraced $untraced_n getppid, threads 4x$threads_n iterations, forktree 40 processes x $fork_n pairs"
printf -- '- traced calls: what the workload itself made (its own count); the loader and libc add a few dozen more\n'
printf -- '- mmtrace peak RSS: the largest VmHWM of the mmtrace process over its runs (its own memory, not the tracee'"'"'s)\n'
if ((mmtrace_ok == 0)); then
	printf -- '- **mmtrace was not measured**: %s\n' "$mmtrace_why"
fi
if ((failures > 0)); then
	printf -- '- **%d runs failed**; their logs are in %s\n' "$failures" "${RUNS#"$ROOT"/}"
	exit 1
fi
((mmtrace_ok)) || exit 3
exit 0
