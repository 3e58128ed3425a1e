#!/bin/sh
# Runs in L1 (busybox sh) while L2 is paused: the per-VM exit_stats file must
# equal KVM's own accounting for that VM, exactly: per reason against the
# kvm_exit tracepoint histogram the lab installed before L2 started, and in
# total against the vCPUs' "exits" statistic.
# Env from lab/run: KVM_VM_DIR, KVM_EXIT_HIST.
set -u
# The tracepoint's exit_reason is the raw exit code. VMX: bits 15:0 are the
# basic exit reason, bit 31 marks a failed VM entry (counted under its basic
# reason). SVM: the VMCB exit code as is, 0x400 and up are real codes; the
# negative ones (SVM_EXIT_ERR = 0xffffffff) are in no table and are counted
# in the totals only.
if grep -qw svm /proc/cpuinfo; then svm=1; else svm=0; fi
# kvm_intel.unrestricted_guest=0: KVM emulates real-mode code and counts those
# exits (and failed VM entries) in "exits" without a kvm_exit event; exitprof
# counts them in its total, under no reason.
ug=$(cat /sys/module/kvm_intel/parameters/unrestricted_guest 2>/dev/null || echo Y)
stats=$KVM_VM_DIR/exit_stats
[ -r "$stats" ] || { echo "l1-compare: FAIL no $stats"; echo "0 passed, 1 failed"; exit 1; }
sed 's/^/exit_stats| /' "$stats"
exits=$(cat "$KVM_VM_DIR/exits")
echo "vcpu exits statistic| $exits"
grep -E 'exit_reason|Hits|Entries|Dropped' "$KVM_EXIT_HIST" | sed 's/^/kvm_exit hist| /'

# exit_stats first (FNR==NR), then the histogram
awk -v exits="$exits" -v svm="$svm" -v ug="$ug" '
function check(ok, msg) {
	printf "l1-compare: %s %s\n", ok ? "ok  " : "FAIL", msg
	if (ok) pass++; else fail++
}
FNR == NR {
	if ($1 == "total") { total = $3; next }
	if ($1 ~ /^[0-9]+$/) { cnt[$1] = $3; known[$1] = 1 }
	next
}
/exit_reason:/ {
	line = $0
	sub(/.*exit_reason:[ \t]*/, "", line); split(line, a, /[ \t}]/)
	code = svm ? a[1] + 0 : a[1] % 65536
	line = $0
	sub(/.*hitcount:[ \t]*/, "", line); split(line, b, /[ \t]/)
	hsum += b[1]
	if (svm && code >= 2147483648) { negative += b[1]; next }
	hist[code] += b[1]; seen[code] = 1
}
/Dropped:/ { dropped = $2 }
/Hits:/ { hits = $2 }
END {
	bad = 0
	for (c in known) {
		h = (c in hist) ? hist[c] : 0
		if (cnt[c] != h) { bad++; printf "l1-compare: reason %s: exit_stats %s, tracepoint %s\n", c, cnt[c], h }
	}
	for (c in seen)
		if (!(c in known)) { bad++; printf "l1-compare: reason %s seen by the tracepoint is not in exit_stats\n", c }
	check(bad == 0, "every reason: exit_stats count == kvm_exit tracepoint count")
	if (svm)
		printf "l1-compare: info %d exits with negative SVM exit codes (SVM_EXIT_ERR), in the totals only\n", negative
	check(dropped == 0, "tracepoint histogram dropped nothing (" dropped ")")
	check(hits == hsum, "histogram total " hits " == sum of its entries " hsum)
	if (ug == "N")
		check(total >= hsum, "exit_stats total " total " >= kvm_exit tracepoint events " hsum \
			" (unrestricted_guest=0: " total - hsum " exits KVM counts but does not trace)")
	else
		check(total == hsum, "exit_stats total " total " == kvm_exit tracepoint events " hsum)
	check(total == exits, "exit_stats total " total " == vCPU exits statistic " exits)
	printf "%d passed, %d failed\n", pass, fail
	exit fail ? 1 : 0
}' "$stats" "$KVM_EXIT_HIST"
rc=$?
[ $rc = 0 ] || dmesg | tail -n 30 | sed 's/^/L1 dmesg| /'
exit $rc
