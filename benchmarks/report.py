"""Write ``benchmarks/RESULTS.md`` from the JSON files in ``benchmarks/results/``.

``make bench`` and ``make soak`` end with this; run it alone with
``.venv/bin/python -m benchmarks.report``. Each section names the command that reproduces its
figures and when they were measured; a target that does not hold is marked, never hidden.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.common import RESULTS

OUT = Path(__file__).resolve().parent / "RESULTS.md"


def _mark(ok: bool) -> str:
    return "holds" if ok else "**misses**"


def _header(data: dict[str, Any], title: str) -> list[str]:
    m = data.get("machine", {})
    return [f"## {title}", "",
            f"`{data['command']}` — measured {data['measured_at']} on {m.get('cpus')} CPUs, "
            f"Python {m.get('python')}.", ""]


def throughput(data: dict[str, Any]) -> list[str]:
    lines = _header(data, "Submission throughput (gunicorn, 2 workers, wrk on the same machine)")
    lines += [f"{data['connections']} connections, {data['warmup']} s warm-up, "
              f"{data['seconds']} s measured per endpoint. Target: pupil submissions at least "
              "0.5× the storage floor.", "",
              "| engine | no-op POST/s | storage floor/s | submissions/s | submission p95 ms "
              "| ÷ floor | ÷ no-op | target | worker peak RSS MB |",
              "|---|---|---|---|---|---|---|---|---|"]
    for engine, f in data["engines"].items():
        lines.append(
            f"| {engine} | {f['noop']['per_second']:,.0f} | {f['floor']['per_second']:,.0f} | "
            f"{f['send']['per_second']:,.0f} | {f['send']['latency_ms']['p95']} | "
            f"{f['send_vs_floor']:.2f} | {f['send_vs_noop']:.2f} | "
            f"{_mark(f['send_vs_floor'] >= 0.5)} | "
            f"{', '.join(str(x) for x in f['worker_peak_rss_mb'])} |")
    return lines


def latency(data: dict[str, Any]) -> list[str]:
    lines = _header(data, "Pupil page latency under load")
    low, high = data["think_s"]
    lines += [f"Each simulated pupil waits {low:g}–{high:g} s between screens (a child reading or "
              f"hearing a question, then tapping a face); {data['seconds']:g} s window. Targets: "
              "p95 under 150 ms for a school (300 pupils), under 500 ms for a board (3,000), "
              "zero errors.", "",
              "| engine | pupils | requests/s | requests | p50 ms | p95 ms | p99 ms | max ms "
              "| send p95 ms | errors | target | worker peak RSS MB |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for key, s in data["runs"].items():
        engine, pupils = key.split("/")
        limit = 150 if int(pupils) <= 300 else 500
        a = s["all"]
        ok = a.get("p95", 1e9) < limit and s["errors"] == 0
        lines.append(
            f"| {engine} | {int(pupils):,} | {s['requests_per_second']} | {a['n']:,} | "
            f"{a.get('p50')} | {a.get('p95')} | {a.get('p99')} | {a.get('max')} | "
            f"{s.get('send', {}).get('p95', '–')} | {s['errors']} | {_mark(ok)} (< {limit}) | "
            f"{', '.join(str(x) for x in s['worker_peak_rss_mb'])} |")
    return lines


def load(data: dict[str, Any]) -> list[str]:
    lines = _header(data, "Load run: nothing lost")
    low, high = data["think_s"]
    start = data.get("start", "the class code")
    lines += [f"{data['pupils']:,} pupils arriving over {data['ramp_s']:g} s, each walking the "
              f"questionnaire from {start} to the thank-you screen ({low:g}–{high:g} s per "
              "screen), all within five minutes (the run stops itself there).", "",
              "| engine | took s | acknowledged | stored | receipts | partial | failed requests "
              "| p95 ms | p99 ms | result |", "|---|---|---|---|---|---|---|---|---|---|"]
    for engine, s in data["runs"].items():
        st = s["stored"]
        lines.append(
            f"| {engine} | {s['elapsed_s']} | {s['acknowledged']:,} | {st['responses']:,} | "
            f"{st['receipts']:,} | {st['partial']} | {s['errors']} | {s['all'].get('p95')} | "
            f"{s['all'].get('p99')} | {'passed' if s['ok'] else '**failed**'} |")
    return lines


def crash(data: dict[str, Any]) -> list[str]:
    lines = _header(data, "Crash run: SIGKILL during submissions")
    lines += ["| engine | kills | submissions acknowledged | requests cut off | resent at the "
              "end | stored | receipts of acknowledged present | partial | restart s (median) "
              "| took s | result |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for engine, f in data["runs"].items():
        lines.append(
            f"| {engine} | {f['kills']} | {f['submissions']:,} | {f['cut_off_requests']} | "
            f"{f['resent_after_last_restart']} | {f['stored']['responses']:,} | "
            f"{f['receipts_present']:,} | {f['stored']['partial']} | {f['restart_s_median']} | "
            f"{f['elapsed_s']} | {'passed' if f['ok'] else '**failed**'} |")
    return lines


def micro(data: dict[str, Any]) -> list[str]:
    lines = _header(data, "In-process cases")
    lines += ["| case | engine | result |", "|---|---|---|"]
    for row in data["rows"]:
        lines.append(f"| {row['case']} | {row['engine']} | {row['shown']} |")
    return lines


def generic(data: dict[str, Any]) -> list[str]:
    lines = _header(data, data["name"].replace("_", " ").capitalize())
    if "markdown" in data:
        out = []
        for line in data["markdown"].splitlines():
            if out and out[-1].startswith("|") and line and not line.startswith("|"):
                out.append("")  # a sentence after a table is not one of its rows
            out.append(line)
        return lines + out
    body = {k: v for k, v in data.items()
            if k not in {"name", "command", "measured_at", "machine"}}
    return [*lines, "```json", json.dumps(body, indent=2), "```"]


SECTIONS: dict[str, Callable[[dict[str, Any]], list[str]]] = {
    "throughput": throughput, "latency": latency, "analysis_scale": generic, "load": load,
    "crash": crash, "micro": micro,
}


def main() -> None:
    files = {p.stem: json.loads(p.read_text()) for p in sorted(RESULTS.glob("*.json"))}
    lines = ["# Benchmark results", "",
             "The latest figures of each benchmark, written by `python -m benchmarks.report` "
             "from `benchmarks/results/*.json`. `make bench` runs the benchmarks (under 20 "
             "minutes), `make soak` the full load and crash runs. All on one machine of two "
             "cores, the load generator included.", ""]
    order = [*SECTIONS, *(name for name in files if name not in SECTIONS)]
    for name in order:
        if name in files:
            lines += [*SECTIONS.get(name, generic)(files[name]), ""]
    OUT.write_text("\n".join(lines))
    print(f"wrote {OUT.relative_to(Path.cwd()) if OUT.is_relative_to(Path.cwd()) else OUT}")


if __name__ == "__main__":
    main()
