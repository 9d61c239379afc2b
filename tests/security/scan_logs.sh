#!/bin/sh
# logs.no_patient_data: reads every daemon log the test run left in
# $SIGNPOST_TEST_LOG_DIR (the harnesses copy each daemon's whole stderr
# there) and fails, naming the file and line, when a line holds
#   - a phone number: any NANP-shaped number (the suite's 217-555-01xx test
#     numbers and any other), bare, E.164, dotted, dashed or bracketed; or
#   - a LOINC answer code (LA<digits>-<digit>) together with a submission id
#     (32 hex digits): that pair is a patient's answer, linkable to a visit.
# A LOINC code alone (an instrument or config message) and an id alone (a
# submission stored) are not patient data.  Run after every other test:
# tests/CMakeLists.txt orders it last.  Usage: scan_logs.sh [DIR]
set -eu

dir=${SIGNPOST_TEST_LOG_DIR:-${1:-}}
if [ -z "$dir" ]; then
    echo "usage: SIGNPOST_TEST_LOG_DIR=DIR $0, or $0 DIR" >&2
    exit 2
fi
if [ ! -d "$dir" ]; then
    echo "no log directory $dir: no daemon ran in this test run; nothing to scan"
    exit 0
fi

# Not preceded or followed by a letter or digit, so ids, ports, timestamps
# and hashes do not count; area code and exchange start with 2-9 (NANP).
phone='(^|[^0-9A-Za-z])(\+?1[ .-]?)?(\([2-9][0-9]{2}\)|[2-9][0-9]{2})[ .-]?[2-9][0-9]{2}[ .-]?[0-9]{4}([^0-9A-Za-z]|$)'
answer='(^|[^0-9A-Za-z])LA[0-9]+-[0-9]([^0-9]|$)'
subid='(^|[^0-9A-Za-z])[0-9a-fA-F]{32}([^0-9A-Za-z]|$)'

files=0
bad=0
report=$(mktemp)
trap 'rm -f "$report"' EXIT
for f in $(find "$dir" -type f -name '*.log' | sort); do
    files=$((files + 1))
    # file:line: text, the text cut at 300 characters.
    grep -nE "$phone" "$f" | cut -c1-300 | sed "s|^|$f:phone:|" >>"$report" || true
    grep -nE "$answer" "$f" | grep -E "$subid" | cut -c1-300 |
        sed "s|^|$f:answer+id:|" >>"$report" || true
done
bad=$(wc -l <"$report")
echo "scanned $files daemon log(s) in $dir"
if [ "$bad" -gt 0 ]; then
    echo "FAIL: $bad line(s) with patient data (file:kind:line:text):"
    cat "$report"
    exit 1
fi
echo "no phone numbers, no answer codes beside a submission id"
