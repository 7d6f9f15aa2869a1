"""Timing shared by the PyTorch reference benchmarks (run as scripts, so this sits beside them)."""
import statistics
import time


def time_calls(fn, warmup, runs):
    """Calls fn warmup + runs times; returns (median ms of the timed calls, all their ms, fn's last result)."""
    times = []
    result = None
    for i in range(warmup + runs):
        t0 = time.perf_counter()
        result = fn()
        if i >= warmup:
            times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), times, result
