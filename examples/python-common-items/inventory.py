"""A small inventory module with one slow function, for `npm run demo`."""


def common_items(first, second):
    """The items of `first` that also occur in `second`, in `first`'s order, without repeats."""
    result = []
    for item in first:
        # Both membership tests scan a list: quadratic in the input sizes.
        if item in second and item not in result:
            result.append(item)
    return result


def total_quantity(stock):
    """Sum of the quantities in a {name: quantity} mapping."""
    return sum(stock.values())
