#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
# The autograder zip holds this file, run_autograder and a copy of the
# locklab repository in locklab/ (see grade/README.md for how to make it).
set -euo pipefail

GO_VERSION=1.26.8
apt-get update -qq
apt-get install -y -qq gcc ca-certificates curl >/dev/null # -race needs cgo

curl -fsSL "https://go.dev/dl/go${GO_VERSION}.linux-amd64.tar.gz" | tar -C /usr/local -xz
export PATH=/usr/local/go/bin:$PATH

# Build locklab and warm the module cache and the grader's own build cache
# (the race-enabled build of the checks' dependencies), so grading does not
# download or compile them under the submission's time limit. The checks
# are built from the source compiled into the locklab binary.
cd /autograder/source/locklab
go mod download
go build -o /usr/local/bin/locklab ./cmd/locklab
locklab grade bank --dir testdata/submissions/bank/reference >/dev/null
