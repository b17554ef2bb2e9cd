"""Data in and out: Anki packages, CSV, the review log and deck YAML.

Each module reads or writes one format; ``quizzer.cli`` chooses the paths. Imports make deck YAML that
passes ``quizzer decks lint`` and never execute anything from their input.
"""
