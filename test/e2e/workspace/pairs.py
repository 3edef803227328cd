"""Counting pairs: a small module whose first version is correct but quadratic."""


def count_pairs(values, target):
    """Number of index pairs i < j with values[i] + values[j] == target."""
    count = 0
    for i in range(len(values)):
        for j in range(i + 1, len(values)):
            if values[i] + values[j] == target:
                count += 1
    return count


def describe(values):
    """A one-line summary, used by the report."""
    return f"{len(values)} values, {len(set(values))} distinct"
