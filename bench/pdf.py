"""``python -m bench.pdf``: PDF certificates rendered per second in one process.

What a Celery worker process does for each certificate: build the page in the
learner's language, lay it out and write a tagged PDF/UA-1 file with its QR
code, reusing one font configuration and one URL fetcher for the whole process.
The process starts as a worker process does (``microcred.celery``: the renderer
warmed up, then what is loaded frozen out of the garbage collector's sweeps).
Nothing touches the database.

Two sets of certificates:

- varied: names, outcomes, English and French, A4 and Letter, as real ones
  vary; every one fits the regular layout;
- one bulk run: US Letter, ten long outcomes, so each page needs the densest
  layout; the renderer learns from the run's first certificates where to start.

Figures: PDFs per second (wall clock) and CPU milliseconds per PDF for each
run, then the medians, and the layouts made per PDF (1 when the first layout
tried is kept). The CPU figure is the steadier one on a shared machine.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import platform
import resource
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

FIRST_NAMES = ["Ada", "Grace", "Amélie", "Nguyễn Thị", "Oluwaseun", "Søren", "Zoë"]
LAST_NAMES = [
    "Lovelace",
    "Hopper",
    "Tremblay-Beauchêne",
    "Minh Khai",
    "Adébáyọ̀",
    "Kierkegaard",
    "Featherstonehaugh-Montgomery",
]
ACHIEVEMENTS = [
    "Cyber Hygiene for Small Teams",
    "Data Literacy for Public Service Professionals",
    "Communication interculturelle en milieu de travail",
    "Project Scheduling with Gantt Charts",
]
OUTCOMES = [
    "Explain how common attacks reach an organisation and who they target",
    "Configure multi-factor authentication and a password manager for a team",
    "Recognise and report a suspicious message using the incident procedure",
    "Apply secure habits to devices, updates and backups",
    "Assess a workplace against a checklist and recommend improvements",
    "Communicate a risk to colleagues in plain language",
]


def setup_django() -> None:
    from django.apps import apps

    if apps.ready:
        return
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "microcred.settings.base")
    import django

    django.setup()


def sample_certificates(count: int, batch: int = 0) -> list:
    """``count`` varied certificates, in a fixed order (no randomness). Each
    ``batch`` has the same ones but for their verification codes and URLs (so
    their QR codes), as every certificate of a real run has its own."""
    from credentials.certificates import CertificateData, CreditKind

    certificates = []
    for n in range(count):
        code = f"MC-{n:04d}-{(n * 7919 + batch * 1237) % 10000:04d}"
        for_credit = n % 5 == 0
        certificates.append(
            CertificateData(
                learner_name=f"{FIRST_NAMES[n % 7]} {LAST_NAMES[(n * 3) % 7]}",
                achievement_name=ACHIEVEMENTS[n % 4],
                outcomes=tuple(OUTCOMES[: 3 + n % 4]),
                hours=(8, 12, 20, 7.5)[n % 4],
                credit_kind=CreditKind.FOR_CREDIT
                if for_credit
                else CreditKind.NON_DEGREE,
                credit_text="3 credits, Northbridge Polytechnic" if for_credit else "",
                issued_on=date(2025, 1, 1) + timedelta(days=n % 365),
                expires_on=date(2028, 1, 1) if n % 2 else None,
                issuer_name="Northbridge Polytechnic",
                issuer_url="https://northbridge.example.edu",
                signatory_name="Dr. Imani Okafor",
                signatory_title="Registrar",
                verification_code=code,
                verification_url=f"https://northbridge.example.edu/credentials/verify/{code}/",
                language=("en", "fr")[n % 2],
                paper_size=("A4", "A4", "Letter")[n % 3],
            )
        )
    return certificates


def reference_ms(repeat: int = 20) -> float:
    """CPU milliseconds for a bare one-paragraph PDF/UA page, with the same
    reused font configuration and fetcher: read the certificate figures
    against it on a shared or slower machine."""
    from weasyprint import HTML

    from credentials.certificates import PDF_OPTIONS, _render_tools

    tools = _render_tools()
    page = '<html lang="en"><title>Reference</title><p>Ada Lovelace</p></html>'
    timings = []
    for _ in range(repeat):
        started = time.process_time()
        HTML(string=page, url_fetcher=tools.url_fetcher).write_pdf(
            font_config=tools.font_config, **PDF_OPTIONS
        )
        timings.append(time.process_time() - started)
    return statistics.median(timings) * 1000


def bulk_run_certificates(count: int, batch: int = 0) -> list:
    """``count`` certificates of one bulk run on US Letter whose ten long
    outcomes need the densest layout: only the learner and the code vary."""
    import dataclasses

    outcomes = tuple(
        f"{outcome}, and explain the reasoning to a colleague in writing"
        for outcome in OUTCOMES * 2
    )[:10]
    return [
        dataclasses.replace(
            data,
            achievement_name=ACHIEVEMENTS[1],
            outcomes=outcomes,
            hours=12,
            credit_kind="non_degree",
            credit_text="",
            expires_on=None,
            language="en",
            paper_size="Letter",
        )
        for data in sample_certificates(count, batch)
    ]


def start_worker_process() -> float:
    """What a Celery worker process does before its first task (microcred's
    ``worker_process_init`` handler: warm up the renderer, then freeze what is
    loaded out of the garbage collector's sweeps); returns the seconds taken."""
    from microcred.celery import prepare_worker_process

    started = time.perf_counter()
    prepare_worker_process()
    return time.perf_counter() - started


def time_runs(batches, runs: int, label: str) -> dict:
    """Render ``batches(run)`` for each of ``runs`` runs (the same certificates
    but for their codes); print each run; return the medians."""
    from credentials.certificates import render_certificate_pdf

    rates, cpu_ms, sizes, references = [], [], [], []
    for run in range(1, runs + 1):
        certificates = batches(run)
        count = len(certificates)
        wall, cpu = time.perf_counter(), time.process_time()
        for data in certificates:
            sizes.append(len(render_certificate_pdf(data)))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        rates.append(count / wall)
        cpu_ms.append(cpu / count * 1000)
        references.append(reference_ms(repeat=10))
        print(
            f"  {label} run {run}: {rates[-1]:6.1f} PDFs/s"
            f"  {wall / count * 1000:6.1f} ms wall"
            f"  {cpu_ms[-1]:6.1f} ms CPU per PDF  (ref {references[-1]:.1f} ms)"
        )
    return {
        "rate": statistics.median(rates),
        "cpu_ms": statistics.median(cpu_ms),
        "reference": statistics.median(references),
        "size_kb": statistics.median(sizes) / 1024,
        "layouts": layouts_per_certificate(batches(runs + 1)),
    }


def layouts_per_certificate(certificates: list) -> float:
    """Layouts made per certificate, once more through the list (untimed): the
    renderer lays a page out again only when the first layout tried is not the
    one it keeps (``credentials.certificates.layout_certificate``)."""
    from credentials.certificates import layout_certificate

    attempts = [layout_certificate(data).attempts for data in certificates]
    return sum(attempts) / len(attempts)


def measure(runs: int = 5, count: int = 200) -> float:
    """Render ``count`` certificates ``runs`` times in this process, as a worker
    process would (started as microcred's Celery worker starts one); print each
    run and the medians; then the same for one bulk run of certificates that
    need the densest layout; return the median PDFs per second of the first."""
    setup_django()
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    from weasyprint import __version__ as weasyprint_version
    from weasyprint.text.ffi import harfbuzz_subset

    from credentials.certificates import render_certificate_pdf

    was_frozen = gc.get_freeze_count() > 0
    worker_start = start_worker_process()
    started = time.perf_counter()
    for data in sample_certificates(3, batch=99):  # the worker's first tasks
        render_certificate_pdf(data)
    warm_up = time.perf_counter() - started
    subsetting = "HarfBuzz" if harfbuzz_subset is not None else "fontTools (slow)"
    print(
        f"WeasyPrint {weasyprint_version}, font subsetting by {subsetting}; "
        f"worker process start (warm-up, GC freeze) {worker_start:.1f} s, "
        f"then its first 3 certificates {warm_up:.2f} s"
    )
    print(
        "Reference (ref): CPU ms for a page of one paragraph, measured after each "
        "run; on a busy machine both figures grow"
    )
    print(
        f"PDF certificates: {count} per run, {runs} runs, one process "
        f"(Python {platform.python_version()}, load average "
        f"{os.getloadavg()[0]:.1f} before the runs)"
    )
    varied = time_runs(lambda run: sample_certificates(count, run), runs, "varied")
    bulk = time_runs(lambda run: bulk_run_certificates(count, run), runs, "bulk")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"Load average after the runs: {os.getloadavg()[0]:.1f}")
    for label, figures in (
        ("varied certificates", varied),
        ("one bulk run, US Letter, dense layout", bulk),
    ):
        print(
            f"Median, {label}: {figures['rate']:.1f} PDFs/s per process "
            f"({figures['cpu_ms']:.1f} ms CPU per PDF, "
            f"ref {figures['reference']:.1f} ms), "
            f"{figures['layouts']:.2f} layouts per PDF, "
            f"{figures['size_kb']:.0f} kB per PDF"
        )
    print(f"Peak memory {peak_mb:.0f} MB")
    if not was_frozen:
        gc.unfreeze()  # the parts measured after this one start as they did
    return varied["rate"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pdf", description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="runs (default 5)")
    parser.add_argument(
        "--count", type=int, default=200, help="certificates per run (default 200)"
    )
    args = parser.parse_args(argv)
    measure(runs=args.runs, count=args.count)
    return 0


if __name__ == "__main__":
    sys.exit(main())
