#!/bin/sh
# Runs a test that needs data from outside the repository, or reports it skipped.
# Usage: needs_directory.sh DIR WHAT -- COMMAND [ARG...]
# Exits 77, which CTest reads as "skipped" (SKIP_RETURN_CODE), when DIR is not a directory,
# after saying what is missing and why the test cannot run; otherwise runs COMMAND.
dir=$1
what=$2
shift 3
if [ ! -d "$dir" ]; then
  echo "SKIPPED: $what is not at $dir (it sits beside a development checkout only);"
  echo "the test cases that read it did not run"
  exit 77
fi
exec "$@"
