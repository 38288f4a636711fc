"""The chart tags: canvas spec and data table, sparklines, assets; and the charts drawn in chromium."""

import json
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template import Context, Template
from django.templatetags.static import static
from django.urls import path
from django.utils.html import format_html

from kehoach.core.templatetags.charts import chart_assets, clean_spec, sparkline

SPEC = {
    "type": "stacked_bar",
    "categories": ["Quý I/2026", "Quý II/2026", "Quý III/2026"],
    "series": [
        {"name": "Hoàn thành", "data": [3, None, Decimal("1234.50")], "color": "#198754"},
        {"name": "Quá hạn", "data": [1, 2, Decimal("0.25")], "color": "#dc3545"},
    ],
    "unit": "%",
    "links": ["/nhiem-vu/?quy=1", None, "/nhiem-vu/?quy=3"],
    "target": 90,
    "height": 300,
}


class ChartReader(HTMLParser):
    """The canvas attributes, the table caption and its rows as (text, href) cells."""

    def __init__(self):
        super().__init__()
        self.canvas = None
        self.caption = ""
        self.rows = []
        self._cell = None
        self._in_caption = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "data-kh-chart" in attrs:
            self.canvas = attrs
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = ["", None]
        elif tag == "a" and self._cell is not None:
            self._cell[1] = attrs["href"]

    def handle_endtag(self, tag):
        if tag == "caption":
            self._in_caption = False
        elif tag in ("td", "th"):
            self.rows[-1].append(tuple(self._cell))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[0] += data
        elif self._in_caption:
            self.caption += data


def render_chart(spec, caption="Nhiệm vụ theo quý") -> tuple[str, ChartReader]:
    html = Template("{% load charts %}{% chart spec caption %}").render(
        Context({"spec": spec, "caption": caption})
    )
    reader = ChartReader()
    reader.feed(html)
    return html, reader


# chart ------------------------------------------------------------------------------------------


def test_chart_table_has_vietnamese_numbers_gaps_and_links():
    html, reader = render_chart(SPEC)

    assert '<figure class="kh-chart">' in html
    assert '<figcaption class="kh-chart-caption">Nhiệm vụ theo quý</figcaption>' in html
    assert reader.canvas["role"] == "img"
    assert reader.canvas["aria-label"] == "Nhiệm vụ theo quý"
    assert reader.canvas["style"] == "height: 300px"
    assert reader.caption == "Số liệu: Nhiệm vụ theo quý. Mục tiêu: 90%"
    assert reader.rows == [
        [("Hạng mục", None), ("Hoàn thành", None), ("Quá hạn", None)],
        [("Quý I/2026", "/nhiem-vu/?quy=1"), ("3%", None), ("1%", None)],
        [("Quý II/2026", None), ("—", None), ("2%", None)],
        [("Quý III/2026", "/nhiem-vu/?quy=3"), ("1.234,5%", None), ("0,25%", None)],
    ]


def test_chart_unit_other_than_percent_is_spaced_and_category_label_is_used():
    spec = {
        "type": "bar",
        "categories": ["Phòng VH-XH"],
        "series": [{"name": "Người được tập huấn", "data": [12345]}],
        "unit": "người",
        "category_label": "Đơn vị",
    }
    _, reader = render_chart(spec)
    assert reader.rows == [
        [("Đơn vị", None), ("Người được tập huấn", None)],
        [("Phòng VH-XH", None), ("12.345 người", None)],
    ]


def test_chart_json_attribute_round_trips():
    _, reader = render_chart(SPEC)

    assert json.loads(reader.canvas["data-kh-chart"]) == {
        "type": "stacked_bar",
        "horizontal": False,
        "categories": ["Quý I/2026", "Quý II/2026", "Quý III/2026"],
        "series": [
            {"name": "Hoàn thành", "data": [3, None, 1234.5], "color": "#198754"},
            {"name": "Quá hạn", "data": [1, 2, 0.25], "color": "#dc3545"},
        ],
        "unit": "%",
        "links": ["/nhiem-vu/?quy=1", None, "/nhiem-vu/?quy=3"],
        "target": 90,
        "height": 300,
    }
    assert json.loads(reader.canvas["data-kh-chart"]) == clean_spec(SPEC)


def test_chart_escapes_html_in_names_and_drops_script_links():
    evil_category = '</script><script>alert("x")</script>'
    evil_series = "\"'><img src=x onerror=alert(1)>&amp;"
    spec = {
        "type": "bar",
        "categories": [evil_category, "Tổ & nhóm <b>"],
        "series": [{"name": evil_series, "data": [1, 2]}],
        "links": ["javascript:alert(1)", "/don-vi/2/"],
        "title": "ignored when a caption is given",
    }
    html, reader = render_chart(spec, caption='Biểu đồ "A" <i>')

    assert "<script" not in html
    assert "<img" not in html
    assert "<b>" not in html and "<i>" not in html
    assert "javascript:" not in html
    # Inside the attribute the markup characters are JSON escapes, never raw.
    raw_attribute = re.search(r'data-kh-chart="([^"]*)"', html).group(1)
    assert "<" not in raw_attribute and ">" not in raw_attribute and "'" not in raw_attribute
    assert "\\u003C/script\\u003E" in raw_attribute
    # What the browser reads back is the original text.
    data = json.loads(reader.canvas["data-kh-chart"])
    assert data["categories"] == [evil_category, "Tổ & nhóm <b>"]
    assert data["series"][0]["name"] == evil_series
    assert data["links"] == [None, "/don-vi/2/"]
    assert reader.canvas["aria-label"] == 'Biểu đồ "A" <i>'
    assert reader.rows[0][1] == (evil_series, None)
    assert reader.rows[1][0] == (evil_category, None)
    assert reader.rows[2][0] == ("Tổ & nhóm <b>", "/don-vi/2/")


def test_chart_pads_short_series_and_refuses_unknown_types():
    spec = {"type": "line", "categories": ["T1", "T2", "T3"], "series": [{"name": "Tỷ lệ", "data": [5]}]}
    assert clean_spec(spec)["series"][0]["data"] == [5, None, None]
    assert clean_spec(spec)["height"] == 260
    with pytest.raises(ValueError, match="pie"):
        clean_spec({**spec, "type": "pie"})


# sparkline --------------------------------------------------------------------------------------


def svg_shapes(svg: str) -> dict:
    return {
        "polylines": re.findall(r'<polyline points="([^"]*)"', svg),
        "dots": re.findall(r'<circle (?:class="[^"]*" )?cx="([^"]*)" cy="([^"]*)" r="([^"]*)"', svg),
        "target": re.findall(r'<line class="kh-sparkline-target" x1="([^"]*)" y1="([^"]*)"', svg),
        "label": re.search(r'aria-label="([^"]*)"', svg).group(1),
    }


def test_sparkline_normal_values():
    svg = str(sparkline([2, 4, Decimal("6.5")]))
    shapes = svg_shapes(svg)

    assert svg.startswith(
        '<svg class="kh-sparkline" xmlns="http://www.w3.org/2000/svg" width="120" height="28"'
    )
    assert 'role="img"' in svg
    # Lowest value at the bottom (y = 28 - 3), highest at the top (y = 3), spread over the width.
    assert shapes["polylines"] == ["3,25 60,15.2 117,3"]
    assert shapes["dots"] == [("117", "3", "2.5")]  # the latest value
    assert shapes["label"] == "Xu hướng: 2; 4; 6,5"
    assert shapes["target"] == []


def test_sparkline_all_null_is_an_empty_state():
    empty = '<span class="kh-sparkline kh-sparkline-empty" role="img" aria-label="Chưa có số liệu">—</span>'
    for values in ([None, None], [], None, ["", "không rõ"]):
        assert str(sparkline(values)) == empty


def test_sparkline_all_equal_is_a_flat_line():
    shapes = svg_shapes(str(sparkline([5, 5, 5])))
    assert shapes["polylines"] == ["3,14 60,14 117,14"]
    assert shapes["label"] == "Xu hướng: 5; 5; 5"


def test_sparkline_gaps_split_the_line():
    shapes = svg_shapes(str(sparkline([1, 2, None, 3, None, 1, 2])))
    # x steps of 19 over 114 px; nulls break the line, a lone value becomes a small dot.
    assert shapes["polylines"] == ["3,25 22,14", "98,25 117,14"]
    assert shapes["dots"] == [("60", "3", "1.2"), ("117", "14", "2.5")]
    assert shapes["label"] == "Xu hướng: 1; 2; chưa có số liệu; 3; chưa có số liệu; 1; 2"


def test_sparkline_target_line_is_within_scale():
    shapes = svg_shapes(str(sparkline([50, 70.25], 90)))
    # The scale widens to the target, so the dashed line sits on the top edge, not outside the box.
    assert shapes["target"] == [("3", "3")]
    assert shapes["polylines"] == ["3,25 117,13.9"]
    assert shapes["label"] == "Xu hướng: 50; 70,25. Mục tiêu: 90"


def test_sparkline_from_a_template_with_a_single_value():
    html = Template("{% load charts %}{% sparkline values 3 %}").render(Context({"values": [3]}))
    shapes = svg_shapes(html)
    assert shapes["polylines"] == []
    assert ("60", "14", "2.5") in shapes["dots"]
    assert shapes["label"] == "Xu hướng: 3. Mục tiêu: 3"


# assets -----------------------------------------------------------------------------------------


def test_chart_assets_reference_shipped_files():
    html = str(chart_assets())
    urls = re.findall(r'(?:href|src)="([^"]+)"', html)

    assert len(urls) == 3
    assert '<link rel="stylesheet" href="' in html
    assert html.count("defer></script>") == 2
    # echarts before charts.js: deferred scripts run in document order.
    assert urls[1].endswith("vendor/echarts/echarts.min.js") and urls[2].endswith("js/charts.js")
    prefix = static("")
    for url in urls:
        assert url.startswith(prefix)
        assert finders.find(url.removeprefix(prefix)), url
    for licence in ("LICENSE", "NOTICE"):
        assert finders.find(f"vendor/echarts/{licence}")


# browser ----------------------------------------------------------------------------------------

PAGE = """{% load charts %}<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Biểu đồ</title><link rel="icon" href="data:,">
<link rel="stylesheet" href="{% load static %}{% static 'vendor/bootstrap/bootstrap.min.css' %}">
{% chart_assets %}</head>
<body><main id="main" style="width: 800px">{% chart spec "Nhiệm vụ theo quý" %}</main></body></html>"""


def chart_page(request):
    return HttpResponse(Template(PAGE).render(Context({"spec": SPEC})))


def chart_fragment(request):
    spec = {
        "type": "line",
        "categories": ["Tháng 1", "Tháng 2", "Tháng 3"],
        "series": [{"name": "Tỷ lệ hồ sơ trực tuyến", "data": [40, None, 72.5]}],
        "unit": "%",
        "target": 80,
    }
    html = Template('{% load charts %}<section id="refreshed">{% chart spec "Hồ sơ trực tuyến" %}</section>')
    return HttpResponse(html.render(Context({"spec": spec})))


def drill_down(request):
    return HttpResponse(
        format_html("<!doctype html><title>Chi tiết</title><h1>Quý {}</h1>", request.GET["quy"])
    )


urlpatterns = [
    path("bieu-do/", chart_page),
    path("bieu-do/manh/", chart_fragment),
    path("nhiem-vu/", drill_down),
]

DRAWN_PIXELS = """el => {
  const canvas = el.querySelector('canvas');
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let drawn = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) drawn += 1;
  return drawn;
}"""


@pytest.mark.browser
@pytest.mark.urls(__name__)
@pytest.mark.django_db(transaction=True)
def test_charts_draw_in_chromium_and_after_an_htmx_swap(page, live_server):
    from playwright.sync_api import expect

    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.emulate_media(reduced_motion="reduce")
    page.goto(f"{live_server.url}/bieu-do/")

    chart = page.locator("[data-kh-chart]").first
    expect(chart.locator("canvas")).to_have_count(1)
    assert chart.evaluate(DRAWN_PIXELS) > 1000
    assert chart.evaluate("el => echarts.getInstanceByDom(el).getOption().animation") is False
    assert chart.bounding_box()["height"] == 300
    assert page.evaluate("khCharts.formatValue(1234.5, '%')") == "1.234,5%"

    # The table is there for screen readers but takes no room on screen.
    table = page.locator(".kh-chart-data")
    box = table.bounding_box()
    assert box["width"] <= 1 and box["height"] <= 1
    expect(page.get_by_role("table")).to_contain_text("1.234,5%")

    # Hovering the third stack shows a Vietnamese tooltip and a pointer cursor.
    x, y = chart.evaluate("el => echarts.getInstanceByDom(el).convertToPixel({seriesIndex: 0}, [2, 600])")
    page.mouse.move(chart.bounding_box()["x"] + x, chart.bounding_box()["y"] + y)
    expect(chart).to_contain_text("Hoàn thành: 1.234,5%")
    expect(chart).to_contain_text("Quá hạn: 0,25%")
    assert chart.evaluate("el => getComputedStyle(el.firstElementChild).cursor") == "pointer"
    gap_x = chart.evaluate("el => echarts.getInstanceByDom(el).convertToPixel({seriesIndex: 1}, [1, 1])[0]")
    page.mouse.move(chart.bounding_box()["x"] + gap_x, chart.bounding_box()["y"] + y)
    expect(chart).to_contain_text("Hoàn thành: Chưa có số liệu")

    # Paper gets the table instead of the canvas.
    page.emulate_media(media="print")
    expect(chart).to_be_hidden()
    assert table.bounding_box()["width"] > 100
    page.emulate_media(media="screen")

    # An htmx-like swap: a fragment from the server is inserted and htmx:load is fired on it.
    page.evaluate(
        """async () => {
          const html = await (await fetch('/bieu-do/manh/')).text();
          document.getElementById('main').insertAdjacentHTML('beforeend', html);
          const section = document.getElementById('refreshed');
          section.dispatchEvent(new CustomEvent('htmx:load', {bubbles: true}));
        }"""
    )
    fresh = page.locator("#refreshed [data-kh-chart]")
    expect(fresh.locator("canvas")).to_have_count(1)
    assert fresh.evaluate(DRAWN_PIXELS) > 500
    mark_line = fresh.evaluate("el => echarts.getInstanceByDom(el).getOption().series[0].markLine")
    assert mark_line["data"][0]["yAxis"] == 80
    # Swapping again replaces the instance instead of stacking a second canvas.
    first_id = fresh.evaluate("el => echarts.getInstanceByDom(el).id")
    fresh.evaluate(
        """el => {
          el.setAttribute('data-kh-chart', el.getAttribute('data-kh-chart').replace('72.5', '75'));
          el.dispatchEvent(new CustomEvent('htmx:load', {bubbles: true}));
        }"""
    )
    assert fresh.evaluate("el => echarts.getInstanceByDom(el).id") != first_id
    expect(fresh.locator("canvas")).to_have_count(1)
    # The first chart was left alone.
    expect(chart.locator("canvas")).to_have_count(1)

    # Drill-down: clicking the third stack opens its link.
    x, y = chart.evaluate("el => echarts.getInstanceByDom(el).convertToPixel({seriesIndex: 0}, [2, 600])")
    page.mouse.click(chart.bounding_box()["x"] + x, chart.bounding_box()["y"] + y)
    page.wait_for_url(f"{live_server.url}/nhiem-vu/?quy=3")
    expect(page.locator("h1")).to_have_text("Quý 3")
    assert errors == []
