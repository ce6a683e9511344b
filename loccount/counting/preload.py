"""Imported by the fork server of the counting pool: it warms up, so each worker forks ready.

See :mod:`loccount.workers`. Importing this module counts a sample file; nothing else imports it.
"""

from loccount.counting.workers import warm_up

warm_up(complete=True)
