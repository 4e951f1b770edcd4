"""The benchmarks (`make bench`): see bench/city.py."""
