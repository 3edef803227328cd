"""Counting repeated values: correct, but it compares every pair."""


def count_duplicates(values):
    """Number of values equal to some earlier value."""
    count = 0
    for i in range(len(values)):
        for j in range(i):
            if values[i] == values[j]:
                count += 1
                break
    return count
