# A thin front for CMake, so that the course's commands work from its top directory.
#
#   make deps                       install the Debian/Ubuntu packages the course needs
#   make grade                      grade your work in labs/ (all labs)
#   make grade LAB=02               grade one lab (also: `make grade` inside labs/02-tcp-echo)
#   make grade SUBMISSION=DIR       grade another tree laid out like labs/ (e.g. solutions)
#   make status                     every lab's last grade and what to do next (runs nothing)
#   make watch LAB=NN               grade lab NN again each time you save one of its files
#   make hint LAB=NN                the next hint for lab NN's first failing test (labs/NN/hints.md)
#   make test                       the course's own tests: references pass, skeletons fail,
#                                   every mutant is rejected, harness and grader work
#   make bench                      how long make grade takes per lab (--jobs 1 and 2), against
#                                   the course's targets; LAB=NN for one lab
#   make bench-class                how fast grade-class grades a class of 40 (--jobs 1 and 2)
#                                   and what its sandbox costs; LAB=NN (default 01)
#   make bench-servers              lab 08's three reference servers under 1,000 and 10,000
#                                   connections: requests/s and p50/p99 latency (a benchmark)
#   make bench-measure              lab 12's reference against iperf3 (TCP throughput) and
#                                   sockperf (round trip), and Unix-domain against TCP (a benchmark)
#   make clean                      remove build/

SHELL := /bin/bash
BUILD ?= build
SUBMISSION ?= labs
LAB ?=
# Every core: labs side by side (make grade), or one lab's test files (make grade LAB=NN).
JOBS ?= $(shell n=$$(nproc 2>/dev/null || echo 1); echo $$(( n > 8 ? 8 : n )))

.PHONY: all build test grade status watch hint deps stress bench bench-class bench-servers bench-measure clean

all: build

# Ninja where it is installed (make deps installs it): CTest's per-lab build checks then find
# nothing to do in a second, not half a minute each. A build directory configured for the other
# generator is configured again (its CMake cache only: build/grade's results stay).
GENERATOR := $(if $(shell command -v ninja),Ninja,Unix Makefiles)

build:
	@if [ -f $(BUILD)/CMakeCache.txt ] && ! grep -qx 'CMAKE_GENERATOR:INTERNAL=$(GENERATOR)' $(BUILD)/CMakeCache.txt; then \
		rm -rf $(BUILD)/CMakeCache.txt $(BUILD)/CMakeFiles; fi
	cmake -G "$(GENERATOR)" -S . -B $(BUILD) >/dev/null
	cmake --build $(BUILD) -j $$(nproc)

# A student's copy of the course (grader/export-handout) has no solutions/ for make test to check.
ifeq ($(wildcard solutions),)
test:
	@echo "make test: the course's own tests check solutions/, which this copy does not have; grade your work with: make grade"; exit 2
else
# After CTest, the one-line verdict of every discrimination check: each reference passes, each
# skeleton fails, each mutant is rejected and by which test.
test: build
	@rm -f $(BUILD)/check-summary.txt
	@set -o pipefail; status=0; ctest --test-dir $(BUILD) --output-on-failure -j $$(nproc) | tee $(BUILD)/ctest.log || status=$$?; \
	echo; echo "Discrimination checks:"; sort $(BUILD)/check-summary.txt 2>/dev/null; \
	echo; grep -E '^[0-9]+% tests passed' $(BUILD)/ctest.log; exit $$status
endif

grade:
	grader/grade --submission "$(SUBMISSION)" --jobs "$(JOBS)" $(if $(LAB),--lab "$(LAB)") $(if $(HIDDEN),--hidden "$(HIDDEN)")

status:
	grader/status

hint:
	grader/hint --lab "$(LAB)"

watch:
	grader/watch --lab "$(LAB)" $(if $(filter-out labs,$(SUBMISSION)),--submission "$(SUBMISSION)")

deps:
	harness/install-deps

bench:
	grader/bench $(if $(LAB),--lab "$(LAB)")

bench-class:
	grader/bench-class $(if $(LAB),--lab "$(LAB)")

bench-servers: build
	BUILD=$(BUILD) harness/bin/bench-servers

bench-measure: build
	BUILD=$(BUILD) harness/bin/bench-measure

stress: build
	BUILD=$(BUILD) harness/bin/stress $(or $(RUNS),50)

clean:
	rm -rf $(BUILD)
