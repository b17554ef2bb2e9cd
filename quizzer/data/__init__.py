"""Data shipped with Quizzer: the prior recall model (``recall_prior.json``, written by
``tests/readiness/make_prior.py``)."""
