"""`python -m bench`: the same as `interview-calendar bench`."""

from bench.run import main

main()
