# Hivewall: the two commands a new user runs (as root) are `make demo` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

MVN_LOUD = JAVA_HOME="$$(scripts/java-home)" ./mvnw -B --no-transfer-progress
MVN = $(MVN_LOUD)
# The build is quiet unless something fails (V=1 for the full log); tests always print their counts.
ifneq ($(V),1)
MVN += -q
endif

.PHONY: help deps build test demo bench clean lab-clean

help:
	@echo "make demo   install what is missing, build, run the demo scenario, clean up"
	@echo "make test   install what is missing, build, run every test"
	@echo "make build  build (BPF objects + Java) without tests"
	@echo "make bench  run the benchmarks (results in bench/results/)"
	@echo "make deps   install the Debian packages that are missing"
	@echo "make clean  remove build output"

deps:
	@scripts/deps

build: deps
	@echo "build: BPF objects (clang) and Java modules"
	@$(MVN) -DskipTests install
	@scripts/aot-train

test: deps build
	@./hivewall doctor
	@echo "test: unit, kernel and end-to-end tests"
	@$(MVN_LOUD) verify | grep -E '^\[(ERROR|WARNING)\]|Tests run:|FAIL|BUILD' ; exit $${PIPESTATUS[0]}
	@scripts/test-summary
	@./hivewall lab check

demo: deps build
	@scripts/demo

bench: deps build
	@./hivewall doctor
	@scripts/bench

lab-clean:
	@./hivewall lab clean

clean:
	@$(MVN) clean
	@$(MAKE) -s -C bpf clean
