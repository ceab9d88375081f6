"""Relations analysis over the event store: dyad series, change points, signed networks, blocs.

- `series`: per-period event counts and a relationship index with its uncertainty for one dyad,
  the most active dyads of a store, and the one count every view shows (`count_events`).
- `changes`: change points on a dyad's index, material-conflict and material-cooperation
  shares and volume, labelled detente, deterioration, escalation or stable, with the events
  that moved them and the shifts the articles claim.
- `network`: the signed network of a period, structural balance and blocs.
- `summary`: the relations one article speaks of and the shifts it claims (data/claims.tsv).
- `places`: where events happen; `frames`: all of these as pandas DataFrames.
"""

from __future__ import annotations

__all__ = ["changes", "frames", "network", "places", "series", "summary"]
