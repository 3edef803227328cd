import inventory
from shop_data import day_of_sales


def test_reorders_low_stock_most_sold_first():
    sales, stock = day_of_sales()
    order = inventory.restock_order(sales, stock, 10)
    assert order == sorted(order, key=lambda item: (-sum(q for n, q in sales if n == item), item))
    assert all(stock[item] < 10 for item in order)
    assert len(order) == sum(1 for level in stock.values() if level < 10)


def test_nothing_to_reorder():
    assert inventory.restock_order([("a", 2)], {"a": 5}, 3) == []
