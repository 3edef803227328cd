def restock_order(sales, stock, minimum):
    """Items to reorder, most sold first: those whose stock fell below `minimum`."""
    totals = []
    for item in stock:
        sold = 0
        for name, quantity in sales:
            if name == item:
                sold += quantity
        if stock[item] < minimum:
            totals.append((sold, item))
    totals.sort(key=lambda pair: (-pair[0], pair[1]))
    return [item for _, item in totals]
