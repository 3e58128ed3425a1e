// SPDX-License-Identifier: GPL-2.0-only
/*
 * gen_profile: a plausible boot profile in format v1 (sampler/FORMAT.md),
 * for developing the analysis, the charts and `make bench`, without a lab.
 *
 * The model: the counters at the first sample hold what firmware, kernel
 * and initrd did; then, per boot phase, a rate per reason with bursts of EPT
 * violations and port I/O while devices are probed and services start,
 * steady timer interrupts and MSR writes (TSC deadline), and HLT growing as
 * the guest goes idle.  The sampler's own CPUIDs (one sweep per row) are in
 * the CPUID reason and the total, as in a real profile.  Deterministic for a
 * given seed; written as it goes, so an hour at 10 ms needs no memory.
 *
 * DIR/expected.txt has the answer analysis must find: per reason "code
 * exits cycles", the guest's exits over the whole profile (the counters at
 * the first sample plus every increment, not modulo 2^32, the sampler's own
 * CPUIDs left out) and their cycles.
 *
 * With -H, DIR/host-samples.csv is the same VM seen by `exitprof record
 * --next` (source=host): the host's clock is the guest's + HOST_OFFSET_NS,
 * the VM is created VM_CREATED_BEFORE_NS before the kernel starts, the
 * host reads the counters on its own grid, from the VM's creation until
 * just after the guest's last row; between two guest rows it sees the next
 * sweep's CPUIDs and a share of the interval's other exits in proportion
 * to time.  The exits before the first guest row are spread evenly from
 * the VM's creation.  DIR/expected-align.txt has the offset; the host's
 * exits minus the sampler's CPUIDs are expected.txt's, as for the guest.
 *
 * usage: gen_profile -o DIR [-d SECONDS | -n ROWS] [-i INTERVAL_MS] [-s SEED]
 *                    [-t 1|2] [-w] [-H [-I HOST_INTERVAL_MS] [-X SECONDS]]
 *   -n  exactly ROWS samples, however long they take
 *   -w  start the counts near 2^32 so that they wrap during the profile
 *   -H  write host-samples.csv too
 *   -X  from guest time SECONDS on, the host counts 5000 EPT violations
 *       (NPF on AMD) more than the guest: two series that disagree
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "leaves.h"

#define US	1000ULL
#define MS	1000000ULL
#define SEC	1000000000ULL

enum { PH_EARLY, PH_SYSINIT, PH_BASIC, PH_MULTIUSER, PH_IDLE, NPH };

/* Milestones (µs) of a small Debian guest; the sampler starts at 2.9 s. */
static const struct { const char *name; uint64_t us; } milestones[] = {
	{ "kernel", 0 },
	{ "initrd", 812345 },
	{ "userspace", 2604211 },
	{ "sysinit.target", 3431007 },
	{ "basic.target", 3590412 },
	{ "multi-user.target", 7802233 },
	{ "finished", 7880050 },
};
#define SAMPLER_START_NS	(2900 * MS)
#define HOST_OFFSET_NS		((uint64_t)5123456789012ULL)
#define VM_CREATED_BEFORE_NS	((uint64_t)800 * MS)
#define EXTRA_EXITS		5000

struct model {
	const char *name;	/* for the reader of this file */
	uint32_t vmx, svm;	/* code in each taxonomy */
	uint32_t before;	/* count at the first sample */
	double rate[NPH];	/* exits/s per phase */
	bool bursty;		/* comes in bursts while booting */
	uint32_t cycles;	/* mean cycles per exit */
};

static const struct model models[] = {
	{ "EPT violation", 48, 0x400, 182000,
	  { 42000, 30000, 16000, 9000, 15 }, true, 6200 },
	{ "port I/O", 30, 0x7b, 96000,
	  { 9000, 6000, 3500, 1500, 4 }, true, 9500 },
	{ "EPT misconfig (MMIO)", 49, 0x400, 15500,
	  { 3500, 2500, 1800, 700, 8 }, true, 4100 },
	{ "external interrupt", 1, 0x60, 5200,
	  { 1500, 1300, 1100, 700, 110 }, false, 1800 },
	{ "MSR write (TSC deadline)", 32, 0x7c, 12500,
	  { 2100, 1800, 1500, 900, 240 }, false, 900 },
	{ "MSR read", 31, 0x7c, 8100,
	  { 420, 300, 250, 120, 2 }, true, 700 },
	{ "HLT", 12, 0x78, 2100,
	  { 250, 400, 700, 900, 230 }, false, 1500 },
	{ "CPUID (guest's own)", 10, 0x72, 3200,
	  { 180, 90, 120, 40, 0.2 }, true, 450 },
	{ "CR access", 28, 0x10, 4100,
	  { 800, 500, 450, 200, 1 }, true, 1200 },
	{ "PAUSE", 40, 0x77, 300,
	  { 60, 40, 30, 8, 0 }, true, 500 },
	{ "exception", 0, 0x4e, 310,
	  { 30, 15, 25, 6, 0.1 }, true, 3100 },
	{ "interrupt window", 7, 0x64, 900,
	  { 120, 100, 90, 40, 3 }, false, 800 },
	{ "APIC access", 44, 0x402, 600,
	  { 20, 15, 10, 3, 0.5 }, false, 2500 },
	{ "XSETBV", 55, 0x8d, 4,
	  { 0.5, 0, 0, 0, 0 }, false, 800 },
	{ "WBINVD", 54, 0x89, 2,
	  { 0.3, 0, 0.2, 0, 0 }, false, 21000 },
};
#define NMODELS (sizeof(models) / sizeof(models[0]))

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)	/* xorshift64* */
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static double unif(void)
{
	return (double)(rnd() >> 11) / 9007199254740992.0;
}

/* A count with mean m: the integer part and one Bernoulli for the rest. */
static uint64_t draw(double m)
{
	uint64_t k = (uint64_t)m;

	return k + (unif() < m - (double)k);
}

static int phase_at(uint64_t t_ns)
{
	if (t_ns < milestones[3].us * US)
		return PH_EARLY;
	if (t_ns < milestones[4].us * US)
		return PH_SYSINIT;
	if (t_ns < milestones[5].us * US)
		return PH_BASIC;
	if (t_ns < milestones[6].us * US)
		return PH_MULTIUSER;
	return PH_IDLE;
}

static char *put_u64(char *p, uint64_t v)
{
	char t[20];
	int n = 0;

	do {
		t[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = t[--n];
	return p;
}

static int usage(void)
{
	fputs("usage: gen_profile -o DIR [-d SECONDS | -n ROWS] [-i INTERVAL_MS] [-s SEED] [-t 1|2] [-w] [-H [-I HOST_INTERVAL_MS] [-X SECONDS]]\n",
	      stderr);
	return 2;
}

/* The host's view: what it reads at host time h (see the top). */
struct host {
	FILE *f;
	char *line;
	unsigned int ncodes;
	int extra_slot;
	uint64_t next, interval, extra_from, rows;
};

static void host_read(struct host *h, const uint32_t *base_n,
		      const uint64_t *base_cyc, const uint64_t *inc_n,
		      const uint64_t *inc_cyc, double frac, int self_slot,
		      uint64_t self)
{
	uint32_t total = 0;
	uint64_t cycles = 0;
	char *p = h->line, *q;
	unsigned int i;

	q = p + 128;	/* the reasons first, the totals in front later */
	for (i = 0; i < h->ncodes; i++) {
		uint32_t n = base_n[i] + (uint32_t)((double)inc_n[i] * frac + 0.5);
		uint64_t c = base_cyc[i] + (uint64_t)((double)inc_cyc[i] * frac + 0.5);

		if ((int)i == self_slot) {
			n += (uint32_t)self;
			c += self * 520;
		}
		total += n;
		cycles += c;
		if ((int)i == h->extra_slot && h->next >= h->extra_from)
			n += EXTRA_EXITS;
		*q++ = ',';
		q = put_u64(q, n);
		*q++ = ',';
		q = put_u64(q, c);
	}
	*q++ = '\n';
	p = put_u64(p, h->next);
	*p++ = ',';
	p = put_u64(p, total);
	*p++ = ',';
	p = put_u64(p, cycles);
	*p++ = ',';
	*p++ = '0';
	fwrite(h->line, 1, (size_t)(p - h->line), h->f);
	fwrite(h->line + 128, 1, (size_t)(q - h->line - 128), h->f);
	h->rows++;
	h->next += h->interval + rnd() % (50 * US);
}

int main(int argc, char **argv)
{
	const char *dir = NULL;
	double seconds = 20;
	unsigned int interval_ms = 10, taxonomy = 1;
	bool wrap = false, with_host = false;
	double extra_s = -1;
	unsigned int host_ms = 10;
	struct host host = { .extra_slot = -1 };
	uint64_t inc_n[KVM_EXIT_STATS_MAX_CODE + 1], inc_cyc[KVM_EXIT_STATS_MAX_CODE + 1];
	uint32_t zero_n[KVM_EXIT_STATS_MAX_CODE + 1] = { 0 };
	uint64_t zero_cyc[KVM_EXIT_STATS_MAX_CODE + 1] = { 0 };
	uint32_t codes[KVM_EXIT_STATS_MAX_CODE + 1], n[KVM_EXIT_STATS_MAX_CODE + 1];
	uint64_t cyc[KVM_EXIT_STATS_MAX_CODE + 1];
	/* the truth: guest exits and cycles, 64-bit, without the sampler's */
	uint64_t want_n[KVM_EXIT_STATS_MAX_CODE + 1] = { 0 };
	uint64_t want_cyc[KVM_EXIT_STATS_MAX_CODE + 1] = { 0 };
	int slot[NMODELS], cpuid_slot = -1, opt;
	unsigned int ncodes = 0, i, sweep;
	uint64_t t, end, cycles = 0, rows = 0, burst_until = 0, max_rows = 0;
	uint32_t total = 0, max_code = 0;
	double burst = 1;
	char path[PATH_MAX], *line;
	FILE *f;

	while ((opt = getopt(argc, argv, "o:d:n:i:s:t:wHI:X:")) != -1) {
		switch (opt) {
		case 'o': dir = optarg; break;
		case 'd': seconds = strtod(optarg, NULL); break;
		case 'n': max_rows = strtoull(optarg, NULL, 10); break;
		case 'i': interval_ms = (unsigned int)strtoul(optarg, NULL, 10); break;
		case 's': rng_state ^= strtoull(optarg, NULL, 0) * 0x9e3779b97f4a7c15ULL; break;
		case 't': taxonomy = (unsigned int)strtoul(optarg, NULL, 10); break;
		case 'w': wrap = true; break;
		case 'H': with_host = true; break;
		case 'I': host_ms = (unsigned int)strtoul(optarg, NULL, 10); break;
		case 'X': extra_s = strtod(optarg, NULL); break;
		default: return usage();
		}
	}
	if (!dir || !interval_ms || seconds <= 0 || !ep_taxonomy_name(taxonomy) ||
	    (with_host && (wrap || !host_ms)))
		return usage();
	if (mkdir(dir, 0777) && errno != EEXIST) {
		perror(dir);
		return 1;
	}
	for (i = 0; i <= KVM_EXIT_STATS_MAX_CODE; i++)
		if (ep_reason_name(taxonomy, i)) {
			codes[ncodes] = i;
			n[ncodes] = 0;
			cyc[ncodes++] = 0;
			max_code = i;
		}
	for (i = 0; i < NMODELS; i++) {
		uint32_t c = taxonomy == 1 ? models[i].vmx : models[i].svm;
		unsigned int k;

		slot[i] = -1;
		for (k = 0; k < ncodes; k++)
			if (codes[k] == c)
				slot[i] = (int)k;
		if (c == (taxonomy == 1 ? 10u : 0x72u))
			cpuid_slot = slot[i];
		if (c == (taxonomy == 1 ? 48u : 0x400u))
			host.extra_slot = extra_s >= 0 ? slot[i] : -1;
	}
	host.extra_from = extra_s >= 0 ? HOST_OFFSET_NS + (uint64_t)(extra_s * 1e9) : UINT64_MAX;
	sweep = 2 + 2 * ncodes;

	/* milestones.csv */
	snprintf(path, sizeof(path), "%s/milestones.csv", dir);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		return 1;
	}
	fputs("# exitprof-milestones v1\nmilestone,time_us\n", f);
	for (i = 0; i < sizeof(milestones) / sizeof(milestones[0]); i++)
		fprintf(f, "%s,%" PRIu64 "\n", milestones[i].name,
			milestones[i].us);
	if (fclose(f)) {
		perror(path);
		return 1;
	}

	snprintf(path, sizeof(path), "%s/samples.csv", dir);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		return 1;
	}
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	fprintf(f, "# exitprof-samples v1\n# taxonomy=%u max_reason=%" PRIu32
		" scope=vm interval_ms=%u sweep_cpuids=%u clock=CLOCK_MONOTONIC\n",
		taxonomy, max_code, interval_ms, sweep);
	fputs("time_ns,total,cycles,self_cpuid", f);
	for (i = 0; i < ncodes; i++)
		fprintf(f, ",n%" PRIu32 ",cyc%" PRIu32, codes[i], codes[i]);
	fputc('\n', f);
	line = malloc(64 + (size_t)ncodes * 48);
	if (!line)
		return 1;
	if (with_host) {
		const uint64_t created = HOST_OFFSET_NS - VM_CREATED_BEFORE_NS;

		snprintf(path, sizeof(path), "%s/host-samples.csv", dir);
		host.f = fopen(path, "w");
		host.line = malloc(256 + (size_t)ncodes * 48);
		if (!host.f || !host.line) {
			perror(path);
			return 1;
		}
		setvbuf(host.f, NULL, _IOFBF, 1 << 20);
		host.ncodes = ncodes;
		host.interval = host_ms * MS;
		host.next = created + 300 * US;
		fprintf(host.f, "# exitprof-samples v1\n# taxonomy=%u max_reason=%" PRIu32
			" scope=vm interval_ms=%u sweep_cpuids=0 clock=CLOCK_MONOTONIC source=host vm=4711-12 created_after_ns=%" PRIu64 " created_ns=%" PRIu64 "\n",
			taxonomy, max_code, host_ms, (uint64_t)(created - MS), (uint64_t)created);
		fputs("time_ns,total,cycles,self_cpuid", host.f);
		for (i = 0; i < ncodes; i++)
			fprintf(host.f, ",n%" PRIu32 ",cyc%" PRIu32, codes[i], codes[i]);
		fputc('\n', host.f);
	}

	/* the first sample: all that happened before the sampler started */
	for (i = 0; i < NMODELS; i++) {
		if (slot[i] < 0)
			continue;
		n[slot[i]] += models[i].before;
		cyc[slot[i]] += (uint64_t)models[i].before * models[i].cycles;
	}
	if (wrap)	/* the busy counts wrap within the first minute */
		for (i = 0; i < NMODELS; i++)
			if (slot[i] >= 0 && models[i].before > 5000)
				n[slot[i]] -= 1000000;
	for (i = 0; i < ncodes; i++) {
		total += n[i];
		cycles += cyc[i];
		want_n[i] = n[i];
		want_cyc[i] = cyc[i];
	}

	t = SAMPLER_START_NS;
	if (host.f) {	/* from the VM's creation to the first guest row */
		const uint64_t c0 = HOST_OFFSET_NS - VM_CREATED_BEFORE_NS;

		for (i = 0; i < ncodes; i++) {
			inc_n[i] = n[i];
			inc_cyc[i] = cyc[i];
		}
		while (host.next < t + HOST_OFFSET_NS)
			host_read(&host, zero_n, zero_cyc, inc_n, inc_cyc,
				  (double)(host.next - c0) / (double)(t + HOST_OFFSET_NS - c0),
				  -1, 0);
	}
	end = t + (uint64_t)(seconds * 1e9);
	for (;;) {
		/* self: one sweep per row, the first row also the probe (2) */
		uint64_t self = rows ? sweep : sweep + 2;
		uint64_t next, dt;
		char *p = line;
		int ph;

		if (cpuid_slot >= 0) {
			n[cpuid_slot] += (uint32_t)self;
			cyc[cpuid_slot] += self * 520;
			cycles += self * 520;
		}
		total += (uint32_t)self;
		p = put_u64(p, t);
		*p++ = ',';
		p = put_u64(p, total);
		*p++ = ',';
		p = put_u64(p, cycles);
		*p++ = ',';
		p = put_u64(p, self);
		for (i = 0; i < ncodes; i++) {
			*p++ = ',';
			p = put_u64(p, n[i]);
			*p++ = ',';
			p = put_u64(p, cyc[i]);
		}
		*p++ = '\n';
		fwrite(line, 1, (size_t)(p - line), f);
		if (++rows > 1 && (max_rows ? rows >= max_rows : t >= end)) {
			/* the host's last read, just after the guest's */
			if (host.f)
				host_read(&host, n, cyc, zero_cyc, zero_cyc, 0, -1, 0);
			break;
		}

		/* the next tick, a little late; now and then one is missed */
		next = t + interval_ms * MS + rnd() % (150 * US);
		if (unif() < 0.001)
			next += interval_ms * MS;
		dt = next - t;
		ph = phase_at(t);
		if (t >= burst_until) {	/* bursts of 50..300 ms */
			burst = ph == PH_IDLE ? 1 :
				unif() < 0.4 ? 1.6 + unif() * 1.4 : 0.15 + unif() * 0.3;
			burst_until = t + 50 * MS + rnd() % (250 * MS);
		}
		memset(inc_n, 0, sizeof(inc_n));
		memset(inc_cyc, 0, sizeof(inc_cyc));
		for (i = 0; i < NMODELS; i++) {
			double m = models[i].rate[ph] * (double)dt / 1e9;
			uint64_t k, c;

			if (slot[i] < 0)
				continue;
			if (models[i].bursty)
				m *= burst;
			/* idle: HLT waits for the timer, more when less busy */
			m *= 0.85 + 0.3 * unif();
			k = draw(m);
			c = (uint64_t)((double)k * models[i].cycles *
				       (0.7 + 0.6 * unif()));
			inc_n[slot[i]] += k;
			inc_cyc[slot[i]] += c;
			want_n[slot[i]] += k;
			want_cyc[slot[i]] += c;
			total += (uint32_t)k;
			cycles += c;
		}
		/* the next sweep's CPUIDs come first, then the interval's exits */
		while (host.f && host.next <= next + HOST_OFFSET_NS)
			host_read(&host, n, cyc, inc_n, inc_cyc,
				  (double)(host.next - HOST_OFFSET_NS - t) / (double)dt,
				  cpuid_slot, sweep);
		for (i = 0; i < ncodes; i++) {
			n[i] += (uint32_t)inc_n[i];
			cyc[i] += inc_cyc[i];
		}
		t = next;
	}
	free(line);
	if (host.f) {
		FILE *af;

		free(host.line);
		if (fclose(host.f)) {
			perror("host-samples.csv");
			return 1;
		}
		snprintf(path, sizeof(path), "%s/expected-align.txt", dir);
		af = fopen(path, "w");
		if (!af || fprintf(af, "offset_ns %" PRIu64 "\ncreated_ns %" PRIu64
				  "\nkernel_on_axis_ns %" PRIu64 "\nhost_rows %" PRIu64 "\n",
				  (uint64_t)HOST_OFFSET_NS,
				  (uint64_t)(HOST_OFFSET_NS - VM_CREATED_BEFORE_NS),
				  (uint64_t)VM_CREATED_BEFORE_NS, host.rows) < 0 || fclose(af)) {
			perror(path);
			return 1;
		}
	}
	if (fclose(f)) {
		perror(path);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/expected.txt", dir);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		return 1;
	}
	fputs("# code exits cycles: the guest's own, whole profile (gen_profile)\n", f);
	for (i = 0; i < ncodes; i++)
		if (want_n[i])
			fprintf(f, "%" PRIu32 " %" PRIu64 " %" PRIu64 "\n", codes[i],
				want_n[i], want_cyc[i]);
	if (fclose(f)) {
		perror(path);
		return 1;
	}
	fprintf(stderr, "gen_profile: %" PRIu64 " rows, %u reasons, %.1f s at %u ms into %s\n",
		rows, ncodes, (double)(t - SAMPLER_START_NS) / 1e9, interval_ms, dir);
	return 0;
}
