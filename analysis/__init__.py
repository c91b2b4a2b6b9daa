"""Pure statistics and plots for the wellbeing monitor: numbers in, dataclasses and figures out.

One module per topic; import what you need from the module itself, e.g.
``from analysis.scoring import construct_score``. This package never imports Flask,
SQLAlchemy, ``surveys`` or ``instruments``; matplotlib is imported lazily by the plotting
functions only.
"""

__all__: list[str] = []
