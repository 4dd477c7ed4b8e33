# A thin front for CMake, so that the course's commands work from its top directory.
#
#   make deps                       install the Debian/Ubuntu packages the course needs
#   make grade                      grade your work in labs/ (all labs)
#   make grade LAB=02               grade one lab (also: `make grade` inside labs/02-tcp-echo)
#   make grade SUBMISSION=DIR       grade another tree laid out like labs/ (e.g. solutions)
#   make test                       the course's own tests: references pass, skeletons fail,
#                                   every mutant is rejected, harness and grader work
#   make clean                      remove build/

BUILD ?= build
SUBMISSION ?= labs
LAB ?=
JOBS ?= 1

.PHONY: all build test grade deps stress clean

all: build

build:
	cmake -S . -B $(BUILD) >/dev/null
	cmake --build $(BUILD) -j $$(nproc)

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $$(nproc)

grade:
	grader/grade --submission "$(SUBMISSION)" --jobs "$(JOBS)" $(if $(LAB),--lab "$(LAB)")

deps:
	harness/install-deps

stress: build
	BUILD=$(BUILD) harness/bin/stress $(or $(RUNS),50)

clean:
	rm -rf $(BUILD)
