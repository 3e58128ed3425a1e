# exitprof analyze and the charts; included from the top Makefile.
#   make test-analysis          unit tests on fixtures, a short fuzz run, the charts
#   make fuzz [FUZZ_SECONDS=60] libFuzzer on the CSV readers (ASan + UBSan)
#   make bench                  throughput and peak memory on a one-hour profile
#   make plots RESULTS=dir      the charts of an analysed profile

ANALYSIS_SRC := analysis/analyze.c analysis/csv.c analysis/engine.c analysis/plot.c \
	analysis/fmt.c analysis/merge.c analysis/profile.c analysis/report.c \
	analysis/timeline.c
ANALYSIS_HDR := $(wildcard analysis/*.h)

# `exitprof analyze` lives in the one guest binary
GUEST_SRC += $(ANALYSIS_SRC)
$(BUILD)/exitprof: $(ANALYSIS_HDR)

ANALYSIS_CFLAGS := -std=c11 $(WARN) $(KINC) -Isampler -Ianalysis
ANALYSIS_DEPS := $(ANALYSIS_SRC) $(ANALYSIS_HDR) sampler/leaves.c sampler/leaves.h $(KSHARED)
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
RESULTS ?=

.PHONY: test-analysis fuzz bench plots

$(BUILD)/test_analysis: tests/analysis/test_analysis.c $(ANALYSIS_DEPS)
	@mkdir -p $(BUILD)
	$(CC) -O1 -g $(ANALYSIS_CFLAGS) $(SAN) -o $@ $(ANALYSIS_SRC) sampler/leaves.c $(LEAF_SRC) $<

$(BUILD)/gen_profile: tests/analysis/gen_profile.c sampler/leaves.c sampler/leaves.h $(KSHARED)
	@mkdir -p $(BUILD)
	$(CC) -O2 -g $(ANALYSIS_CFLAGS) -o $@ sampler/leaves.c $(LEAF_SRC) $<

$(BUILD)/bench_run: tests/analysis/bench_run.c
	@mkdir -p $(BUILD)
	$(CC) -O2 -g -std=c11 $(WARN) -o $@ $<

# libFuzzer needs clang and its runtime (clang, libclang-rt-dev in DEBS)
$(BUILD)/fuzz_analysis: tests/analysis/fuzz_csv.c $(ANALYSIS_DEPS)
	@mkdir -p $(BUILD)
	@command -v $(FUZZ_CC) >/dev/null || { echo "fuzz: $(FUZZ_CC) not found: make deps installs clang and libclang-rt-dev"; exit 1; }
	$(FUZZ_CC) -O1 -g $(ANALYSIS_CFLAGS) -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -o $@ $(ANALYSIS_SRC) sampler/leaves.c $(LEAF_SRC) $<

# plots/plot.sh draws with build/exitprof
test-analysis: $(BUILD)/test_analysis $(BUILD)/fuzz_analysis $(BUILD)/gen_profile $(BUILD)/exitprof
	tests/analysis/run.sh $(BUILD)

fuzz: $(BUILD)/fuzz_analysis
	tests/analysis/fuzz.sh $(BUILD)/fuzz_analysis $(FUZZ_SECONDS)

bench: $(BUILD)/exitprof $(BUILD)/gen_profile $(BUILD)/bench_run
	tests/analysis/bench.sh $(BUILD)

plots: $(BUILD)/exitprof
	@test -n "$(RESULTS)" || { echo "usage: make plots RESULTS=dir (a directory exitprof analyze wrote)"; exit 2; }
	$(BUILD)/exitprof plot --scripts plots $(RESULTS)
