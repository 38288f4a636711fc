"""Benchmark: import the Hà Bắc plan (97/KH-UBND) as .txt, .docx and .pdf.

Run from the repository root:

    .venv/bin/python bench/import_plan.py                 # the seed plan from ../shared/seed/
    .venv/bin/python bench/import_plan.py PLAN.txt        # any plain-text plan
    .venv/bin/python bench/import_plan.py --runs 10       # more repetitions

The .docx (with the task appendix as a real Word table) and the .pdf (a ruled table, a TrueType
font with Vietnamese letters found through fontconfig) are generated from the text in a
temporary folder at run time; nothing is written into the repository. For each format it prints
the time of one import inside a running process (reading + extraction: the first call, which
loads the parser, and the best of the repeated calls) and the wall time of the whole command
`kehoach import-plan FILE --json`, Django start-up included. Target: under 1 s each.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEED = REPO.parent / "shared" / "seed" / "ke-hoach-97-KH-UBND-2026-ha-bac.txt"
TARGET_S = 1.0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "plan", nargs="?", default=str(SEED), help="plain-text plan (default: the Hà Bắc seed)"
    )
    parser.add_argument("--runs", type=int, default=5, help="repetitions inside one process (default 5)")
    args = parser.parse_args()

    source = Path(args.plan)
    if not source.exists():
        print(f"Không tìm thấy kế hoạch mẫu “{source}” (thư mục ../shared không có?).", file=sys.stderr)
        print("Chạy: .venv/bin/python bench/import_plan.py ĐƯỜNG_DẪN_KẾ_HOẠCH.txt", file=sys.stderr)
        return 1

    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kehoach.settings.base")
    import django

    django.setup()
    from kehoach.importer.extract import extract_plan
    from kehoach.importer.readers import read_document
    from kehoach.importer.tests.builders import build_docx, build_pdf, find_font

    text = source.read_text(encoding="utf-8")
    kehoach = Path(sys.executable).with_name("kehoach")
    with tempfile.TemporaryDirectory(prefix="kehoach-bench-") as tmp:
        files = {"txt": Path(tmp) / "ke-hoach.txt", "docx": Path(tmp) / "ke-hoach.docx"}
        files["txt"].write_text(text, encoding="utf-8")
        files["docx"].write_bytes(build_docx(text))
        font = find_font()
        if font is None:
            print("Không có phông TrueType tiếng Việt (fc-match): bỏ qua PDF.", file=sys.stderr)
        else:
            files["pdf"] = Path(tmp) / "ke-hoach.pdf"
            files["pdf"].write_bytes(build_pdf(text, font))

        print(f"Kế hoạch: {source}")
        head = f"{'định dạng':<10} {'kích thước':>10} {'lần đầu':>9} {'tốt nhất':>9} {'lệnh đầy đủ':>12}"
        print(f"{head}  kết quả")
        worst = 0.0
        for fmt, path in files.items():
            timings = []
            plan = None
            for _ in range(max(1, args.runs)):
                start = time.perf_counter()
                plan = extract_plan(read_document(path))
                timings.append(time.perf_counter() - start)
            command = (
                [str(kehoach), "import-plan", str(path), "--json"]
                if kehoach.exists()
                else ([sys.executable, "-m", "kehoach.cli", "import-plan", str(path), "--json"])
            )
            start = time.perf_counter()
            done = subprocess.run(command, capture_output=True, cwd=REPO, check=False)
            wall = time.perf_counter() - start
            worst = max(worst, timings[0], wall)
            assert plan is not None
            found = (
                f"{len(plan['indicators'])} chỉ tiêu, {len(plan['tasks'])} nhiệm vụ, "
                f"{len(plan['measures'])} giải pháp"
                + ("" if done.returncode == 0 else f", lệnh lỗi {done.returncode}")
            )
            size = f"{path.stat().st_size / 1024:.0f} KB"
            print(f"{fmt:<10} {size:>10} {timings[0]:>8.3f}s {min(timings):>8.3f}s {wall:>11.3f}s  {found}")
        verdict = "đạt" if worst < TARGET_S else "chưa đạt"
        print(f"Mục tiêu < {TARGET_S:.0f} s mỗi định dạng: {verdict} (chậm nhất {worst:.3f} s).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
