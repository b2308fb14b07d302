#!/usr/bin/env python3
"""Run one wrk command and say how much of the machine's CPU time went to other processes
meanwhile (a build, a test suite): anything but the server under test and wrk itself.

Usage: wrk_run.py OUTPUT PID[,PID...] -- wrk ARGS...

wrk's standard output goes to OUTPUT. Printed on standard output: the percentage of all CPUs'
time, during the run, used neither by the given processes (all their threads) nor by wrk.
"""

import os
import resource
import subprocess
import sys


def machine_busy():
    """(busy, total) clock ticks of all CPUs since boot."""
    with open("/proc/stat") as f:
        ticks = [int(x) for x in f.readline().split()[1:]]
    # user, nice, system, irq, softirq: without CONFIG_IRQ_TIME_ACCOUNTING, interrupt time is
    # also charged to the process that was running, as its system time. Not idle, iowait, steal.
    busy = sum(ticks[0:3]) + ticks[5] + ticks[6]
    total = sum(ticks[:8])  # guest time is already counted in user
    return busy, total


def process_ticks(pids):
    ticks = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        except (FileNotFoundError, ProcessLookupError, IndexError):
            pass
    return ticks


def main():
    output, pids, sep, *command = sys.argv[1:]
    if sep != "--" or not command:
        raise SystemExit(__doc__)
    pids = [p for p in pids.split(",") if p]
    hz = os.sysconf("SC_CLK_TCK")
    before_busy, before_total = machine_busy()
    before_ours = process_ticks(pids)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(output, "w") as out:
        status = subprocess.run(command, stdout=out).returncode
    after_busy, after_total = machine_busy()
    ours = process_ticks(pids) - before_ours
    wrk = resource.getrusage(resource.RUSAGE_CHILDREN)
    wrk_ticks = hz * ((wrk.ru_utime - children.ru_utime) + (wrk.ru_stime - children.ru_stime))
    other = (after_busy - before_busy) - ours - wrk_ticks
    print(max(0, round(100 * other / max(after_total - before_total, 1))))
    sys.exit(status)


if __name__ == "__main__":
    main()
