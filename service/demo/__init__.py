"""The demo: a deterministic portfolio with deliberate weak spots, and what shows it.

- :mod:`~service.demo.portfolio` — the portfolio as ingest batches and a departure;
- :mod:`~service.demo.seed` — ``powermap seed-demo``: loading it (idempotent, ``--reset``);
- :mod:`~service.demo.page` — ``powermap demo-page``: a third-party page embedding the
  org-chart widget.

The demo is a client of the service like a CRM: it writes through the domain's ingest
use cases, and nothing in the service imports it.
"""
