"""Best sum of `width` neighbouring values: re-sums every window from scratch."""


def max_window_sum(values, width):
    best = None
    for start in range(len(values) - width + 1):
        total = sum(values[start:start + width])
        if best is None or total > best:
            best = total
    return best
