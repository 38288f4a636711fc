/* kehoach charts: draws every [data-kh-chart] element with ECharts from the JSON spec written by
   the {% chart %} template tag (kehoach/core/templatetags/charts.py). Plain ES2017, no build step. */
(() => {
  'use strict';

  const SELECTOR = '[data-kh-chart]';
  const NO_DATA = 'Chưa có số liệu';
  // Sober and told apart in greyscale too; statuses bring their own colours in the spec.
  const PALETTE = ['#2f5d8a', '#c47f2c', '#4e8f6b', '#8a8f98', '#7a5195', '#b3525b', '#5b9bd5', '#a3a13b'];
  const numberFormat = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 2 });
  const reducedMotion = window.matchMedia ? window.matchMedia('(prefers-reduced-motion: reduce)') : null;

  // element → {chart, source}; the Set exists because a WeakMap cannot be walked on resize.
  const rendered = new WeakMap();
  const live = new Set();

  const HTML_ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
  const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);

  function formatValue(value, unit) {
    if (value === null || value === undefined || value === '' || Number.isNaN(Number(value))) return NO_DATA;
    const text = numberFormat.format(Number(value));
    if (!unit) return text;
    // Vietnamese writes "90%" but "12 người".
    return unit === '%' ? text + unit : `${text} ${unit}`;
  }

  function safeLink(url) {
    if (!url) return null;
    try {
      const parsed = new URL(url, window.location.href);
      return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
    } catch (e) {
      return null;
    }
  }

  const hasLinks = (spec) => Array.isArray(spec.links) && spec.links.some(Boolean);
  const animate = () => !(reducedMotion && reducedMotion.matches);

  function tooltipFormatter(spec) {
    // The tooltip is HTML: names come from the database and must stay text.
    return (params) => {
      const items = Array.isArray(params) ? params : [params];
      if (!items.length) return '';
      const lines = [`<strong>${escapeHtml(items[0].name)}</strong>`];
      items.forEach((item) => {
        const value = Array.isArray(item.value) ? item.value[item.value.length - 1] : item.value;
        const text = escapeHtml(formatValue(value, spec.unit));
        lines.push(`${item.marker}${escapeHtml(item.seriesName)}: ${text}`);
      });
      return lines.join('<br>');
    };
  }

  // The canvas cannot inherit CSS fonts, so the page's font is named on each text; set globally
  // (option.textStyle) it is not used when ECharts measures axis labels, and long labels get clipped.
  function buildOption(spec, { fontFamily, labelWidth }) {
    const horizontal = Boolean(spec.horizontal) && spec.type !== 'line';
    const isLine = spec.type === 'line';
    const target = typeof spec.target === 'number' ? spec.target : null;
    const clickable = hasLinks(spec);

    const categoryAxis = {
      type: 'category',
      data: spec.categories || [],
      // Clicking a label drills down too, where a value is 0 and there is no bar to click.
      triggerEvent: clickable,
      axisTick: { alignWithLabel: true },
      // Long unit names are cut short on the axis; the tooltip and the table keep them whole.
      axisLabel: horizontal
        ? { fontFamily, width: labelWidth, overflow: 'truncate' }
        : { fontFamily, hideOverlap: true },
      inverse: horizontal, // first category on top, in reading order
    };
    const valueAxis = {
      type: 'value',
      axisLabel: { fontFamily, formatter: (value) => formatValue(value, spec.unit) },
      splitLine: { lineStyle: { color: '#e9ecef' } },
    };
    if (target !== null) {
      // ECharts does not widen an axis for a mark line: a target above every value would vanish.
      valueAxis.max = (extent) => (extent.max >= target ? null : target);
    }

    const series = (spec.series || []).map((item, index) => {
      const entry = {
        name: item.name,
        type: isLine ? 'line' : 'bar',
        data: item.data,
        cursor: clickable ? 'pointer' : 'default',
        emphasis: { focus: 'series' },
      };
      if (item.color) {
        entry.itemStyle = { color: item.color };
        if (isLine) entry.lineStyle = { color: item.color };
      }
      if (spec.type === 'stacked_bar') entry.stack = 'total';
      if (isLine) {
        entry.connectNulls = false; // a missing period is a gap, not an interpolation
        entry.symbolSize = 7;
      } else {
        entry.barMaxWidth = 48;
      }
      if (target !== null && index === 0) {
        entry.markLine = {
          silent: true,
          symbol: 'none',
          animation: false,
          lineStyle: { type: 'dashed', color: '#495057', width: 1.5 },
          label: {
            formatter: `Mục tiêu: ${formatValue(target, spec.unit)}`,
            position: 'insideEndTop',
            color: '#495057',
            fontFamily,
          },
          data: [horizontal ? { xAxis: target } : { yAxis: target }],
        };
      }
      return entry;
    });

    const showLegend = series.length > 1;
    return {
      animation: animate(),
      color: PALETTE,
      grid: { left: 8, right: 24, top: showLegend ? 36 : 20, bottom: 8, containLabel: true },
      legend: showLegend ? { top: 0, type: 'scroll', textStyle: { fontFamily } } : { show: false },
      tooltip: {
        trigger: 'axis',
        axisPointer: { type: isLine ? 'line' : 'shadow' },
        confine: true,
        textStyle: { fontFamily, fontSize: 13 },
        formatter: tooltipFormatter(spec),
      },
      xAxis: horizontal ? valueAxis : categoryAxis,
      yAxis: horizontal ? categoryAxis : valueAxis,
      series,
    };
  }

  function bindLinks(chart, spec) {
    if (!hasLinks(spec)) return;
    chart.on('click', (params) => {
      let index = -1;
      if (params.componentType === 'series') {
        index = params.dataIndex;
      } else if (params.componentType === 'xAxis' || params.componentType === 'yAxis') {
        index = (spec.categories || []).indexOf(params.value);
      }
      const url = index >= 0 ? safeLink(spec.links[index]) : null;
      if (url) window.location.assign(url);
    });
  }

  let resizeObserver = null;
  let resizeTimer = null;
  const pending = new Set();

  function scheduleResize(elements) {
    elements.forEach((element) => pending.add(element));
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      pending.forEach((element) => {
        const entry = rendered.get(element);
        if (entry && !entry.chart.isDisposed()) entry.chart.resize();
      });
      pending.clear();
    }, 150);
  }

  function forget(element) {
    const entry = rendered.get(element);
    if (entry && !entry.chart.isDisposed()) entry.chart.dispose();
    if (resizeObserver) resizeObserver.unobserve(element);
    rendered.delete(element);
    live.delete(element);
  }

  function prune() {
    live.forEach((element) => {
      if (!element.isConnected) forget(element);
    });
  }

  function fallback(element) {
    const figure = element.closest('.kh-chart');
    if (figure) figure.classList.add('kh-chart-fallback');
  }

  function render(element) {
    const source = element.getAttribute('data-kh-chart');
    const entry = rendered.get(element);
    // DOMContentLoaded and htmx's first htmx:load on <body> both reach the initial charts: draw once.
    if (entry && entry.source === source && !entry.chart.isDisposed()) return;
    forget(element);
    if (!window.echarts) {
      fallback(element);
      return;
    }
    let spec;
    try {
      spec = JSON.parse(source);
    } catch (e) {
      fallback(element);
      return;
    }
    if (spec.height) element.style.height = `${spec.height}px`;
    // An instance may exist outside our bookkeeping, e.g. on a node htmx moved or restored from history.
    const previous = window.echarts.getInstanceByDom(element);
    if (previous) previous.dispose();
    const chart = window.echarts.init(element, null, { renderer: 'canvas' });
    const fontFamily = window.getComputedStyle(element).fontFamily || 'sans-serif';
    const labelWidth = Math.max(80, Math.min(200, Math.round(element.clientWidth * 0.4)));
    chart.setOption(buildOption(spec, { fontFamily, labelWidth }));
    bindLinks(chart, spec);
    rendered.set(element, { chart, source });
    live.add(element);
    // A chart drawn while hidden (collapsed card, inactive tab) has no size until it is shown.
    if (resizeObserver) resizeObserver.observe(element);
    const figure = element.closest('.kh-chart');
    if (figure) figure.classList.remove('kh-chart-fallback');
  }

  function renderWithin(root) {
    prune();
    if (!root || !root.querySelectorAll) return;
    if (root.matches && root.matches(SELECTOR)) render(root);
    root.querySelectorAll(SELECTOR).forEach(render);
  }

  if (window.ResizeObserver) {
    resizeObserver = new ResizeObserver((entries) => scheduleResize(entries.map((e) => e.target)));
  }
  window.addEventListener('resize', () => {
    prune();
    scheduleResize(live);
  });
  if (reducedMotion && reducedMotion.addEventListener) {
    reducedMotion.addEventListener('change', () => {
      live.forEach((element) => rendered.get(element).chart.setOption({ animation: animate() }));
    });
  }

  // htmx fires htmx:load on every swapped-in element; charts in refreshed fragments render there.
  document.addEventListener('htmx:load', (event) => renderWithin(event.target));
  document.addEventListener('htmx:beforeCleanupElement', (event) => {
    if (event.target.matches && event.target.matches(SELECTOR)) forget(event.target);
  });

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', () => renderWithin(document.body));
  } else {
    renderWithin(document.body);
  }

  window.khCharts = { render: renderWithin, formatValue };
})();
