"""Benchmark: the operations centre, the city's comparison of communes and the alert evaluation.

Run from the repository root:

    .venv/bin/python bench/operations.py                  # fresh temporary SQLite database
    .venv/bin/python bench/operations.py --runs 100       # more timed requests per page
    .venv/bin/python bench/operations.py --queries        # also list each page's slowest SQL (stderr)

    createdb -h 127.0.0.1 -U postgres kehoach_bench_ops
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kehoach_bench_ops \\
        .venv/bin/python bench/operations.py --country    # + the city at country scale (3,321 communes)
    dropdb -h 127.0.0.1 -U postgres kehoach_bench_ops

Without DATABASE_URL the bench builds everything in a temporary folder (KEHOACH_DATA_DIR) that it
deletes at the end: migrations, the Hà Bắc plan with its demo story (about 20 s: the centre must show a
year of real work), the demo accounts, then 114 synthetic communes of the same city
(`build_city(communes=114, seed=1)`). With DATABASE_URL it uses that database, which must be a
throwaway one: it refuses a database that already holds plans unless `--reuse` is given, in which case
what is already there is kept (loading Hà Bắc and `build_city` add only what is missing).

It then times, in one process, through Django's test Client (the whole middleware stack, session and
authentication, as a browser's request would go; only the WSGI server is left out):
- the centre page of Hà Bắc's plan as the demo user `lanhdao` (commune leader),
- the city's comparison /dieu-hanh/thanh-pho/ as `captren` (a city department),
- a bare Django page as `lanhdao`: login required, one trivial query, a tiny template rendered with
  the request (so the project's context processors run), which is the floor the pages are compared to,
- `alerts_evaluate` over every issued plan: once (it raises the alerts) and once more (steady state).
Every page gets 3 warm-up requests, then the pages are requested in turn `--runs` times each (a busy
moment of the machine hits them all alike); p95 is the nearest rank.

The pages cache what they compute per data version and day (`kehoach.operations.freshness`), so the
timed requests show the pages as people re-read them; the same pages are then timed with the caches
emptied before each request (`*_cold_p95_ms`, not held to the targets), as the first read after a
change to the data.

Stdout holds only `name: value` lines (times in ms or s, targets, ratios to the bare page, the number
of SQL queries of one request of each page, and a final `ok: yes/no`); progress goes to stderr.
Targets: centre ≤ 50 ms, city comparison over 114 communes ≤ 150 ms, evaluation ≤ 5 s, and with
`--country` (meaningful on PostgreSQL only) the comparison over 3,321 communes ≤ 500 ms.
"""

import argparse
import importlib
import math
import os
import shutil
import sys
import tempfile
import time
import types
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SETTINGS_MODULE = "bench_operations_settings"
URLS_MODULE = "bench_operations_urls"
BARE_URL = "/__bench__/trang-tran/"
CITY_URL = "/dieu-hanh/thanh-pho/"
CITY_COMMUNES = 114
COUNTRY_COMMUNES = 3321
SEED = 1
WARMUP = 3
TARGETS_MS = {"commune_centre": 50.0, "city_compare": 150.0, "city_compare_country": 500.0}
TARGET_EVALUATE_S = 5.0


def say(message: str) -> None:
    """Progress for people, in Vietnamese, on stderr (stdout is for `name: value` lines)."""
    print(message, file=sys.stderr, flush=True)


def out(name: str, value) -> None:
    if isinstance(value, float):
        value = f"{value:.3f}" if value < 10 else f"{value:.1f}"
    print(f"{name}: {value}", flush=True)


def percentile(samples: list[float], share: float) -> float:
    """Percentile by nearest rank."""
    ordered = sorted(samples)
    return ordered[max(1, math.ceil(share * len(ordered))) - 1]


def p95(samples: list[float]) -> float:
    return percentile(samples, 0.95)


def configure(data_dir: str) -> None:
    """The project's base settings, with what a bench in one process needs; before django.setup()."""
    os.environ["KEHOACH_DATA_DIR"] = data_dir
    sys.path.insert(0, str(REPO))
    base = importlib.import_module("kehoach.settings.base")
    settings = types.ModuleType(SETTINGS_MODULE)
    settings.__dict__.update({name: value for name, value in vars(base).items() if name.isupper()})
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # `{% static %}` without a manifest (no collectstatic in a temporary folder), as the tests do.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Alerts notify people by e-mail: keep the mail in memory, not on stdout (console backend).
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    settings.ROOT_URLCONF = URLS_MODULE
    # The demo accounts are logged in with force_login: no need for a slow hasher when they are created.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    sys.modules[SETTINGS_MODULE] = settings
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE


def install_urls() -> None:
    """The project's URLs plus the bare page; after django.setup(), before the first request."""
    from django.contrib.auth.decorators import login_required
    from django.http import HttpResponse
    from django.template import engines
    from django.urls import path

    from kehoach import urls as project
    from kehoach.units.models import Unit

    tiny = engines["django"].from_string(
        '<!doctype html><html lang="vi"><title>Trang trần</title>'
        "<p>{{ user.get_username }}: {{ count }} đơn vị gốc.</p></html>"
    )

    @login_required
    def bare(request):
        count = Unit.objects.filter(parent__isnull=True).count()
        return HttpResponse(tiny.render({"count": count}, request))

    urls = types.ModuleType(URLS_MODULE)
    urls.urlpatterns = [path(BARE_URL.strip("/") + "/", bare, name="bench_bare"), *project.urlpatterns]
    sys.modules[URLS_MODULE] = urls


class SqlLog:
    """Every SQL statement of a block with its duration (connection.execute_wrapper, no DEBUG needed)."""

    def __init__(self):
        self.statements: list[tuple[float, str]] = []

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.statements.append((time.perf_counter() - start, sql))


def get(client, url: str) -> None:
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"GET {url} trả về {response.status_code}, không phải 200: dừng đo.")
    response.content  # noqa: B018 (a streaming or lazy response is read in full, as a browser would)


def forget_computed() -> None:
    """Empty the pages' caches (computed figures and rendered fragments), as after a change of data."""
    from django.core.cache import cache

    from kehoach.operations.freshness import forget

    cache.clear()
    forget()


def time_pages(pages: dict[str, tuple], runs: int, *, cold: bool = False) -> dict[str, list[float]]:
    """Warm every page up, then time them in turn, so a busy moment of the machine hits them all alike.

    With `cold` the caches are emptied before every timed request (outside the timing): each request
    computes its page from the database, as the first one after a change to the data does.
    """
    for client, url in pages.values():
        for _ in range(WARMUP):
            get(client, url)
    samples: dict[str, list[float]] = {name: [] for name in pages}
    for _ in range(runs):
        for name, (client, url) in pages.items():
            if cold:
                forget_computed()
            start = time.perf_counter()
            get(client, url)
            samples[name].append(time.perf_counter() - start)
    return samples


def profile_page(client, url: str, name: str, show: bool) -> None:
    """One more request of the page with its SQL recorded: the count on stdout, the slowest on stderr."""
    from django.db import connection

    log = SqlLog()
    start = time.perf_counter()
    with connection.execute_wrapper(log):
        get(client, url)
    total = time.perf_counter() - start
    sql_ms = 1000 * sum(d for d, _ in log.statements)
    out(f"{name}_queries", len(log.statements))
    count = len(log.statements)
    say(f"  {name}: {count} câu SQL, {sql_ms:.1f} ms trong SQL / {1000 * total:.1f} ms cả yêu cầu")
    if show:
        for duration, sql in sorted(log.statements, key=lambda s: s[0], reverse=True)[:3]:
            text = " ".join(sql.split())
            say(f"    {1000 * duration:7.2f} ms  {text[:600]}{'…' if len(text) > 600 else ''}")


def timed(label: str, step: Callable[[], object]):
    say(f"{label}…")
    start = time.perf_counter()
    result = step()
    say(f"  xong trong {time.perf_counter() - start:.1f} s")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=50, help="timed requests per page (default 50)")
    parser.add_argument(
        "--country",
        action="store_true",
        help=f"also build {COUNTRY_COMMUNES:,} communes and time the comparison (PostgreSQL only)",
    )
    parser.add_argument(
        "--reuse", action="store_true", help="accept a DATABASE_URL database that already holds plans"
    )
    parser.add_argument("--queries", action="store_true", help="list each page's 3 slowest SQL statements")
    args = parser.parse_args()
    runs = max(1, args.runs)

    database_url = os.environ.get("DATABASE_URL", "")
    on_postgres = database_url.startswith(("postgres://", "postgresql://"))
    if args.country and not on_postgres:
        say(
            f"--country chỉ có ý nghĩa trên PostgreSQL ({COUNTRY_COMMUNES:,} xã, khoảng một triệu bản ghi)."
            " Đặt DATABASE_URL=postgres://… tới một cơ sở dữ liệu trống rồi chạy lại."
        )
        return 2

    data_dir = tempfile.mkdtemp(prefix="kehoach-bench-ops-")
    started = time.perf_counter()
    try:
        return run(args, runs, data_dir, database_url)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
        say(f"Tổng thời gian chạy bench: {time.perf_counter() - started:.0f} s.")


def run(args, runs: int, data_dir: str, database_url: str) -> int:
    configure(data_dir)
    import django

    django.setup()
    install_urls()

    from django.core.management import call_command
    from django.db import connection, connections
    from django.test import Client
    from django.utils import timezone

    from kehoach.core.jobs import wait_for_threads
    from kehoach.demo.city import build_city
    from kehoach.demo.services import ensure_demo_accounts, load_habac
    from kehoach.operations.services.alerts import alerts_evaluate
    from kehoach.plans.choices import PlanStatus
    from kehoach.plans.models import Plan
    from kehoach.units.choices import UnitKind
    from kehoach.units.models import Unit, User

    where = "PostgreSQL" if connection.vendor == "postgresql" else connection.vendor
    say(f"Cơ sở dữ liệu: {where} ({'DATABASE_URL' if database_url else 'SQLite tạm trong ' + data_dir}).")
    # Refuse before migrating: a database that holds plans is someone's, not a throwaway one.
    holds_plans = Plan._meta.db_table in connection.introspection.table_names() and Plan.objects.exists()
    if database_url and holds_plans and not args.reuse:
        say(
            "Cơ sở dữ liệu trong DATABASE_URL đã có kế hoạch. Bench chỉ chạy trên cơ sở dữ liệu trống, dùng"
            " xong bỏ; thêm --reuse nếu muốn dùng lại dữ liệu đã có (chỉ thêm phần còn thiếu)."
        )
        return 2
    timed("Chạy migrate", lambda: call_command("migrate", verbosity=0, interactive=False))

    today = timezone.localdate()
    plan, created = timed("Nạp kế hoạch Hà Bắc và kịch bản mẫu (khoảng 20 giây)", load_habac)
    if not created:
        say("  kế hoạch Hà Bắc đã có sẵn, giữ nguyên.")
    timed("Tạo tài khoản mẫu", ensure_demo_accounts)
    result = timed(
        f"Tạo {CITY_COMMUNES} xã, phường mẫu của thành phố",
        lambda: build_city(communes=CITY_COMMUNES, seed=SEED, today=today),
    )
    say(f"  tạo mới {result['created']}, đã có {result['existing']}.")
    # Hà Bắc and the synthetic communes; more when --reuse found a bigger city (then the figures say so).
    communes = Unit.objects.filter(parent=result["city"], kind=UnitKind.COMMUNE).count()
    if communes > CITY_COMMUNES + 1:
        say(f"  Chú ý: thành phố đã có {communes} xã, phường (dữ liệu dùng lại), hơn {CITY_COMMUNES} + 1.")
    wait_for_threads(timeout=120)
    connections.close_all()

    issued = Plan.objects.filter(status=PlanStatus.ISSUED).count()
    say(f"Đánh giá cảnh báo trên {issued} kế hoạch đã ban hành…")
    start = time.perf_counter()
    totals = alerts_evaluate(today=today)
    evaluate_s = time.perf_counter() - start
    say(f"  lần đầu {evaluate_s:.2f} s: {totals}")
    start = time.perf_counter()
    totals = alerts_evaluate(today=today)
    evaluate_again_s = time.perf_counter() - start
    say(f"  lần hai {evaluate_again_s:.2f} s: {totals}")
    wait_for_threads(timeout=120)
    connections.close_all()

    leader = Client()
    leader.force_login(User.objects.get(username="lanhdao"))
    city_user = Client()
    city_user.force_login(User.objects.get(username="captren"))
    centre_url = f"/dieu-hanh/ke-hoach/{plan.pk}/"

    say(f"Đo {runs} yêu cầu mỗi trang (sau {WARMUP} yêu cầu khởi động)…")
    samples = time_pages(
        {"bare": (leader, BARE_URL), "centre": (leader, centre_url), "city": (city_user, CITY_URL)}, runs
    )
    bare_ms, centre_ms, city_ms = (1000 * p95(samples[name]) for name in ("bare", "centre", "city"))
    say("SQL của một yêu cầu mỗi trang:")
    profile_page(leader, BARE_URL, "bare_django", args.queries)
    profile_page(leader, centre_url, "commune_centre", args.queries)
    profile_page(city_user, CITY_URL, "city_compare", args.queries)
    forget_computed()
    profile_page(leader, centre_url, "commune_centre_cold", args.queries)
    profile_page(city_user, CITY_URL, "city_compare_cold", args.queries)
    say(f"Đo lại {runs} yêu cầu mỗi trang khi bộ nhớ đệm vừa bị xóa (như ngay sau khi số liệu thay đổi)…")
    cold = time_pages({"centre": (leader, centre_url), "city": (city_user, CITY_URL)}, runs, cold=True)
    evaluate_ok = evaluate_s <= TARGET_EVALUATE_S and evaluate_again_s <= TARGET_EVALUATE_S
    ok = centre_ms <= TARGETS_MS["commune_centre"] and city_ms <= TARGETS_MS["city_compare"] and evaluate_ok

    out("database", connection.vendor)
    out("runs", runs)
    out("issued_plans", issued)
    out("commune_centre_p95_ms", centre_ms)
    out("commune_centre_target_ms", TARGETS_MS["commune_centre"])
    out("city_compare_p95_ms", city_ms)
    out("city_compare_target_ms", TARGETS_MS["city_compare"])
    out("city_communes", communes)
    out("alerts_evaluate_s", evaluate_s)
    out("alerts_evaluate_again_s", evaluate_again_s)
    out("alerts_evaluate_target_s", TARGET_EVALUATE_S)
    out("bare_django_p95_ms", bare_ms)
    for name, page in (("commune_centre", "centre"), ("city_compare", "city"), ("bare_django", "bare")):
        out(f"{name}_p50_ms", 1000 * percentile(samples[page], 0.5))
    out("commune_centre_ratio", centre_ms / bare_ms)
    out("city_compare_ratio", city_ms / bare_ms)
    # Not held to the targets: the first request after a change to the data, cache emptied.
    out("commune_centre_cold_p95_ms", 1000 * p95(cold["centre"]))
    out("city_compare_cold_p95_ms", 1000 * p95(cold["city"]))

    if args.country:
        connections.close_all()
        started = time.perf_counter()

        def progress(done: int, total: int) -> None:
            say(f"  đã tạo {done:,}/{total:,} xã… ({time.perf_counter() - started:.0f} s)")

        result = timed(
            f"Tạo {COUNTRY_COMMUNES:,} xã, phường mẫu (quy mô cả nước, COPY trên PostgreSQL)",
            lambda: build_city(communes=COUNTRY_COMMUNES, seed=SEED, today=today, progress=progress),
        )
        say(f"  tạo mới {result['created']}, đã có {result['existing']}.")
        connections.close_all()
        say(f"Đo trang so sánh trên {COUNTRY_COMMUNES:,} xã ({runs} yêu cầu)…")
        country = time_pages({"bare": (leader, BARE_URL), "city": (city_user, CITY_URL)}, runs)
        country_ms = 1000 * p95(country["city"])
        ok = ok and country_ms <= TARGETS_MS["city_compare_country"]
        out("city_compare_country_p95_ms", country_ms)
        out("city_compare_country_target_ms", TARGETS_MS["city_compare_country"])
        out("city_compare_country_ratio", country_ms / (1000 * p95(country["bare"])))
        out("city_compare_country_p50_ms", 1000 * percentile(country["city"], 0.5))
        profile_page(city_user, CITY_URL, "city_compare_country", args.queries)
        country_cold = time_pages({"city": (city_user, CITY_URL)}, max(5, runs // 5), cold=True)
        out("city_compare_country_cold_p95_ms", 1000 * p95(country_cold["city"]))
        out("country_communes", COUNTRY_COMMUNES)

    say("Mục tiêu: " + ("đạt." if ok else "chưa đạt (xem các dòng *_target_* ở đầu ra)."))
    out("ok", "yes" if ok else "no")
    connections.close_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
