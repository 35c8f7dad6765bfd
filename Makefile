# StatX developer and operator entry points (GNU make + bash).
#
#   make run          local API on 127.0.0.1:3000 (STATX_PORT overrides); needs only cargo
#   make test         lint, then every test with a private moto_server, then a bounded contract fuzz
#   make fuzz         the contract fuzz (schemathesis vs a fresh local API) with many more examples
#   make lint         rustfmt, clippy, cfn-lint, checkov
#   make bench        cargo bench --workspace
#   make build        sam build (cargo lambda, arm64) -> .aws-sam/
#   make build-lambda cargo lambda build --release --arm64 (the functions) -> <target dir>/lambda/
#   make deploy       sam deploy (guided the first time for a samconfig environment)
#   make venv         the Python tool virtualenvs for test/lint (idempotent)
#   make clean-data   forget the local data directory (.statx)
#
# CARGO_TARGET_DIR is honoured if the environment sets it; nothing here sets one.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
MAKEFLAGS += --no-builtin-rules

PYTHON ?= python3
CARGO ?= cargo
# Pinned so every machine runs the same test runner (see `nextest` below).
NEXTEST_VERSION ?= 0.9.143
# The property tests (proptest) draw from this seed in `make test`, so a CI run is repeatable;
# run `cargo nextest run` without it (or with another seed) to explore new inputs.
PROPTEST_RNG_SEED ?= 20261201
# samconfig.toml environment used by `make deploy` (default = stage dev, prod = stage prod).
DEPLOY_ENV ?= default
AWS_CHECK_REGION ?= us-east-1

VENV := .venv
VENV_CHECKOV := .venv-checkov
VENV_BUILD := .venv-build
PIP_FLAGS := --disable-pip-version-check --quiet
export SAM_CLI_TELEMETRY := 0

.PHONY: help run test test-only lint lint-rust lint-infra bench build build-lambda \
        lambda-target deploy venv venv-build nextest rust-tools clean-data fuzz fuzz-bounded

help:
	@sed -n 's/^#   make /  make /p' $(firstword $(MAKEFILE_LIST))

run:
	$(CARGO) run -p statx-local-api --bin statx-local-api

# ---------------------------------------------------------------- Python tool environments
# One stamp per venv, newer than its requirements file: re-run pip only when the pins change.
$(VENV)/.stamp: infra/requirements-test.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install $(PIP_FLAGS) -r $<
	touch $@

# checkov pins an old boto3/packaging that clash with aws-sam-cli: it gets its own venv.
$(VENV_CHECKOV)/.stamp: infra/requirements-checkov.txt
	$(PYTHON) -m venv $(VENV_CHECKOV)
	$(VENV_CHECKOV)/bin/python -m pip install $(PIP_FLAGS) -r $<
	touch $@

$(VENV_BUILD)/.stamp: infra/requirements-build.txt
	$(PYTHON) -m venv $(VENV_BUILD)
	$(VENV_BUILD)/bin/python -m pip install $(PIP_FLAGS) -r $<
	touch $@

venv: $(VENV)/.stamp $(VENV_CHECKOV)/.stamp
venv-build: $(VENV_BUILD)/.stamp

# ---------------------------------------------------------------- lint
lint: lint-rust lint-infra

# rustup's minimal profile lacks rustfmt and clippy: add them if missing (no-op otherwise).
rust-tools:
	@$(CARGO) fmt --version >/dev/null 2>&1 || rustup component add rustfmt
	@$(CARGO) clippy --version >/dev/null 2>&1 || rustup component add clippy

lint-rust: rust-tools
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

lint-infra: venv
	$(VENV)/bin/cfn-lint template.yaml
	$(VENV_CHECKOV)/bin/checkov -f template.yaml --framework cloudformation --quiet --compact --skip-download

# ---------------------------------------------------------------- test
# cargo-nextest is installed, pinned, when missing: the suites rely on nextest's
# process-per-test isolation and on .config/nextest.toml (no retries, slow-test timeout),
# which a `cargo test` fallback would silently drop. Built once into ~/.cargo/bin.
nextest:
	@if ! $(CARGO) nextest --version >/dev/null 2>&1; then \
	  echo "cargo-nextest missing: installing cargo-nextest@$(NEXTEST_VERSION)"; \
	  $(CARGO) install --locked cargo-nextest@$(NEXTEST_VERSION); \
	fi

test: venv nextest
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory test-only

# Tests only (no lint), still with a private moto_server; then the bounded contract fuzz.
test-only: venv nextest
	PROPTEST_RNG_SEED=$(PROPTEST_RNG_SEED) infra/scripts/with-moto.sh $(CARGO) nextest run --workspace
	$(MAKE) --no-print-directory fuzz-bounded

# The contract fuzz (infra/scripts/fuzz.py): schemathesis, pinned in the test venv, with a fixed
# seed against a fresh statx-local-api (free port, temporary data directory) with signed-in users
# and real ids; positive and negative data; any failure, a 5xx included, fails the target.
# `fuzz-bounded` (part of `make test`) tries a few examples per operation, `fuzz` many more.
FUZZ_EXAMPLES ?= 3
FUZZ_MORE_EXAMPLES ?= 100
FUZZ_SEED ?= 1313

fuzz-bounded fuzz: venv
	$(CARGO) build --quiet -p statx-local-api --bin statx-local-api
	$(VENV)/bin/python infra/scripts/fuzz.py --seed $(FUZZ_SEED) \
	  --examples $(if $(filter fuzz,$@),$(FUZZ_MORE_EXAMPLES),$(FUZZ_EXAMPLES))

bench:
	$(CARGO) bench --workspace

# ---------------------------------------------------------------- build and deploy
lambda-target:
	rustup target add aarch64-unknown-linux-gnu

# The build venv's bin goes first on PATH for these recipes (not their prerequisites): `sam`
# runs `cargo lambda`, which finds zig as `python3 -m ziglang`.
build build-lambda deploy: private export PATH := $(CURDIR)/$(VENV_BUILD)/bin:$(PATH)

# sam build runs `cargo lambda build --release --arm64 --bin <name>` per function over one
# shared target directory (template Metadata), so nothing is compiled twice.
build: venv-build lambda-target
	sam validate --lint --region $(AWS_CHECK_REGION)
	sam build

build-lambda: venv-build lambda-target
	$(CARGO) lambda build --release --arm64 -p statx-functions

# Plain `sam deploy --config-env X` once samconfig.toml has [X.deploy.parameters];
# otherwise guided, which asks for the values and saves them there.
deploy: build
	@if grep -q '^\[$(DEPLOY_ENV)\.deploy\.parameters\]' samconfig.toml 2>/dev/null; then \
	  set -x; sam deploy --config-env $(DEPLOY_ENV); \
	else \
	  set -x; sam deploy --guided --config-env $(DEPLOY_ENV); \
	fi

clean-data:
	rm -rf .statx
