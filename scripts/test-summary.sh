#!/usr/bin/env bash
# Passes `cargo test` output (stdin) through unchanged and ends it with one line for the whole
# run: `N passed, M failed, K skipped`, the sum of every test binary's `test result:` line, where
# a test that did not run counts as skipped, not passed: an ignored test, and a test that
# returned early saying `test-skipped: <test>: <why>` (an acceptance test of something the
# Terraform in use does not have, e.g. provider functions on 1.6), which libtest counts as
# passed. A test binary that cargo started (`Running ...`) but that printed no result line (it
# crashed or was killed) is named on that line too, since its tests are in none of the counts.
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
  /^test-skipped: / { skipped_early++ }
  /^test result:/ { running = ""; passed += $4; failed += $6; ignored += $8 }
  END {
    note_unfinished()
    line = sprintf("%d passed, %d failed, %d skipped", passed - skipped_early, failed, ignored + skipped_early)
    if (unfinished != "") line = line "; no result from:" unfinished
    print line
  }
'
