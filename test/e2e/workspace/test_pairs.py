from pairs import count_pairs


def test_no_pairs():
    assert count_pairs([], 3) == 0
    assert count_pairs([1, 5, 9], 3) == 0


def test_repeated_values():
    assert count_pairs([1, 2, 2, 1], 3) == 4
    assert count_pairs([2, 2, 2], 4) == 3


def test_larger_input():
    values = [(i * 37) % 101 for i in range(400)]
    assert count_pairs(values, 100) == sum(
        1 for i in range(len(values)) for j in range(i + 1, len(values)) if values[i] + values[j] == 100
    )
