#!/usr/bin/env bash
# Passes `cargo test` output (stdin) through unchanged and ends it with one line for the whole
# run: `N passed, M failed, K ignored`, the sum of every test binary's `test result:` line.
# A test binary that cargo started (`Running ...`) but that printed no result line (it crashed
# or was killed) is named on that line too, since its tests are in none of the counts.
# Used by `make test` / `make testacc` and by `.ci/run` (over both of its runs).
set -euo pipefail
awk '
  function note_unfinished() { if (running != "") unfinished = unfinished " " running }
  { print; fflush() }
  /^ *Running / {
    note_unfinished()
    running = $0
    sub(/^ *Running /, "", running)
    sub(/ \(.*$/, "", running)
  }
  /^test result:/ { running = ""; passed += $4; failed += $6; ignored += $8 }
  END {
    note_unfinished()
    line = sprintf("%d passed, %d failed, %d ignored", passed, failed, ignored)
    if (unfinished != "") line = line "; no result from:" unfinished
    print line
  }
'
