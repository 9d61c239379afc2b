#!/bin/sh
# Builds the libFuzzer targets (the "fuzz" preset: clang, ASan + UBSan)
# and fuzzes each for SECONDS (default 10), starting from a scratch copy of
# its seed corpus and its past crashes, so the checked-in corpus is never
# changed by a run.  Fails if any target crashes, leaks, times out or breaks
# an invariant, and prints the path of the input that did it.
#
#   tests/fuzz/run.sh                 every target, 10 s each
#   tests/fuzz/run.sh 300             every target, 5 minutes each
#   tests/fuzz/run.sh 60 csv phone    only these targets
#
# Environment: FUZZ_WORK (default a new directory under ${TMPDIR:-/tmp})
# holds the scratch corpora, logs and crash inputs; it is removed when every
# target passes and kept otherwise.  FUZZ_JOBS (default 1) runs that many
# targets at once.
set -eu
cd "$(dirname "$0")/../.."

seconds=${1:-10}
[ $# -gt 0 ] && shift
case $seconds in
    ''|*[!0-9]*) echo "usage: $0 [SECONDS] [TARGET...]" >&2; exit 2 ;;
esac

if ! command -v clang >/dev/null 2>&1; then
    echo "fuzz: clang is not installed (Debian: apt-get install clang)" >&2
    exit 1
fi

jobs=$(nproc 2>/dev/null || echo 2)
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$jobs"

bindir=build/fuzz-clang/tests/fuzz
if [ $# -gt 0 ]; then
    targets=$*
else
    targets=$(cd tests/fuzz && ls fuzz_*.c | sed 's/^fuzz_//; s/\.c$//')
fi

work=${FUZZ_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/signpost-fuzz.XXXXXX")}
mkdir -p "$work"

# Fuzzes one target; writes $work/NAME.result ("ok" or the crash path).
fuzz_one() {
    name=$1
    dir=$work/$name
    mkdir -p "$dir/corpus" "$dir/artifacts"
    for src in tests/fuzz/corpus/$name tests/fuzz/crashes/$name; do
        [ -d "$src" ] && find "$src" -maxdepth 1 -type f ! -name '.*' \
            -exec cp {} "$dir/corpus/" \;
    done
    # -timeout: one input taking 10 s is a hang; -rss_limit_mb: a leak
    # or a runaway allocation; leaks are reported (ASan's LeakSanitizer).
    set +e
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    "$bindir/fuzz_$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$dir/artifacts/" "$dir/corpus" \
        >"$dir/log" 2>&1
    rc=$?
    set -e
    crash=$(find "$dir/artifacts" -type f | head -n 1)
    if [ $rc -ne 0 ] || [ -n "$crash" ]; then
        echo "${crash:-exit status $rc (see $dir/log)}" >"$work/$name.result"
    else
        echo ok >"$work/$name.result"
    fi
}

# Prints one line of figures from a finished target's log.
summary() {
    name=$1
    log=$work/$name/log
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
    cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
    ft=$(echo "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
    corp=$(echo "$last" | sed -n 's/.*corp: \([0-9]*\/[0-9A-Za-z]*\).*/\1/p')
    printf '%-12s execs %-10s exec/s %-7s cov %-6s ft %-7s corpus %-12s %s\n' \
        "$name" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" \
        "$(cat "$work/$name.result")"
}

running=0
for name in $targets; do
    if [ ! -x "$bindir/fuzz_$name" ]; then
        echo "fuzz: no target fuzz_$name" >&2
        exit 2
    fi
    echo "fuzz: $name for ${seconds}s"
    fuzz_one "$name" &
    running=$((running + 1))
    if [ "$running" -ge "${FUZZ_JOBS:-1}" ]; then
        wait
        running=0
    fi
done
wait

failed=0
echo "fuzz: results (${seconds}s per target)"
for name in $targets; do
    summary "$name"
    if [ "$(cat "$work/$name.result")" != ok ]; then
        failed=1
        echo "fuzz: $name FAILED; input: $(cat "$work/$name.result")" >&2
        echo "fuzz: replay with $bindir/fuzz_$name <input>; log: $work/$name/log" >&2
        tail -n 30 "$work/$name/log" >&2
    fi
done
if [ $failed -eq 0 ]; then
    [ -z "${FUZZ_WORK:-}" ] && rm -rf "$work"
    echo "fuzz: no crash"
    exit 0
fi
echo "fuzz: kept $work" >&2
exit 1
