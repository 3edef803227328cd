"""A day of sales and the stock left at closing, shared by the tests."""

ITEMS = ["item%03d" % i for i in range(300)]


def day_of_sales():
    sales = [(ITEMS[(i * 7) % 300], 1 + i % 3) for i in range(3000)]
    stock = {item: (i * 13) % 40 for i, item in enumerate(ITEMS)}
    return sales, stock
