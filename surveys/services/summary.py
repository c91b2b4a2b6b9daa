"""The plain-language summary of a school wave, for the director's overview and the report.

Five or six sentences a team reads aloud: who answered, how safe pupils feel and how many are
bullied (with last year beside it), which groups need attention, the incidents, and whether the
picture is representative. Every figure comes from the protected views of
:func:`surveys.services.results.school_overview`.
"""

from __future__ import annotations

import math

from surveys.results_i18n import gettext as _
from surveys.results_i18n import ngettext, num, pct
from surveys.services.results import SchoolOverview


def _previous_point(series, year: str):  # type: ignore[no-untyped-def]
    points = [p for p in series.points if p.school_year < year]
    return points[-1] if points else None


def _current_point(series, year: str):  # type: ignore[no-untyped-def]
    return next((p for p in series.points if p.school_year == year), None)


def summary_sentences(overview: SchoolOverview) -> list[str]:
    """The summary in the current language (see :func:`flask_babel.force_locale`)."""
    out: list[str] = []
    response = overview.response
    year = overview.school_year
    if response.n == 0 or overview.heatmap.school == () or all(
            t is None for t in overview.heatmap.school):
        out.append(_("Too few pupils answered in %(wave)s for any figure to be shown.",
                     wave=overview.wave))
        return out
    out.append(_("In %(wave)s, %(n)s of the %(size)s pupils of groep 3 to 8 answered the "
                 "questionnaire (%(rate)s).", wave=overview.wave, n=response.n,
                 size=response.size, rate=pct(response.rate)))
    safety = next((s for s in overview.trend.series if s.construct == "veiligheid"), None)
    now = _current_point(safety, year) if safety else None
    if now is not None:
        if now.estimate >= 3.25:
            level = _("Pupils feel safe at school")
        elif now.estimate >= 2.75:
            level = _("Most pupils feel safe at school")
        else:
            level = _("Many pupils do not feel safe at school")
        sentence = _("%(level)s: on average %(mean)s on a scale from 1 to 4.", level=level,
                     mean=num(now.estimate))
        before = _previous_point(safety, year)
        if before is not None:
            sentence += " " + _("Last year this was %(mean)s.", mean=num(before.estimate))
        out.append(sentence)
    bullied_now = _current_point(overview.bullied_trend, year)
    if bullied_now is not None:
        sentence = _("%(share)s of the pupils say they were bullied two or three times a month "
                     "or more in the last weeks.", share=pct(bullied_now.estimate))
        before = _previous_point(overview.bullied_trend, year)
        if before is not None:
            sentence += " " + _("Last year this was %(share)s.", share=pct(before.estimate))
        out.append(sentence)
    flagged = [g for g in overview.attention.groups if g.flags]
    if flagged:
        names = ", ".join(g.group for g in flagged)
        out.append(ngettext("%(num)s group needs attention: %(names)s. The reasons are listed "
                            "below.", "%(num)s groups need attention: %(names)s. The reasons "
                            "are listed below.", len(flagged), names=names))
    else:
        out.append(_("No group stands out: no group needs attention by the school's rules."))
    incidents = overview.incidents.by_year
    totals = {y: sum(row) for y, row in zip(incidents.years, incidents.counts, strict=True)}
    this_year = totals.get(year, 0)
    sentence = ngettext("%(num)s incident was registered this school year.",
                        "%(num)s incidents were registered this school year.", this_year)
    earlier = [y for y in incidents.years if y < year]
    if earlier:
        sentence += " " + _("Last year: %(count)s.", count=totals.get(earlier[-1], 0))
    out.append(sentence)
    if response.representative:
        out.append(_("The answers are spread over the groups in proportion to their size, so "
                     "they give a representative picture of the school."))
    else:
        low = ", ".join(response.low_groups)
        if low:
            out.append(_("Not every group is well represented (fewer than 70%% answered in "
                         "%(groups)s): read those groups' figures with care.", groups=low))
        else:
            out.append(_("Fewer than seven in ten pupils answered: read the figures with care."))
    # the safety scales; bullying items count events (an index, not a scale) and teacher
    # feedback is not a school figure
    weak = [r for r in overview.reliability
            if r.construct in ("veiligheid", "welbevinden", "hulp")
            and math.isfinite(r.result.alpha) and r.result.alpha < 0.6]
    if weak:
        out.append(ngettext(
            "%(num)s scale of the questionnaire measured less consistently this year (alpha "
            "below 0.6); its figures are less certain.",
            "%(num)s scales of the questionnaire measured less consistently this year (alpha "
            "below 0.6); their figures are less certain.", len(weak)))
    return out


__all__ = ["summary_sentences"]
