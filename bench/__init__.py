"""Benchmarks that print figures: ``make bench`` (``python -m bench``).

Seeds a dedicated PostgreSQL database (200 published courses, 20,000 learners,
50,000 enrolments), serves it with gunicorn (2 sync workers) and measures the
catalog, a course page and a learner dashboard under a bounded load on
127.0.0.1. Figures are medians of several runs; nothing here is a test.
"""
