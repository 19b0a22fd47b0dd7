"""ConflictLens: event counts, actor mentions and casualty figures from conflict news.

Every number in the tables carries the article, sentence and character span it came from.
"""

__version__ = "0.1.0"
