"""Pure statistics and plots for the wellbeing monitor: numbers in, dataclasses and figures out.

One module per topic; import from the module itself, e.g.
``from analysis.scoring import construct_score``:

- :mod:`analysis.scoring` — per-respondent construct scores, the common 1–4 metric, cut-offs;
- :mod:`analysis.data` — the input model the application fills (``WaveData``, ``GroupData``);
- :mod:`analysis.privacy` — small-group protection (k, protected pools, the disclosure audit);
- :mod:`analysis.description` — n, mean, SD, CI; Wilson shares; item distributions; tables;
- :mod:`analysis.reliability` — Cronbach's alpha with Feldt's interval;
- :mod:`analysis.comparisons` — Welch, Hedges' g, Fisher, exact rate test, Benjamini–Hochberg;
- :mod:`analysis.trends` — same grade and same cohort against last year; school series;
- :mod:`analysis.policy` — every attention rule and threshold, with defaults;
- :mod:`analysis.attention` — the attention list, its JSON and its text;
- :mod:`analysis.plots` — chart data and matplotlib drawings, SVG rendering;
- :mod:`analysis.simulation` — synthetic schools with planted effects (tests, demos).

This package never imports Flask, SQLAlchemy, ``surveys`` or ``instruments``; matplotlib is
imported lazily by the drawing functions only.
"""

__all__: list[str] = []
