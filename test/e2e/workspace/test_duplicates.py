from duplicates import count_duplicates


def test_no_duplicates():
    assert count_duplicates([3, 1, 2]) == 0


def test_repeats():
    assert count_duplicates([1, 2, 1, 1, 2]) == 3


def test_larger_input():
    values = [(i * 37) % 101 for i in range(400)]
    assert count_duplicates(values) == 400 - 101


def afterburner_inputs(size):
    """Distinct values, so every pair is compared: the slow path."""
    return (list(range(size, 0, -1)),)
