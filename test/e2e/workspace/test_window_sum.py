from window_sum import max_window_sum


def test_small():
    assert max_window_sum([1, 3, 2, 5, 1], 2) == 7


def test_whole_list():
    assert max_window_sum([4, -1, 2], 3) == 5
