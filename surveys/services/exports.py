"""Exports of one school wave: aggregates, the Inspectie's figures, and anonymous raw data.

- ``aggregates``: a CSV of every figure the results pages show per group (or protected pool) and
  for the school, plus the incidents per group and category.
- ``inspectie``: the school-level figures the Inspectie asks for: the averages of feeling safe
  and wellbeing, the share of bullied pupils, and the share of each answer to every bullying
  item. Nothing per group.
- ``raw``: a ZIP with one row per answer and a codebook (Markdown). Respondents get a random
  label made for this export alone; rows are sorted by group and label, never by arrival (P2);
  no date finer than the wave. Only groups shown on their own in every view are included: a
  group under k, and the group it is pooled with, are left out, so that nothing in the raw
  file can be subtracted from a pooled figure (P4). Teacher feedback is never in it (P5).

Everything here follows the same protection as the pages; who may export is the blueprint's
and the command's question (director and administrator, never a teacher).
"""

from __future__ import annotations

import csv
import io
import math
import secrets
import zipfile
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

import instruments
from analysis.data import INCIDENT_CATEGORIES, construct_label
from analysis.privacy import protect
from surveys.extensions import db
from surveys.models import (
    Answer,
    Group,
    InstrumentVersion,
    Response,
    School,
    SchoolYear,
    SurveyWave,
)
from surveys.results_i18n import gettext as _
from surveys.services import results as svc

KINDS = ("aggregates", "inspectie", "raw")


@dataclass(frozen=True)
class ExportFile:
    filename: str
    mimetype: str
    content: bytes


def _f(value: float | None, decimals: int = 4) -> str:
    if value is None or not math.isfinite(value):
        return ""
    return f"{value:.{decimals}f}"


def _csv(rows: list[list[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _base(school: School, year: SchoolYear, wave: SurveyWave) -> str:
    return f"klasklimaat-{school.slug}-{year.name}-{wave.name}".replace(" ", "_").lower()


# --- aggregates ---------------------------------------------------------------------------------


AGGREGATE_COLUMNS = ["school_year", "wave", "unit", "groups", "protected", "measure", "statistic",
                     "n", "estimate", "ci_low", "ci_high", "sd", "count"]


def aggregate_rows(school: School, year: SchoolYear, wave: SurveyWave) -> list[list[object]]:
    ctx = svc.load_wave(school, year, wave)
    data, k = ctx.data, ctx.k
    rows: list[list[object]] = [AGGREGATE_COLUMNS]
    for construct in svc.SHOWN_CONSTRUCTS:
        if construct not in data.constructs:
            continue
        statistics = [None, "unsafe"] if construct == "veiligheid" else [None]
        for statistic in statistics:
            table = svc.table_of(data, construct, k, statistic)
            for row in (*table.rows, *([table.total] if table.total else [])):
                rows.append([
                    year.name, wave.name, row.label, ";".join(row.members),
                    "yes" if row.protected else "no", construct, table.statistic, row.n,
                    _f(row.estimate), _f(row.ci_low), _f(row.ci_high), _f(row.sd),
                    "" if row.count is None else row.count])
    response = svc.representativeness(data, k)
    for r in response.rows:
        rows.append([year.name, wave.name, r.label, ";".join(r.members),
                     "yes" if r.protected else "no", "respondents", "count", r.n,
                     _f(r.rate), "", "", "", r.size])
    for g in data.groups:
        for category in INCIDENT_CATEGORIES:
            count = g.incidents.get(category, 0)
            if count:
                rows.append([year.name, wave.name, g.name, g.name, "no",
                             f"incidents:{category}", "count", g.size, "", "", "", "", count])
    return rows


# --- the Inspectie ------------------------------------------------------------------------------


INSPECTIE_COLUMNS = ["school", "school_year", "wave", "measure", "instrument", "item",
                     "item_text", "answer_value", "answer_label", "n", "value"]


def inspectie_rows(school: School, year: SchoolYear, wave: SurveyWave,
                   lang: str = "nl") -> list[list[object]]:
    ctx = svc.load_wave(school, year, wave)
    data, k = ctx.data, ctx.k
    rows: list[list[object]] = [INSPECTIE_COLUMNS]
    for construct, measure in (("veiligheid", "mean"), ("welbevinden", "mean"),
                               ("gepest", "share")):
        if construct not in data.constructs:
            continue
        total = svc.table_of(data, construct, k).total
        label = f"{construct}_{measure}"
        if total is None:
            rows.append([school.name, year.name, wave.name, label, "", "",
                         construct_label(construct, lang), "", "", "", ""])
            continue
        rows.append([school.name, year.name, wave.name, label, "", "",
                     construct_label(construct, lang), "", "", total.n, _f(total.estimate)])
    for item in svc.school_items(data, wave.id, year, k, "gepest"):
        dist = item.distribution
        for value, answer, count in zip(item.values, item.labels(lang), dist.counts, strict=True):
            rows.append([school.name, year.name, wave.name, "bullying_item_share",
                         f"{item.instrument} v{item.version}", item.item, item.text(lang), value,
                         answer, dist.n, _f(count / dist.n if dist.n else math.nan)])
    return rows


# --- raw data ----------------------------------------------------------------------------------


RAW_COLUMNS = ["school_year", "wave", "group", "grade", "respondent", "instrument", "version",
               "item", "value"]


def raw_groups(school: School, year: SchoolYear, wave: SurveyWave) -> tuple[list[str], list[str]]:
    """(included, left out) group names: only groups shown on their own in every view."""
    ctx = svc.load_wave(school, year, wave)
    data, k = ctx.data, ctx.k
    counts = {g.name: g.n for g in data.groups}
    views = [protect(counts, k)] + [protect(data.counts(c), k) for c in data.constructs]
    answered = [g.name for g in data.groups if g.n > 0]
    included = [name for name in answered if all(v.alone(name) for v in views)]
    return included, [name for name in answered if name not in included]


def raw_rows(school: School, year: SchoolYear, wave: SurveyWave) -> tuple[list[list[object]],
                                                                          list[str]]:
    included, left_out = raw_groups(school, year, wave)
    groups = {g.id: g.name for g in db.session.scalars(
        select(Group).where(Group.school_year_id == year.id, Group.name.in_(included)))}
    versions = {v.id: (v.instrument_id, v.version)
                for v in db.session.scalars(select(InstrumentVersion))}
    result = db.session.execute(
        select(Response.id, Response.group_id, Response.grade, Answer.instrument_version_id,
               Answer.item_key, Answer.value)
        .join(Answer, Answer.response_id == Response.id)
        .where(Response.wave_id == wave.id, Response.group_id.in_(list(groups)),
               Answer.part == 0)).all()
    # A combination group's pupils of one grade answer their own questionnaire; where fewer
    # than k of them answered, their rows would single them out (the teacher knows who they
    # are), so they are left out too.
    k = svc.load_wave(school, year, wave).k
    per_grade: dict[tuple[int, int], set[object]] = defaultdict(set)
    for response_id, group_id, grade, *_rest in result:
        per_grade[(group_id, grade)].add(response_id)
    small = {cell for cell, ids in per_grade.items() if len(ids) < k}
    for group_id, grade in sorted(small):
        left_out.append(f"{groups[group_id]} (groep {grade})")
    labels: dict[object, str] = {}
    used: set[str] = set()
    body = []
    for response_id, group_id, grade, version_id, item_key, value in result:
        if (group_id, grade) in small:
            continue
        if response_id not in labels:
            label = secrets.token_hex(4)
            while label in used:
                label = secrets.token_hex(4)
            used.add(label)
            labels[response_id] = label
        inst_id, version = versions[version_id]
        body.append([year.name, wave.name, groups[group_id], grade, labels[response_id],
                     inst_id, version, item_key, "" if value is None else value])
    item_order = {}
    for inst in instruments.registry():
        for i, item in enumerate(inst.items):
            item_order[(inst.id, inst.version, item.key)] = i
    body.sort(key=lambda r: (r[2], r[4], r[5], r[6], item_order.get((r[5], r[6], r[7]), 999)))
    return [RAW_COLUMNS, *body], left_out


def codebook(school: School, year: SchoolYear, wave: SurveyWave, left_out: list[str],
             used: set[tuple[str, int]], k: int, lang: str = "nl") -> str:
    lines = [
        f"# {_('Codebook')}: {school.name}, {year.name}, {wave.name}",
        "",
        "> **" + _("Warning: these are pupils' own answers, one row per answer.") + "** " + _(
            "They carry no names, dates or times, and the respondent label was made up for "
            "this file alone, but a small group's answers can still tell something about a "
            "child. Keep the file on the school's own systems, share it only with people who "
            "analyse it for the school, and delete it when the analysis is done."),
        "",
        _("Groups with fewer than %(k)s respondents, and the group they are shown together "
          "with on the results pages, are left out.", k=k),
        "",
    ]
    if left_out:
        lines += [_("Left out: %(groups)s.", groups=", ".join(left_out)), ""]
    lines += [
        _("Teacher feedback is not included."), "",
        "## " + _("Columns"), "",
        "| column | " + _("meaning") + " |", "|---|---|",
        "| school_year | " + _("school year, 1 August to 31 July") + " |",
        "| wave | " + _("the survey wave (no finer date is given)") + " |",
        "| group | " + _("the class") + " |",
        "| grade | " + _("the pupil's groep (grade level), 3 to 8") + " |",
        "| respondent | " + _("a random label that ties one pupil's answers together in this "
                                 "file only") + " |",
        "| instrument | " + _("the questionnaire") + " |",
        "| version | " + _("its version; a changed wording is a new version") + " |",
        "| item | " + _("the question's key (see below)") + " |",
        "| value | " + _("the answer's value on the item's scale; empty when the pupil "
                            "skipped the question") + " |",
        "",
        _("Rows are sorted by group, respondent and question, never by the order of "
          "answering."), "",
    ]
    for inst_id, version in sorted(used):
        inst = instruments.get(inst_id, version)
        lines += [f"## {inst.id} v{inst.version}: {inst.title[lang]}", "",
                  _("Grades: %(grades)s.", grades=", ".join(str(g) for g in inst.grades)), ""]
        for key, scale in inst.scales.items():
            options = "; ".join(f"{v} = {label}" for v, label in zip(
                scale.values, scale.labels[lang], strict=True))
            lines.append(f"- {_('scale')} `{key}`: {options}")
        lines.append("")
        lines += ["| item | construct | " + _("scale") + " | " + _("reverse-scored") + " | "
                  + _("question") + " |", "|---|---|---|---|---|"]
        for item in inst.items:
            text = item.render(lang, leraar="…").replace("|", "\\|")
            reverse = _("yes") if item.reverse else _("no")
            lines.append(f"| {item.key} | {item.construct} | {item.scale} | {reverse} | "
                         f"{text} |")
        lines.append("")
        for key, construct in inst.constructs.items():
            how = (_("mean of its items (valid with two thirds answered)") if construct.kind ==
                   "mean" else _("bullied when any item is at value %(t)s or higher",
                                 t=construct.threshold))
            lines.append(f"- `{key}` ({construct.title[lang]}): {how}")
        lines.append("")
    return "\n".join(lines)


def raw_zip(school: School, year: SchoolYear, wave: SurveyWave, lang: str = "nl") -> bytes:
    rows, left_out = raw_rows(school, year, wave)
    used = {(r[5], int(r[6])) for r in rows[1:]}
    k = svc.effective_k(school, wave)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("answers.csv", _csv(rows))
        archive.writestr("codebook.md", codebook(school, year, wave, left_out, used, k, lang))
    return buffer.getvalue()


def build(kind: str, school: School, year: SchoolYear, wave: SurveyWave,
          lang: str = "nl") -> ExportFile:
    """The export of ``kind`` (one of :data:`KINDS`) as a file to hand out."""
    base = _base(school, year, wave)
    if kind == "aggregates":
        return ExportFile(f"{base}-aggregates.csv", "text/csv",
                          _csv(aggregate_rows(school, year, wave)))
    if kind == "inspectie":
        return ExportFile(f"{base}-inspectie.csv", "text/csv",
                          _csv(inspectie_rows(school, year, wave, lang)))
    if kind == "raw":
        return ExportFile(f"{base}-raw.zip", "application/zip", raw_zip(school, year, wave, lang))
    raise ValueError(f"unknown export {kind!r}; expected one of {', '.join(KINDS)}")


__all__ = ["KINDS", "ExportFile", "aggregate_rows", "build", "codebook", "inspectie_rows",
           "raw_groups", "raw_rows", "raw_zip"]
