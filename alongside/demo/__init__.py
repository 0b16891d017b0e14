"""The demo organisation behind ``alongside demo``: Kestrel Technologies.

``data`` holds the fixed material (name pools, offices, the shape of every department);
``build`` turns it, with a seeded random generator, into the same people every time.
"""
