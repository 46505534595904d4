"""The report benchmark (benchmarks/reports.py) runs end to end at a tiny size: the personal
report and the registration form render from its synthetic data, and the bundle is built cold,
again from its cache (the same PDF), and after one candidate changed. Its data is shaped by
hand like the services', so this is what tells that it still fits the templates."""

import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import TMP

REPORTS = Path(__file__).resolve().parents[2] / "benchmarks" / "reports.py"


def test_the_reports_benchmark_renders_each_document_of_a_small_bundle():
    env = {k: v for k, v in os.environ.items() if not k.startswith("APPRAISAL_")}
    env["APPRAISAL_REPORT_WORKERS"] = "1"  # the suite's other pass has the other core
    env["TMPDIR"] = str(TMP)  # its PDF cache goes with the run's other temporary files
    done = subprocess.run([sys.executable, str(REPORTS), "--candidates", "2", "--repeat", "1"],
                          capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert re.search(r"personal report card, warm process: median [\d.]+ s, max [\d.]+ s over 1 renders", out), out
    assert re.search(r"registration form \(2 pages\), warm process: median [\d.]+ s", out), out
    cold = re.search(r"bundle of 2 candidates, cold \(empty cache\) on 1 worker processes: [\d.]+ s, (\d+) pages", out)
    # The cover, and each candidate's two-page form and record.
    assert cold and int(cold.group(1)) >= 1 + 2 * 2, out
    assert re.search(r"same bundle, nothing changed: [\d.]+ s, identical: True", out), out
    assert re.search(r"one candidate changed: [\d.]+ s", out), out
