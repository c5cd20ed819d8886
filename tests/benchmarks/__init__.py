"""Tests of the benchmark corpora kept in the repository."""
