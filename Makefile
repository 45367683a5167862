# SPDX-License-Identifier: GPL-2.0
# nfknock: what people type. `make deps`, `make`, `make check`.
SHELL := /bin/bash
TOP := $(CURDIR)
BUILD := $(TOP)/build
VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
# Kernels to build and test against: Debian's 6.1 and 6.12, their headers
# unpacked into a cache by scripts/kernel-cache.sh (make deps fetches them).
KVERS ?= $(shell scripts/kernels.sh)
JOBS ?= 2
CMAKE_TYPE ?= RelWithDebInfo

all: modules ctl

deps:
	scripts/deps.sh

# One private copy of the sources per kernel, so builds never collide.
modules:
	@test -n "$(KVERS)" || { echo "no 6.1/6.12 kernel releases in apt's lists: run 'make deps'"; exit 1; }
	@set -eo pipefail; for k in $(KVERS); do \
		d=$(BUILD)/kmod/$$k; mkdir -p $$d; \
		rm -rf $$d/include; cp -r $(TOP)/include $$d/; \
		mkdir -p $$d/kmod/core; \
		cp -u $(TOP)/kmod/Kbuild $(TOP)/kmod/Makefile $(TOP)/kmod/*.[ch] $$d/kmod/; \
		cp -u $(TOP)/kmod/core/*.[ch] $$d/kmod/core/; \
		kdir=$$(scripts/kernel-cache.sh $$k); \
		echo "  MODULE  $$k"; \
		$(MAKE) -s -C $$kdir/build M=$$d/kmod W=1 modules 2>&1 | tee $$d/build.log; \
		test -e $$d/kmod/nfknock.ko; \
		if grep -q 'warning:' $$d/build.log; then \
			echo "warnings building for $$k"; exit 1; fi; \
	done

# The debug kernel (KASAN, lockdep, kmemleak, UBSAN) built from Debian's
# linux-source-6.1 and cached outside the checkout; the module built against
# its tree. Without Module.symvers of the whole tree modpost only warns about
# symbols, so warnings are not fatal here (the W=1 builds above cover them).
debug-kernel:
	scripts/debug-kernel.sh

modules-debug: debug-kernel
	@set -eo pipefail; kdir=$$(scripts/debug-kernel.sh --cached); \
		d=$(BUILD)/kmod/debug; rm -rf $$d; mkdir -p $$d; \
		cp -r $(TOP)/include $(TOP)/kmod $$d/; \
		echo "  MODULE  debug"; \
		$(MAKE) -s -C $$kdir/linux-source-6.1 M=$$d/kmod modules > $$d/build.log 2>&1 || \
			{ cat $$d/build.log; exit 1; }; \
		test -e $$d/kmod/nfknock.ko

ctl:
	cmake -S ctl -B $(BUILD)/ctl -DCMAKE_BUILD_TYPE=$(CMAKE_TYPE) >/dev/null
	cmake --build $(BUILD)/ctl -j$(JOBS)

# knockctl alone, without the unit tests: what the VM suite and the demo
# need (make check builds it first, so the debug guest can start early).
knockctl:
	cmake -S ctl -B $(BUILD)/ctl -DCMAKE_BUILD_TYPE=$(CMAKE_TYPE) >/dev/null
	cmake --build $(BUILD)/ctl -j$(JOBS) --target knockctl

unit: ctl
	ctest --test-dir $(BUILD)/ctl --output-on-failure

# The unit tests and knockctl again under ASan + UBSan.
unit-asan:
	cmake -S ctl -B $(BUILD)/ctl-asan -DCMAKE_BUILD_TYPE=Debug -DNFKNOCK_SANITIZE=ON >/dev/null
	cmake --build $(BUILD)/ctl-asan -j$(JOBS)
	ctest --test-dir $(BUILD)/ctl-asan --output-on-failure

# The e2e suite on Debian's 6.1 and 6.12 in parallel; VM_KERNELS="... debug"
# adds the debug kernel (make check runs it through scripts/check.sh).
VM_KERNELS ?= $(KVERS)
vm: modules knockctl $(if $(filter debug,$(VM_KERNELS)),modules-debug)
	tests/vm/run-all $(VM_KERNELS)

# The suite on the debug kernel alone (KASAN, lockdep, kmemleak, UBSAN).
vm-debug: modules-debug knockctl
	tests/vm/run-all debug

# Benches (not tests): tests/bench/*.sh in the VM on both Debian kernels;
# prints every BENCH line. NFKNOCK_BENCH_KNOCKS / NFKNOCK_BENCH_BURST size them.
# scripts/peers.sh first: the port knockers peers_connect compares (Debian's
# packages unpacked into /var/cache/nfknock, xt_pknock built for 6.1).
bench: modules ctl
	@peers=$$(scripts/peers.sh) || echo "bench: no peer kit (scripts/peers.sh failed): peers_connect skips"; \
	NFKNOCK_BENCH_PEERS=$$peers NFKNOCK_SUITE=bench NFKNOCK_TEST_TIMEOUT=$${NFKNOCK_TEST_TIMEOUT:-1200} \
		NFKNOCK_VM_TIMEOUT=$${NFKNOCK_VM_TIMEOUT:-3600} tests/vm/run-all $(KVERS); rc=$$?; \
	for k in $(KVERS); do echo "=== bench on $$k"; \
		cat $(BUILD)/vm/bench-$$k/*.log 2>/dev/null | grep '^BENCH' || echo "(no figures)"; done; \
	exit $$rc

dkms-check:
	scripts/dkms-check.sh $(KVERS)

# libFuzzer over the pure core; `make fuzz FUZZ_SECONDS=3600` for a long run.
FUZZ_SECONDS ?= 300
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh

fuzz-short:
	FUZZ_SECONDS=20 tests/fuzz/run.sh

# The README's test command: everything, from a fresh machine, in two
# tracks (scripts/check.sh): the debug kernel's build and the suite on it in
# the background from the start, the rest in the foreground: knockctl,
# modules, unit-asan (the unit tests under ASan + UBSan), fuzz-short,
# dkms-check, demo, boot-test, the suite on 6.1 and 6.12. Ends with each part's wall time and "vm: N passed, N failed" over
# the three kernels.
check: deps
	scripts/check.sh

# The README's first command: the whole story in a booted VM.
demo: deps
	$(MAKE) modules knockctl
	tests/vm/demo

dkms-install:
	rm -rf /usr/src/nfknock-$(VERSION)
	mkdir -p /usr/src/nfknock-$(VERSION)
	cp -r dkms.conf kmod include /usr/src/nfknock-$(VERSION)/
	find /usr/src/nfknock-$(VERSION) -name '*.o' -o -name '*.ko' -o -name '*.cmd' | xargs rm -f
	dkms add -m nfknock -v $(VERSION) || true
	dkms install -m nfknock -v $(VERSION)

clean:
	rm -rf $(BUILD)

# Packaging, installation and the booted-Debian test live in their own files.
-include $(wildcard mk/*.mk)

.PHONY: bench demo all deps knockctl modules modules-debug debug-kernel ctl unit unit-asan vm vm-debug dkms-check fuzz fuzz-short check dkms-install clean
