"""The statistics pages for the project's access table
(switchboard/accounts/tests/test_access.py).

Administrators and the global statistics role open both pages; a queue's supervisor opens the
queue statistics too (tested in test_reports.py, the table has no queue roles).
"""

from __future__ import annotations

ROLE_PAGES = {
    "stats:global": ("global_statistics",),
    "stats:queues": ("global_statistics",),
    "stats:calls": ("global_statistics",),
    "stats:reports": ("global_statistics",),
    "stats:mix": ("global_statistics",),
}


def stats_urls() -> dict[str, str]:
    return {
        "stats:global": "/stats/global/",
        "stats:queues": "/stats/queues/",
        "stats:calls": "/stats/calls/",
        "stats:reports": "/stats/reports/",
        "stats:mix": "/stats/mix/",
    }
