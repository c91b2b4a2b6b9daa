"""The yearly report: one PDF (A4) a director shares with the team and the school board.

Order: a summary in plain words, the groups that need attention with their reasons, every
group against the rest of the school, the school over the years, incidents next to the survey,
who answered, the reliability of the questionnaire, and the improvement points (this year's,
and last year's beside how their figures changed). Every figure comes from the same protected
views as the pages (:func:`surveys.services.results.school_overview`); charts are the same
drawings, as PNG. Text is in Dutch or English (``lang``).
"""

from __future__ import annotations

import datetime as dt
import io
import math
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from flask_babel import force_locale

from analysis.data import construct_label
from surveys import charts, labels
from surveys.models import School, SchoolYear, SurveyWave
from surveys.results_i18n import gettext as _
from surveys.results_i18n import num, pct, signed
from surveys.results_i18n import template_gettext as _t
from surveys.services import improvements, organisation
from surveys.services import results as svc
from surveys.services.summary import summary_sentences

STATUS = {"gepland": "planned", "lopend": "in progress", "afgerond": "done",
          "vervallen": "dropped"}
TONES = {-3: "#d73027", -2: "#f46d43", -1: "#fdcf9e", 0: "#f3f4f6", 1: "#d4ecc1", 2: "#8fcf7c",
         3: "#2f9e48"}

_FONTS_READY = False


def _fonts() -> tuple[str, str]:
    """DejaVu Sans (shipped with matplotlib): it has the minus sign, dashes and ≥ that the
    sentences use, which the PDF base fonts lack."""
    global _FONTS_READY
    if not _FONTS_READY:
        import matplotlib
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        base = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
        pdfmetrics.registerFont(TTFont("KKSans", str(base / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont("KKSans-Bold", str(base / "DejaVuSans-Bold.ttf")))
        pdfmetrics.registerFontFamily("KKSans", normal="KKSans", bold="KKSans-Bold",
                                      italic="KKSans", boldItalic="KKSans-Bold")
        _FONTS_READY = True
    return "KKSans", "KKSans-Bold"


def _styles() -> dict[str, Any]:
    from reportlab.lib.colors import HexColor
    from reportlab.lib.styles import ParagraphStyle

    regular, bold = _fonts()
    ink = HexColor("#1f2a37")
    return {
        "title": ParagraphStyle("title", fontName=bold, fontSize=20, leading=24, textColor=ink,
                                spaceAfter=4),
        "subtitle": ParagraphStyle("subtitle", fontName=regular, fontSize=12, leading=16,
                                   textColor=HexColor("#5b6675"), spaceAfter=14),
        "h1": ParagraphStyle("h1", fontName=bold, fontSize=14, leading=18, textColor=ink,
                             spaceBefore=14, spaceAfter=6),
        "h2": ParagraphStyle("h2", fontName=bold, fontSize=11, leading=14, textColor=ink,
                             spaceBefore=8, spaceAfter=4),
        "body": ParagraphStyle("body", fontName=regular, fontSize=10, leading=14,
                               textColor=ink, spaceAfter=5),
        "lead": ParagraphStyle("lead", fontName=regular, fontSize=11, leading=16,
                               textColor=ink, spaceAfter=6),
        "small": ParagraphStyle("small", fontName=regular, fontSize=8, leading=10,
                                textColor=HexColor("#5b6675"), spaceAfter=4),
        "cell": ParagraphStyle("cell", fontName=regular, fontSize=8, leading=10, textColor=ink),
        "cellbold": ParagraphStyle("cellbold", fontName=bold, fontSize=8, leading=10,
                                   textColor=ink),
        "flag": ParagraphStyle("flag", fontName=regular, fontSize=9.5, leading=13,
                               textColor=ink, leftIndent=10, spaceAfter=4,
                               borderPadding=(2, 2, 2, 6)),
    }


def _p(text: str, style: Any) -> Any:
    from reportlab.platypus import Paragraph

    return Paragraph(escape(text), style)


def _table(rows: list[list[Any]], widths: list[float] | None, styles: dict[str, Any],
           extra: list[tuple] | None = None, header: bool = True) -> Any:
    from reportlab.lib.colors import HexColor
    from reportlab.platypus import Table, TableStyle

    cells = [[_p(str(c), styles["cellbold" if header and i == 0 else "cell"])
              if isinstance(c, str) else c for c in row] for i, row in enumerate(rows)]
    table = Table(cells, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
    commands = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, HexColor("#1f2a37")),
        ("LINEBELOW", (0, 1), (-1, -1), 0.3, HexColor("#d9dee5")),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    table.setStyle(TableStyle(commands + (extra or [])))
    return table


def _chart(kind: str, data: Any, lang: str, width_cm: float) -> Any:
    from reportlab.lib.units import cm
    from reportlab.platypus import Image

    png = charts.render(kind, data, lang=lang, fmt="png", dpi=150)
    image = Image(io.BytesIO(png))
    ratio = image.imageHeight / image.imageWidth
    image.drawWidth = width_cm * cm
    image.drawHeight = width_cm * cm * ratio
    return image


def _est(value: float | None, statistic: str) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    return pct(value) if statistic == "share" else num(value)


def _ci(low: float, high: float, statistic: str) -> str:
    if not (math.isfinite(low) and math.isfinite(high)):
        return ""
    if statistic == "share":
        return f" ({pct(low)}–{pct(high)})"
    return f" ({num(low)}–{num(high)})"


def build_report(school: School, year: SchoolYear, wave: SurveyWave, *, lang: str = "nl") -> bytes:
    """The yearly report as PDF bytes."""
    with force_locale(lang):
        return _build(school, year, wave, lang)


def _build(school: School, year: SchoolYear, wave: SurveyWave, lang: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.platypus import KeepTogether, PageBreak, SimpleDocTemplate, Spacer

    styles = _styles()
    overview = svc.school_overview(school, year, wave)
    k = overview.k
    story: list[Any] = []
    title = _("Social safety and wellbeing: yearly report")
    story.append(_p(title, styles["title"]))
    story.append(_p(f"{school.name} · {year.name} · {wave.name}", styles["subtitle"]))

    # 1. summary
    story.append(_p(_("Summary"), styles["h1"]))
    for sentence in summary_sentences(overview):
        story.append(_p(sentence, styles["lead"]))
    story.append(_p(_("About these figures: every figure is an average or a share of the pupils "
                      "who answered. Averages run from 1 (not at all) to 4 (very much); between "
                      "brackets is the range in which the true value lies with 95%% certainty. "
                      "No figure is shown for fewer than %(k)s pupils: such a group is shown "
                      "only together with another group.", k=k), styles["small"]))

    # 2. attention
    story.append(_p(_("Groups that need attention"), styles["h1"]))
    entries = overview.attention.groups
    if not entries:
        story.append(_p(_("No group needs attention by the school's rules."), styles["body"]))
    for entry in entries:
        head = entry.group
        if entry.suppressed:
            head += " — " + _("fewer than %(k)s answers: no figures", k=k)
        elif entry.n:
            head += " — " + _("%(n)s pupils answered", n=entry.n)
        block = [_p(head, styles["h2"])]
        for flag in entry.flags:
            block.append(_p("• " + flag.text(lang), styles["flag"]))
        for warning in entry.warnings:
            block.append(_p("! " + warning.text(lang), styles["flag"]))
        story.append(KeepTogether(block))

    # 3. heat map
    story.append(_p(_("Every group against the rest of the school"), styles["h1"]))
    story.append(_p(_("Green: better than the rest of the school; red: worse; the deeper the "
                      "colour, the bigger the difference. ● marks a difference that is "
                      "statistically clear; * groups shown together to protect a small group."),
                    styles["small"]))
    hm = overview.heatmap
    rows: list[list[Any]] = [[_("Group"), *[construct_label(c, lang) +
                                             (" (%)" if c == "gepest" else "")
                                             for c in hm.constructs], _("Incidents")]]
    extra = []
    incident_rows = {r.group: r for r in overview.incidents.rows}
    for i, row in enumerate(hm.rows, start=1):
        cells = [row.group]
        for j, cell in enumerate(row.cells, start=1):
            comp = cell.comparison
            if comp is None:
                cells.append(_("protected"))
                continue
            text = _est(comp.value, comp.statistic) + ("*" if cell.pooled else "")
            if comp.clear:
                text += " ●"
            cells.append(text)
            extra.append(("BACKGROUND", (j, i), (j, i), TONES[cell.tone]))
        inc = incident_rows.get(row.group)
        cells.append(str(inc.total if inc else 0) + (" ▲" if inc and inc.high else ""))
        rows.append(cells)
    rows.append([_("Whole school"), *[_est(t.estimate, "share" if c == "gepest" else "mean")
                                       if t else "—"
                                       for c, t in zip(hm.constructs, hm.school, strict=True)],
                 str(overview.incidents.total)])
    width = 16.5 / (len(hm.constructs) + 2)
    story.append(_table(rows, [width * 1.3 * cm] + [width * 0.95 * cm] * (len(hm.constructs) + 1),
                        styles, extra))
    if hm.suppressed:
        story.append(_p(_("Fewer than %(k)s pupils answered in %(groups)s: shown only together "
                          "with another group.", k=k, groups=", ".join(hm.suppressed))
                        + "".join(" " + _("* = %(pool)s together.", pool=pool)
                                  for pool in hm.pools), styles["small"]))

    # 4. trends
    story.append(_p(_("The school over the years"), styles["h1"]))
    if len(overview.history) > 1:
        story.append(_chart("trend", overview.trend, lang, 14))
        if overview.bullied_trend.points:
            story.append(_chart("bullied", overview.bullied_trend, lang, 12))
    head = [_("School year"), *[construct_label(s.construct, lang) for s in overview.trend.series],
            construct_label("gepest", lang) + " (%)", _("Answers")]
    rows = [head]
    for year_name in reversed(overview.history):
        line = [year_name]
        for s in overview.trend.series:
            p = next((p for p in s.points if p.school_year == year_name), None)
            line.append(num(p.estimate) + _ci(p.ci_low, p.ci_high, "mean") if p else "—")
        p = next((p for p in overview.bullied_trend.points if p.school_year == year_name), None)
        line.append(pct(p.estimate) + _ci(p.ci_low, p.ci_high, "share") if p else "—")
        first = next((p for p in overview.trend.series[0].points
                      if p.school_year == year_name), None)
        line.append(str(first.n) if first else "—")
        rows.append(line)
    story.append(_table(rows, None, styles))

    # 5. incidents
    story.append(_p(_("Incidents next to the survey"), styles["h1"]))
    inc = overview.incidents
    rows = [[_("Group"), _("Incidents"), _("per 100 pupils"), construct_label("veiligheid", lang),
             _t("%% bullied")]]
    for r in inc.rows:
        safety = (_est(r.safety.value, "mean") + ("*" if r.safety.protected else "")
                  if r.safety else ("—" if r.group not in hm.suppressed else _("protected")))
        bullied = (_est(r.bullied.value, "share") + ("*" if r.bullied.protected else "")
                   if r.bullied else ("—" if r.group not in hm.suppressed else _("protected")))
        rows.append([r.group, str(r.total) + (" ▲" if r.high else ""), num(100 * r.rate, 1),
                     safety, bullied])
    if sum(inc.without_group):
        rows.append([_("No group"), str(sum(inc.without_group)), "", "", ""])
    story.append(_table(rows, [4 * cm, 2.5 * cm, 3 * cm, 3.5 * cm, 3 * cm], styles))
    story.append(_p(_("▲: more incidents per pupil than the rest of the school (statistically "
                      "clear, at least 3)."), styles["small"]))
    if inc.by_year.categories:
        story.append(_p(_("Per category and school year"), styles["h2"]))
        story.append(_chart("incidents", inc.by_year, lang, 14))
        rows = [[_("Category"), *inc.by_year.years]]
        for j, category in enumerate(inc.by_year.categories):
            with force_locale(lang):
                name = labels.label("category", category)
            rows.append([name, *[str(row[j]) for row in inc.by_year.counts]])
        story.append(_table(rows, None, styles))

    # 6. response
    story.append(_p(_("Who answered"), styles["h1"]))
    rep = overview.response
    text = _("%(n)s of the %(size)s pupils of groep 3 to 8 answered (%(rate)s).", n=rep.n,
             size=rep.size, rate=pct(rep.rate))
    if rep.representative:
        text += " " + _("The answers are spread over the groups in proportion to their size: a "
                        "representative picture.")
    else:
        text += " " + _("Read the figures with care: not every group is well represented.")
    story.append(_p(text, styles["body"]))
    rows = [[_("Group"), _("Answered"), _("Pupils"), _("Response")]]
    for r in rep.rows:
        rows.append([r.label + (" *" if r.protected else ""), str(r.n), str(r.size),
                     pct(r.rate) + (" !" if r.low else "")])
    story.append(_table(rows, [6 * cm, 3 * cm, 3 * cm, 3 * cm], styles))

    # 7. reliability
    story.append(_p(_("How reliable the questionnaire was"), styles["h1"]))
    story.append(_p(_("Cronbach's alpha per theme over this year's answers: 0.7 or more is good "
                      "for a school-level figure; below 0.6 the theme measured less "
                      "consistently."), styles["small"]))
    rows = [[_("Questionnaire"), _("Theme"), _("Questions"), _("Answers"), "alpha",
             _t("95%% range")]]
    for a in overview.reliability:
        result = a.result
        ok = math.isfinite(result.alpha)
        rows.append([f"{a.instrument} v{a.version}", construct_label(a.construct, lang),
                     str(result.n_items), str(result.n) if ok else _("protected"),
                     num(result.alpha) if ok else "—",
                     f"{num(result.ci_low)}–{num(result.ci_high)}" if ok else "—"])
    story.append(_table(rows, [3.5 * cm, 4.5 * cm, 2 * cm, 2 * cm, 2 * cm, 3 * cm], styles))

    # 8. improvement points
    story.append(PageBreak())
    story.append(_p(_("Improvement points"), styles["h1"]))
    points = improvements.points_for(year)
    story.append(_p(_("Improvement points %(year)s", year=year.name), styles["h2"]))
    if points:
        rows = [[_("Improvement point"), _("About"), _("Who"), _("Status")]]
        for p in points:
            about = p.group.name if p.group else _("the whole school")
            if p.construct:
                about += " · " + construct_label(p.construct, lang)
            rows.append([p.title, about, p.owner or "—", _(STATUS.get(p.status, p.status))])
        story.append(_table(rows, [7 * cm, 4 * cm, 3 * cm, 2.5 * cm], styles))
    else:
        story.append(_p(_("No improvement points for this school year yet."), styles["body"]))
    previous = organisation.previous_year(year)
    if previous is not None:
        story.append(_p(_("Last year's points (%(year)s): how the figures changed",
                          year=previous.name), styles["h2"]))
        follow = improvements.follow_up(improvements.points_for(previous),
                                        overview.data.previous, overview.data,
                                        list(year.groups), k)
        if not follow:
            story.append(_p(_("No improvement points were recorded last school year."),
                            styles["body"]))
        else:
            rows = [[_("Improvement point"), _("Figure"), _("Then"), _("Now"), _("Change")]]
            for f in follow:
                if not f.changes:
                    rows.append([f.point.title, _("Not tied to a figure."), "", "", ""])
                for c in f.changes:
                    measure = (_("incidents") if c.measure == "incidents"
                               else construct_label(c.measure, lang))
                    where = (_("whole school") if c.kind == "school" else c.now_label)
                    if c.statistic == "count":
                        then = "—" if c.then is None else str(int(c.then))
                        now = "—" if c.now is None else str(int(c.now))
                        change = "—" if c.difference is None else signed(c.difference, 0)
                    else:
                        then = _est(c.then, c.statistic) if c.then is not None else _("protected")
                        now = _est(c.now, c.statistic) if c.now is not None else _("protected")
                        change = ("—" if c.difference is None else
                                  signed(100 * c.difference, 0) + " pts"
                                  if c.statistic == "share" else signed(c.difference))
                    rows.append([f.point.title, f"{measure}: {where}", then, now, change])
            story.append(_table(rows, [5.5 * cm, 5 * cm, 2 * cm, 2 * cm, 2 * cm], styles))

    story.append(Spacer(1, 0.6 * cm))
    story.append(_p(_("Made with Klasklimaat on %(date)s. No figure in this report describes "
                      "fewer than %(k)s pupils.", date=dt.date.today().strftime("%d-%m-%Y"),
                      k=k), styles["small"]))

    buffer = io.BytesIO()
    regular, _bold = _fonts()
    footer = f"{school.name} · {year.name} · {title}"

    def on_page(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(regular, 7.5)
        canvas.setFillGray(0.4)
        canvas.drawString(2 * cm, 1.2 * cm, footer)
        canvas.drawRightString(A4[0] - 2 * cm, 1.2 * cm, str(doc.page))
        canvas.restoreState()

    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=2 * cm, rightMargin=2 * cm,
                            topMargin=1.8 * cm, bottomMargin=2 * cm, title=title,
                            author=school.name, subject=f"{year.name} {wave.name}",
                            creator="Klasklimaat")
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()


__all__ = ["build_report"]
