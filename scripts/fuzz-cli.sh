#!/usr/bin/env bash
# Fuzzes the robegen command line as a careless or hostile user would: damaged TSV and gzip files, damaged checkpoints,
# awkward output paths and bad option values. Every run must end with exit 0, or with exactly one line on stderr and
# exit 1 or 2 (130/143 only for signals); a stack trace, an abort (rc 134) or a timeout is a failure.
# Usage: scripts/fuzz-cli.sh [cases-per-kind (default 20)] [seed (default 1)]   (build first: dotnet build RobeGen.sln -c Release)
set -uo pipefail
cd "$(dirname "$0")/.."
N=${1:-20}
SEED=${2:-1}
# ROBEGEN_CLI_DLL: another build to compare with (for example an older commit's), by default this checkout's.
CLI=(dotnet "${ROBEGEN_CLI_DLL:-src/RobeGen.Cli/bin/Release/net10.0/RobeGen.Cli.dll}")
SAMPLE=samples/data/criteo_1tb_day0_head10k.tsv.gz
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

cases=0 ok=0 refused=0 traces=0 aborts=0 multiline=0
declare -A kinds

# run KIND ARGS...: one robegen run, classified.
run() {
    local kind=$1
    shift
    cases=$((cases + 1))
    kinds[$kind]=$((${kinds[$kind]:-0} + 1))
    timeout 300 "${CLI[@]}" "$@" >"$W/out" 2>"$W/err"
    local rc=$?
    if grep -q -e "Unhandled exception" -e "^   at " "$W/err" "$W/out"; then
        traces=$((traces + 1))
        echo "TRACE [$kind] rc=$rc: robegen $*" && head -3 "$W/err"
    fi
    if [ $rc -eq 124 ] || { [ $rc -gt 2 ] && [ $rc -ne 130 ] && [ $rc -ne 143 ]; }; then
        aborts=$((aborts + 1))
        echo "ABORT [$kind] rc=$rc: robegen $*"
    fi
    if [ $rc -ne 0 ] && [ "$(grep -c . "$W/err")" -ne 1 ]; then
        multiline=$((multiline + 1))
        echo "NOT ONE LINE [$kind] rc=$rc: robegen $*" && head -4 "$W/err"
    fi
    if [ $rc -eq 0 ]; then ok=$((ok + 1)); else refused=$((refused + 1)); fi
}

# mutate SRC DST SEED MODE: a damaged copy (bytes: random bytes overwritten; flip: one bit; cut: a random prefix; tail: garbage appended).
mutate() {
    python3 - "$@" <<'EOF'
import random, sys
src, dst, seed, mode = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
r = random.Random(seed)
b = bytearray(open(src, 'rb').read())
if mode == 'bytes':
    for _ in range(r.randint(1, 8)):
        b[r.randrange(len(b))] = r.choice([0, 9, 10, 13, 0x20, 0x2d, 0x2e, 0x41, 0x66, 0xff, r.randrange(256)])
elif mode == 'flip':
    i = r.randrange(len(b)); b[i] ^= 1 << r.randrange(8)
elif mode == 'cut':
    b = b[:r.randrange(len(b))]
elif mode == 'tail':
    b += bytes(r.randrange(256) for _ in range(r.randint(1, 64)))
open(dst, 'wb').write(b)
EOF
}

zcat "$SAMPLE" | head -400 >"$W/data.tsv"
gzip -c "$W/data.tsv" >"$W/data.tsv.gz"
"${CLI[@]}" train --data "$W/data.tsv" --max-steps 3 --threads 1 --save "$W/model.rgck" >/dev/null || { echo "baseline training failed"; exit 1; }

echo "files: damaged TSV and gzip ($N each kind)"
for i in $(seq 1 "$N"); do
    s=$((SEED * 100000 + i))
    mutate "$W/data.tsv" "$W/bad.tsv" $s bytes
    run tsv train --data "$W/bad.tsv" --max-steps 4 --threads 1
    run tsv-skip train --data "$W/bad.tsv" --max-steps 4 --threads 1 --skip-bad-rows --rejects "$W/rejects.tsv"
    run tsv-predict predict --checkpoint "$W/model.rgck" --data "$W/bad.tsv" --out "$W/p.txt" --threads 1
    for mode in flip cut tail; do
        mutate "$W/data.tsv.gz" "$W/bad.gz" $s $mode
        run gz-$mode train --data "$W/bad.gz" --holdout 0.2 --max-steps 4 --threads 1
        run gz-$mode-predict predict --checkpoint "$W/model.rgck" --data "$W/bad.gz" --out "$W/p.txt" --threads 1
    done
done

echo "checkpoints: bit flips, truncations, garbage ($N each)"
for i in $(seq 1 "$N"); do
    s=$((SEED * 200000 + i))
    for mode in flip cut tail bytes; do
        mutate "$W/model.rgck" "$W/bad.rgck" $s $mode
        run ck-$mode-predict predict --checkpoint "$W/bad.rgck" --data "$W/data.tsv" --out "$W/p.txt" --threads 1
        run ck-$mode-inspect inspect --checkpoint "$W/bad.rgck"
        run ck-$mode-resume train --data "$W/data.tsv" --resume "$W/bad.rgck" --max-steps 5 --threads 1
    done
done

echo "paths"
mkdir -p "$W/dir"
ln -sf loop2 "$W/loop1" && ln -sf loop1 "$W/loop2"
ln -sf "$W/nowhere/x" "$W/dangling"
# Devices only through links: a build that renames a temporary file over its output (as builds before the output checks
# did) then replaces the link, not /dev/null itself, which as root it would replace with a regular file.
ln -sf /dev/null "$W/null"
ln -sf /dev/full "$W/full"
cp "$W/data.tsv" "$W/input.tsv"
for target in "$W/dir" "$W/loop1" "$W/dangling" "$W/null" "$W/full" /sys/robegen-fuzz /proc/robegen-fuzz "$W/input.tsv" "$W/model.rgck" \
    "$W/new/sub/out" ""; do
    run path-save train --data "$W/input.tsv" --max-steps 2 --threads 1 --save "$target"
    run path-rejects train --data "$W/input.tsv" --max-steps 2 --threads 1 --skip-bad-rows --rejects "$target"
    run path-out predict --checkpoint "$W/model.rgck" --data "$W/input.tsv" --out "$target" --threads 1
    run path-eval-rejects eval --checkpoint "$W/model.rgck" --data "$W/input.tsv" --skip-bad-rows --rejects "$target" --threads 1
    run path-resume train --data "$W/input.tsv" --max-steps 2 --threads 1 --resume "$target"
    run path-data train --data "$target" --max-steps 2 --threads 1
    run path-checkpoint predict --checkpoint "$target" --data "$W/input.tsv" --out "$W/p.txt"
done
cmp -s "$W/data.tsv" "$W/input.tsv" || { echo "an input file was changed"; traces=$((traces + 1)); }
for device in /dev/null /dev/full; do [ -c $device ] || { echo "$device is no longer a device node: restore it (mknod)"; traces=$((traces + 1)); }; done

echo "options"
for value in NaN -NaN Infinity -Infinity -1 0 1e309 -1e309 99999999999999999999 1e-45 "" abc 0x10 1,5 -0; do
    for flag in --lr --holdout --compression --target-auc --checkpoint-minutes; do
        run opt train --data "$W/data.tsv" --max-steps 2 --threads 1 $flag "$value"
    done
    for flag in --epochs --batch-size --threads --max-steps --eval-every --checkpoint-every --keep-checkpoints --slots --block-size --min-count --seed; do
        run opt train --data "$W/data.tsv" --max-steps 2 --threads 1 $flag "$value"
    done
    for flag in --batch-size --threads; do
        run opt predict --checkpoint "$W/model.rgck" --data "$W/data.tsv" --out "$W/p.txt" $flag "$value"
    done
done
for value in 100000000 100000 2147483647 -2147483648 9223372036854775807; do
    for flag in --batch-size --threads --epochs --block-size --slots --keep-checkpoints; do
        run opt-huge train --data "$W/data.tsv" --max-steps 2 $flag "$value"
    done
done

echo
for k in "${!kinds[@]}"; do printf '%s=%s ' "$k" "${kinds[$k]}"; done | tr ' ' '\n' | sort | tr '\n' ' '
echo
echo "fuzz-cli: $cases runs: $ok exit 0, $refused refused; stack traces $traces, aborts/timeouts $aborts, errors not on one line $multiline"
[ $traces -eq 0 ] && [ $aborts -eq 0 ] && [ $multiline -eq 0 ]
