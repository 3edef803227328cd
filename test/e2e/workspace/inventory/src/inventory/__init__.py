"""Stock keeping for a small shop."""
from .stock import restock_order

__all__ = ["restock_order"]
