"""In-sandbox harness for Python: run tests, record calls to the target, replay and measure.

Standard library only, Python 3.9+ syntax. `harness.py` beside this package is the entry point.
"""
