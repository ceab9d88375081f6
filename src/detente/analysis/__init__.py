"""Relations analysis over the event store: dyad series, change points, signed networks, blocs.

- `series`: per-period event counts and a relationship index with its uncertainty for one dyad,
  and the most active dyads of a store.
- `changes`: change points on a dyad's index, labelled detente, deterioration, escalation or
  stable, with the events that drove them.
- `network`: the signed network of a period, structural balance and blocs.
- `summary`: the relations one article speaks of and the shifts it claims.
"""

from __future__ import annotations

__all__ = ["changes", "network", "series", "summary"]
