from inventory import common_items


def test_keeps_order_of_first_and_drops_repeats():
    assert common_items([3, 1, 3, 2, 1], [1, 2, 3]) == [3, 1, 2]


def test_nothing_in_common():
    assert common_items(["a", "b"], ["c"]) == []


def test_empty_inputs():
    assert common_items([], [1]) == []
    assert common_items([1], []) == []


def test_larger_inputs():
    first = [(i * 7919) % 3000 for i in range(3000)]
    second = list(range(0, 3000, 3))
    expected = []
    seen = set()
    wanted = set(second)
    for item in first:
        if item in wanted and item not in seen:
            seen.add(item)
            expected.append(item)
    assert common_items(first, second) == expected
