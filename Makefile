# exitprof: one Makefile that drives the rest.  `make help` lists the targets.
SHELL := /bin/bash
VERSION := 0.1.0
BUILD := build
CC ?= cc
KINC := -Ikernel/src/arch/x86/kvm -Ikernel/src/arch/x86/include -Ikernel/shim
CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Werror=implicit-function-declaration
SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
LEAF_SRC := kernel/src/arch/x86/kvm/exit_stats_leaf.c
GUEST_SRC := sampler/exitprof.c sampler/leaves.c sampler/sample.c sampler/record.c $(LEAF_SRC)
# the kernel's pure files and tables, shared with user space
KSHARED := $(wildcard kernel/src/arch/x86/kvm/*.h kernel/src/arch/x86/kvm/*/*.h kernel/src/arch/x86/include/asm/*.h kernel/shim/linux/*.h)

.PHONY: all help deps modules guest install deb profile test-profile test test-unit test-units test-cli test-lab test-lab-amd test-lab-ug0 test-lab-warn test-lab-stuck test-lab-6.1 test-lab-7.3 test-lab-7.3-amd test-isolation test-isolation-intel test-isolation-amd test-long selftest test-selftest test-selftest-amd checkpatch fuzz-leaf clean \
	install-modules restore-modules test-install-modules test-cycles test-kvm-selftests test-full-kernel test-debug-kernel
PREFIX ?= /usr
DESTDIR ?=
UNITDIR ?= /lib/systemd/system

all: guest

include analysis/analysis.mk

help:
	@echo "make deps        install the Debian packages exitprof needs (root)"
	@echo "make modules     build the patched kvm modules for the stock kernel (cached)"
	@echo "make install-modules  load them in place of the running host's kvm (sudo; checks first)"
	@echo "make restore-modules  put the host's stock kvm modules back"
	@echo "make guest       build the static guest programs into $(BUILD)/"
	@echo "make install     install exitprof, its unit and the chart scripts (DESTDIR=, PREFIX=/usr)"
	@echo "make deb         build $(BUILD)/exitprof_$(VERSION)_amd64.deb"
	@echo "make profile     profile a full Debian VM boot in the lab, draw the charts"
	@echo "                 (VENDOR=intel|amd INTERVAL_MS=500|1000 AFTER_BOOT_S=5; results/<UTC>/)"
	@echo "make test        unit tests, checkpatch, the lab conformance runs, the WARN test, the KVM selftest (AMD),"
	@echo "                 isolation (Intel), a profiled boot, install-modules, cycles vs the trace (AMD), the complete kernel booted"
	@echo "make test-long   Intel on 7.3, the Intel selftest, the AMD isolation run, host scope under VM churn (AMD),"
	@echo "                 KVM's x86 selftests stock vs ours (AMD), the AMD selftest on 7.3, the debug kernel"
	@echo "make test-unit   only the unit tests (seconds)"
	@echo "make test-lab    only the lab conformance runs: Intel (minutes, Bochs), then AMD"
	@echo "make test-lab-amd  only the AMD one (under a minute, QEMU TCG)"
	@echo "make test-lab-6.1  the Intel lab conformance run on Linux 6.1 (KSERIES=6.1)"
	@echo "make test-lab-warn  a WARN_ON in L1 fails the lab run (AMD, seconds)"
	@echo "make test-lab-stuck a stuck stack (L1 spinning, L0 asleep) fails within LAB_STUCK_S (AMD, ~2 min)"
	@echo "make test-lab-ug0   the Intel conformance run with kvm_intel.unrestricted_guest=0"
	@echo "make test-lab-7.3  the Intel and AMD conformance runs on Linux 7.3 (test-lab-7.3-amd: AMD only)"
	@echo "make test-install-modules  install-modules and --restore on a stock L1 (AMD, a minute)"
	@echo "make test-cycles  exitprof's cycles against the kvm_exit/kvm_entry trace (AMD, a minute)"
	@echo "make test-kvm-selftests  KVM's x86 selftests in L1, stock modules and ours (AMD, 10-20 min)"
	@echo "make memslot-timing  memslot_perf_test timed with the stock modules, ours and ours off (AMD, ~30 min)"
	@echo "KSERIES=6.12|6.1|7.3 picks the kernel for modules, test-lab, lab/run (default 6.12)"
	@echo "make test-profile  a real Debian boot profiled in the lab, the CSVs checked"
	@echo "make checkpatch  kernel style of the hook series and the new files"
	@echo "make selftest    build KVM's exit_stats_test (patch 0004) static, print its path"
	@echo "make test-selftest  that selftest in the lab's L1: Intel, then AMD (test-selftest-amd)"
	@echo "make test-isolation SMP exactness and isolation between VMs in the lab, Intel then AMD (test-isolation-amd)"
	@echo "make test-full-kernel  build the complete lean kernel (kernel/README.md), boot it as L1 and L2: conformance, Intel and AMD"
	@echo "make test-debug-kernel the KERNEL_DEBUG=1 kernel (lockdep, KASAN) as L1: lockdep/sleep/KASAN caught, conformance, isolation, host scope"
	@echo "make bench       sampler cost, analysis throughput, and the cost of one exit in the lab"
	@echo "make fuzz        libFuzzer on the CSV readers; every 32-bit ECX through the leaf dispatch"

# Everything exitprof needs from Debian (kernel build, lab emulators, tests).
DEBS := gcc gcc-12 make patch procps bc bison flex libelf-dev libssl-dev dwarves cpio kmod \
	xz-utils zstd rsync ccache openssl python3-ply python3-git \
	bochs bochsbios vgabios seabios busybox-static \
	isolinux syslinux-common genisoimage debootstrap gnuplot-nox cpuid systemd \
	clang libclang-rt-dev
# The whole job on the lab: build what is missing (cached), boot L1 and the
# Debian L2 with the sampler, record the VM from L1 (exitprof record, every
# 100 ms: the timeline), bring back the CSVs, analyse, draw. The guest
# sampler gives the milestones and the alignment; a sweep is at most 162
# CPUID exits on Intel, 344 on AMD (91 on average in a boot: only moved
# reasons' cycles), and its interval keeps them within 5 % of a boot's exits
# (lab/README.md: 3.2 % at 500 ms on Intel, from the dracut initrd on;
# earlier, full sweeps: 15.7 % at 50 ms on Intel, 12.8 % at 200 ms on AMD).
VENDOR ?= intel
INTERVAL_MS ?= $(if $(filter amd,$(VENDOR)),1000,500)
AFTER_BOOT_S ?= 5
profile:
	lab/profile --vendor $(VENDOR) --interval $(INTERVAL_MS) --after-boot $(AFTER_BOOT_S)

# make bench: the sampler's cost from the newest profile (or plots/example),
# then analysis throughput (analysis/analysis.mk).
.PHONY: bench-sampler bench-exits
bench: bench-sampler bench-exits
# The cost of one exit, statistics on vs off and vs a global-atomic variant,
# in one lab boot (tests/bench/exits.sh; VENDOR=amd for the QEMU lab).
bench-exits: guest
	VENDOR=$(VENDOR) tests/bench/exits.sh
bench-sampler:
	tests/bench/sampler.sh $(RESULTS)

# QEMU from bookworm-backports (10.x): the AMD lab's L0, and the L2 VMM in
# both labs' L1. Backports install only what is asked for with -t.
BACKPORTS := /etc/apt/sources.list.d/exitprof-bookworm-backports.sources
deps:
	test -e $(BACKPORTS) || printf '%s\n' 'Types: deb' 'URIs: http://deb.debian.org/debian' \
		'Suites: bookworm-backports' 'Components: main' \
		'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' >$(BACKPORTS)
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $(DEBS)
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		-t bookworm-backports qemu-system-x86

modules:
	$(MAKE) -C kernel modules

# Swap the running host's kvm modules (kernel/install-modules.sh --help).
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
install-modules: modules
	$(SUDO) kernel/install-modules.sh "$$(make -s --no-print-directory -C kernel modules-dir)"
restore-modules:
	$(SUDO) kernel/install-modules.sh --restore

guest: $(BUILD)/exitprof $(BUILD)/leafcheck

$(BUILD)/exitprof: $(GUEST_SRC) sampler/leaves.h sampler/sample.h sampler/record.h $(KSHARED)
	@mkdir -p $(BUILD)
	$(CC) $(CFLAGS) $(WARN) -static -DEXITPROF_VERSION='"$(VERSION)"' $(KINC) -Isampler -o $@ $(GUEST_SRC)

$(BUILD)/leafcheck: tests/guest/leafcheck.c
	@mkdir -p $(BUILD)
	$(CC) $(CFLAGS) $(WARN) -static -pthread -o $@ $<

$(BUILD)/test_leaf: tests/unit/test_leaf.c $(LEAF_SRC) $(KSHARED)
	@mkdir -p $(BUILD)
	$(CC) -O1 -g $(WARN) $(SAN) $(KINC) -o $@ $(LEAF_SRC) $<

$(BUILD)/test_query: tests/unit/test_query.c tests/unit/fake_kvm.h $(LEAF_SRC) sampler/leaves.c sampler/leaves.h $(KSHARED)
	@mkdir -p $(BUILD)
	$(CC) -O1 -g $(WARN) $(SAN) $(KINC) -Isampler -o $@ $(LEAF_SRC) sampler/leaves.c $<

$(BUILD)/test_sample: tests/unit/test_sample.c tests/unit/check.h tests/unit/fake_kvm.h $(LEAF_SRC) sampler/leaves.c sampler/sample.c sampler/leaves.h sampler/sample.h $(KSHARED)
	@mkdir -p $(BUILD)
	$(CC) -O1 -g $(WARN) $(SAN) $(KINC) -Isampler -o $@ $(LEAF_SRC) sampler/leaves.c sampler/sample.c $<

$(BUILD)/test_record: tests/unit/test_record.c tests/unit/check.h $(LEAF_SRC) sampler/leaves.c sampler/sample.c sampler/record.c sampler/leaves.h sampler/sample.h sampler/record.h $(KSHARED)
	@mkdir -p $(BUILD)
	$(CC) -O1 -g $(WARN) $(SAN) $(KINC) -Isampler -o $@ $(LEAF_SRC) sampler/leaves.c sampler/sample.c sampler/record.c $<

install: $(BUILD)/exitprof
	install -D -m 755 $(BUILD)/exitprof $(DESTDIR)$(PREFIX)/bin/exitprof
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|/usr/bin/exitprof|$(PREFIX)/bin/exitprof|' sampler/systemd/exitprof-sampler.service \
		>$(DESTDIR)$(UNITDIR)/exitprof-sampler.service
	install -D -m 644 sampler/systemd/exitprof.default $(DESTDIR)/etc/default/exitprof
	install -D -m 644 sampler/FORMAT.md $(DESTDIR)$(PREFIX)/share/doc/exitprof/FORMAT.md
	install -d $(DESTDIR)$(PREFIX)/share/exitprof/plots
	install -m 644 plots/*.gp $(DESTDIR)$(PREFIX)/share/exitprof/plots/
	install -D -m 755 sampler/dracut/module-setup.sh $(DESTDIR)$(PREFIX)/lib/dracut/modules.d/90exitprof/module-setup.sh

DEB := $(BUILD)/exitprof_$(VERSION)_amd64.deb
deb: $(DEB)
$(DEB): $(BUILD)/exitprof sampler/systemd/* sampler/debian/* sampler/dracut/* sampler/FORMAT.md plots/*.gp
	rm -rf $(BUILD)/deb
	$(MAKE) -s install DESTDIR=$(CURDIR)/$(BUILD)/deb PREFIX=/usr
	install -d $(BUILD)/deb/DEBIAN
	sed 's/@VERSION@/$(VERSION)/' sampler/debian/control >$(BUILD)/deb/DEBIAN/control
	install -m 755 sampler/debian/postinst sampler/debian/prerm $(BUILD)/deb/DEBIAN/
	install -m 644 sampler/debian/conffiles sampler/debian/triggers $(BUILD)/deb/DEBIAN/
	dpkg-deb --root-owner-group -Zxz --build $(BUILD)/deb $@

# The unit as installed passes systemd's own checks.
test-units: guest
	rm -rf $(BUILD)/verify && $(MAKE) -s install DESTDIR=$(CURDIR)/$(BUILD)/verify
	systemd-analyze verify --root=$(CURDIR)/$(BUILD)/verify exitprof-sampler.service
	@echo "systemd-analyze verify exitprof-sampler.service: ok"

# Every subcommand's command line; the charts from a DESTDIR install.
test-cli: guest
	rm -rf $(abspath $(BUILD)/cli-install)
	$(MAKE) -s install DESTDIR=$(abspath $(BUILD)/cli-install)
	tests/unit/cli.sh $(BUILD)/exitprof $(abspath $(BUILD)/cli-install)

test-unit: test-units test-cli $(BUILD)/test_leaf $(BUILD)/test_query $(BUILD)/test_sample $(BUILD)/test_record test-analysis
	$(BUILD)/test_leaf
	$(BUILD)/test_query
	$(BUILD)/test_sample
	$(BUILD)/test_record

test-lab: guest
	tests/lab/conformance.sh
	$(MAKE) test-lab-amd

# The Intel conformance run on the other kernel series exitprof supports:
# Debian's stock Linux 6.1 as L1 and L2, the 6.1 hook series' modules.
test-lab-6.1: guest
	KSERIES=6.1 tests/lab/conformance.sh

# Both conformance runs on Linux 7.3 (KSERIES=7.3: Debian trixie-backports'
# stock 7.3 kernel as L1 and L2, the 7.3 series' modules built with gcc-12).
test-lab-7.3: guest
	KSERIES=7.3 tests/lab/conformance.sh
	$(MAKE) test-lab-7.3-amd
test-lab-7.3-amd: guest
	KSERIES=7.3 LAB_TIMEOUT_BOOT_L2=$${LAB_TIMEOUT_BOOT_L2:-120} VENDOR=amd tests/lab/conformance.sh

# An AMD L2 boots in 10-15 s; a hung one is given up after 2 minutes, not 15.
test-lab-amd: guest
	LAB_TIMEOUT_BOOT_L2=$${LAB_TIMEOUT_BOOT_L2:-120} VENDOR=amd tests/lab/conformance.sh

# The Intel conformance run with kvm_intel.unrestricted_guest=0: KVM emulates
# the guest's real-mode code; total == the exits statistic still, exactly.
test-lab-ug0: guest
	LAB_KVM_VENDOR_ARGS=unrestricted_guest=0 tests/lab/conformance.sh

# lab/run fails a run whose L1 warns: a module doing WARN_ON(1) at load (AMD, seconds).
test-lab-warn:
	tests/lab/warn.sh

# A stuck stack (L1 spinning, L0 asleep) fails within LAB_STUCK_S (tests/lab/stuck.sh).
test-lab-stuck:
	tests/lab/stuck.sh

# SMP exactness and isolation between VMs, both vendors (tests/lab/isolation.sh).
test-isolation: test-isolation-intel test-isolation-amd
test-isolation-intel: guest
	tests/lab/isolation.sh
test-isolation-amd: guest
	LAB_TIMEOUT_BOOT_L2=$${LAB_TIMEOUT_BOOT_L2:-120} VENDOR=amd tests/lab/isolation.sh

# KVM's own selftest for the leaves (patch 0004 of the series), built static
# against the patched tree (prints its path), run in the lab's L1: Intel, AMD.
selftest:
	@$(MAKE) -s -C kernel selftest
test-selftest:
	tests/lab/selftest.sh
	$(MAKE) test-selftest-amd
test-selftest-amd:
	LAB_TIMEOUT_BOOT_L2=$${LAB_TIMEOUT_BOOT_L2:-120} VENDOR=amd tests/lab/selftest.sh

# Every series (kernel/versions/*.env), each with its own kernel's checkpatch.pl.
checkpatch:
	set -e; for s in $(patsubst kernel/versions/%.env,%,$(wildcard kernel/versions/*.env)); do \
		$(MAKE) -C kernel checkpatch KSERIES=$$s; done

# Every 32-bit ECX through the leaf dispatch under ASan + UBSan (test-unit runs a
# sweep of the edges, 0..0x1000 and 10^6 random values); part of make fuzz.
fuzz: fuzz-leaf
fuzz-leaf: $(BUILD)/test_leaf
	$(BUILD)/test_leaf exhaustive vmx & p=$$!; \
	$(BUILD)/test_leaf exhaustive svm; r=$$?; wait $$p && exit $$r

# install-modules on a stock L1; cycles against the trace; KVM's own
# selftests with the stock modules and ours (tests/lab/*.sh say how).
test-install-modules: guest
	tests/lab/install-modules.sh
test-cycles: guest
	tests/lab/cycles-trace.sh
test-kvm-selftests:
	tests/lab/kvm-selftests.sh
.PHONY: memslot-timing
memslot-timing:
	tests/lab/memslot-timing.sh

# A real Debian boot with the sampler in the lab, its profile checked.
test-profile:
	rm -rf $(BUILD)/test-profile
	lab/profile --vendor $(VENDOR) --interval $(INTERVAL_MS) --after-boot 3 --results $(BUILD)/test-profile >/dev/null
	tests/lab/profile-check.sh $(BUILD)/test-profile

# CI's 90 minutes hold the conformance runs on both vendors, with
# unrestricted_guest=0 and on 6.1, the WARN test, the selftest on AMD, the
# isolation suite on Intel (Bochs: deterministic, ~5 min since the timer-storm
# fix), the AMD conformance run on Linux 7.3 (cold: a 300 MB download and a
# modules build, kernel/README.md), a profiled boot, install-modules and
# cycles vs the trace (AMD, a minute each), a stuck stack noticed, and the
# complete lean kernel (~13 min cold on 2 cores) booted as L1 and L2 in both
# labs (test-full-kernel, two minutes). test-long: the Intel conformance
# run on 7.3, the Intel selftest, the AMD selftest on 7.3, the AMD isolation
# suite (QEMU's multi-threaded TCG reset a CPU in 2 of 30 runs and once
# panicked L1 with a corrupted stack: lab/README.md), host scope under churn
# (two L1 CPUs: a VM reset or L1 panic in 5 of 8 runs in session 9, 2 of 8
# with the stock modules: kernel/README.md), KVM's own
# selftests, stock vs ours (AMD, two runs of ~5 min on an idle machine), and
# the debug kernel (its cold build ~15 min on 2 cores, its runs 7–8 min).
test: test-unit checkpatch test-lab test-lab-ug0 test-lab-warn test-lab-stuck test-lab-6.1 test-lab-7.3-amd test-selftest-amd test-isolation-intel test-profile \
	test-install-modules test-cycles test-full-kernel
test-long: guest
	KSERIES=7.3 tests/lab/conformance.sh
	tests/lab/selftest.sh
	KSERIES=7.3 $(MAKE) test-selftest-amd
	VENDOR=amd tests/lab/isolation.sh
	VENDOR=amd tests/lab/hostscope-churn.sh
	tests/lab/kvm-selftests.sh
	$(MAKE) test-debug-kernel

# The complete kernel (make -C kernel kernel) as L1 and L2, its own KVM
# modules: the conformance runs on both vendors (kernel/README.md).
FULL_KERNEL = $$($(MAKE) -s --no-print-directory -C kernel kernel-dir KERNEL_DEBUG=$(1))
test-full-kernel: guest
	$(MAKE) -C kernel kernel
	LAB_KERNEL=$(call FULL_KERNEL,0) tests/lab/conformance.sh
	LAB_KERNEL=$(call FULL_KERNEL,0) VENDOR=amd tests/lab/conformance.sh
# The KERNEL_DEBUG=1 kernel as L1 (AMD: QEMU TCG, Bochs is too slow for
# KASAN + lockdep): a planted lock-order, sleep-in-atomic and KASAN bug each
# fail the run, then conformance, isolation and host scope with no report.
# The VMs in L1 run the lean kernel: the checks are of the host's KVM, and
# the debug kernel as L2 reset under TCG (kernel/README.md). Host scope under
# churn runs on one L1 CPU: on two, VMs next to the spinner reset in about
# half the runs under the debug L1, with the feature compiled out too
# (KERNEL_EXIT_STATS=0); on one, none did (kernel/README.md). The two-CPU
# churn is test-long's run on the stock L1.
# A KASAN L1 runs on a CPU without LA57 (lab/run; kernel/README.md says why).
DEBUG_LAB = LAB_KERNEL=$(call FULL_KERNEL,1) LAB_L2_KERNEL=$(call FULL_KERNEL,0) VENDOR=amd
test-debug-kernel: guest
	$(MAKE) -C kernel kernel
	$(MAKE) -C kernel kernel KERNEL_DEBUG=1
	set -e; for m in lockdep sleep kasan; do \
		$(DEBUG_LAB) WARN_MODE=$$m tests/lab/warn.sh; done
	$(DEBUG_LAB) tests/lab/conformance.sh
	$(DEBUG_LAB) tests/lab/isolation.sh
	$(DEBUG_LAB) LAB_L1_CPUS=1 tests/lab/hostscope-churn.sh

clean:
	rm -rf $(BUILD)
