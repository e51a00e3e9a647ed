"""Names of the crawl stats that several modules write or read (one place, so a rename cannot split them)."""

from __future__ import annotations

FAILURE = "cleanwire/state/failure"  # why the run's output failed: `cleanwire crawl` prints it, exits 1
NOT_WRITTEN = "cleanwire/output/not_written"  # records a feed could not write (after its output failed)
SKIPPED = "cleanwire/skipped/"  # prefix: pages fetched and not emitted, by reason
DUPLICATES = "cleanwire/duplicates/"  # prefix: records dropped as duplicates, by key
HTTP_ERRORS = "cleanwire/http_errors/"  # prefix: HTTP error responses, by status
ACCESS = "cleanwire/access/"  # prefix: pages by access state: ok, paywall, bot_challenge, ...
ERRORS = "cleanwire/errors/"  # prefix: pages lost to errors, by kind
EXTRACT_PAGES = "cleanwire/extract/pages"  # pages sent to the extraction workers
WORKER_CPU = "cleanwire/extract/worker_cpu_s"  # CPU seconds of the extraction workers
TASK_CPU = "cleanwire/extract/task_cpu_s"  # of it in the pages' tasks: the rest passes pages and results
