using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using LiveIm.LoadTest.Runner;

namespace LiveIm.LoadTest.Reports;

/// <summary>
/// <c>report.html</c>: one self-contained file that opens offline. The summary tables are rendered here; the charts
/// are drawn by a few lines of inline JavaScript as SVG from the series embedded as JSON (no CDN, no library). Each
/// chart marks itself <c>data-drawn="true"</c> when drawn and the body carries <c>data-charts</c> (how many) and
/// <c>data-drawn</c> (how many drew), which is what the browser test checks.
/// </summary>
public static class HtmlReport
{
    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.Default };

    public static string Render(RunResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var data = ReportData.From(result);
        var charts = ChartSpec.All
            .Select(c => new { c.Id, c.Title, c.Unit, Series = data.Columns.Skip(1).Where(c.Matches).ToArray() })
            .Where(c => c.Series.Length > 0)
            .ToArray();
        var payload = new
        {
            columns = data.Columns,
            rows = data.Rows.Select(r => r.Select(v => double.IsFinite(v) ? Math.Round(v, 3) : (double?)null)),
            charts = charts.Select(c => new { id = c.Id, title = c.Title, unit = c.Unit, series = c.Series }),
        };

        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $$"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>spike {{E(result.Name)}} — {{(result.Passed ? "passed" : "FAILED")}}</title>
            <style>
            body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}
            h1{font-size:22px} h2{font-size:17px;margin-top:28px}
            table{border-collapse:collapse;margin:8px 0} td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}
            th{background:#f3f3f3} .pass{color:#176f2c;font-weight:600} .fail{color:#b00020;font-weight:700}
            .charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(540px,1fr));gap:16px}
            .chart{border:1px solid #ddd;padding:8px} .chart h3{font-size:14px;margin:0 0 4px}
            .legend span{display:inline-block;margin-right:10px;font-size:12px} .legend i{display:inline-block;width:10px;height:10px;margin-right:4px}
            svg text{font-size:10px;fill:#555}
            </style></head>
            <body data-charts="{{charts.Length}}" data-drawn="0">
            <h1>spike {{E(result.Name)}} — <span class="{{(result.Passed ? "pass" : "fail")}}">{{(result.Passed ? "PASSED" : "FAILED")}}</span></h1>
            <p>{{result.StartedUtc:yyyy-MM-dd HH:mm:ss}} UTC, load {{result.Duration.TotalSeconds:0.0}} s</p>
            <h2>Thresholds</h2><table><tr><th>rule</th><th>result</th><th>actual</th></tr>
            """);
        foreach (var t in result.Thresholds)
        {
            var actual = t.Why ?? (t.Actual is { } a ? a.ToString("0.###", CultureInfo.InvariantCulture) : string.Empty);
            html.Append(CultureInfo.InvariantCulture, $"<tr><td><code>{E(t.Description)}</code></td><td class=\"{(t.Passed ? "pass" : "fail")}\">{(t.Passed ? "pass" : "FAIL")}</td><td>{E(actual)}</td></tr>\n");
        }

        html.Append("</table>\n<h2>Key figures</h2><table><tr><th>figure</th><th>value</th></tr>\n");
        foreach (var (label, value) in result.Figures)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(label)}</td><td>{E(value)}</td></tr>\n");
        }

        html.Append("</table>\n<h2>Charts (per second)</h2><div class=\"charts\">\n");
        foreach (var chart in charts)
        {
            html.Append(CultureInfo.InvariantCulture, $"<div class=\"chart\" id=\"chart-{chart.Id}\" data-drawn=\"false\"><h3>{E(chart.Title)} ({E(chart.Unit)})</h3></div>\n");
        }

        html.Append("</div>\n<h2>Steps (latency from the due time, ms)</h2><table><tr><th>scenario</th><th>step</th><th>ok</th><th>failed</th><th>fail %</th><th>by code</th><th>p50</th><th>p75</th><th>p95</th><th>p99</th><th>max</th><th>last error</th></tr>\n");
        foreach (var s in result.Steps)
        {
            var codes = string.Join(", ", s.Failures.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key} {kv.Value:N0}"));
            var l = s.Latency;
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(s.Scenario)}</td><td>{E(s.Name)}</td><td>{s.Ok:N0}</td><td>{s.Failed:N0}</td><td>{s.FailPercent:0.##}</td><td>{E(codes)}</td><td>{l.P50:0.#}</td><td>{l.P75:0.#}</td><td>{l.P95:0.#}</td><td>{l.P99:0.#}</td><td>{l.Max:0.#}</td><td>{E(s.LastError ?? string.Empty)}</td></tr>\n");
        }

        html.Append("</table>\n<h2>Load simulations</h2><ul>\n");
        foreach (var line in result.Scenarios)
        {
            html.Append(CultureInfo.InvariantCulture, $"<li>{E(line)}</li>\n");
        }

        html.Append("</ul>\n<h2>Final values</h2><table><tr><th>name</th><th>value</th></tr>\n");
        foreach (var (name, value) in result.Values.Where(kv => double.IsFinite(kv.Value)).OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td><code>{E(name)}</code></td><td>{value:0.###}</td></tr>\n");
        }

        html.Append("</table>\n");
        if (result.Notes.Count > 0)
        {
            html.Append("<h2>Notes</h2><ul>\n");
            foreach (var note in result.Notes)
            {
                html.Append(CultureInfo.InvariantCulture, $"<li>{E(note)}</li>\n");
            }

            html.Append("</ul>\n");
        }

        // JavaScriptEncoder.Default escapes <, > and & in the JSON, so no "</script>" can end the block early.
        html.Append("<script id=\"series\" type=\"application/json\">").Append(JsonSerializer.Serialize(payload, Json)).Append("</script>\n");
        html.Append("<script>\n").Append(Script).Append("</script>\n</body></html>\n");
        return html.ToString();
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);

    // Line charts in SVG: x = seconds, y = 0 .. max of the chart's series, gaps where a series has no value.
    private const string Script = """
        (function () {
          var data = JSON.parse(document.getElementById('series').textContent);
          var colors = ['#1f77b4','#d62728','#2ca02c','#ff7f0e','#9467bd','#8c564b','#e377c2','#17becf','#7f7f7f','#bcbd22'];
          var NS = 'http://www.w3.org/2000/svg';
          var t = data.columns.indexOf('t');
          function el(name, attrs, parent) {
            var e = document.createElementNS(NS, name);
            for (var k in attrs) { e.setAttribute(k, attrs[k]); }
            if (parent) { parent.appendChild(e); }
            return e;
          }
          function fmt(v) { return Math.abs(v) >= 1000 ? (v / 1000).toFixed(1) + 'k' : (Math.round(v * 10) / 10).toString(); }
          var drawn = 0;
          data.charts.forEach(function (chart) {
            var box = document.getElementById('chart-' + chart.id);
            var W = 520, H = 220, L = 48, R = 10, T = 8, B = 24;
            var xs = data.rows.map(function (r) { return r[t]; });
            var xMax = Math.max.apply(null, xs.concat([1]));
            var yMax = 0;
            chart.series.forEach(function (s) {
              var c = data.columns.indexOf(s);
              data.rows.forEach(function (r) { if (r[c] !== null && r[c] > yMax) { yMax = r[c]; } });
            });
            if (yMax <= 0) { yMax = 1; }
            var svg = el('svg', { width: W, height: H, viewBox: '0 0 ' + W + ' ' + H, role: 'img' }, box);
            el('rect', { x: L, y: T, width: W - L - R, height: H - T - B, fill: '#fff', stroke: '#ccc' }, svg);
            for (var i = 0; i <= 4; i++) {
              var y = T + (H - T - B) * (1 - i / 4);
              el('line', { x1: L, x2: W - R, y1: y, y2: y, stroke: '#eee' }, svg);
              el('text', { x: L - 4, y: y + 3, 'text-anchor': 'end' }, svg).textContent = fmt(yMax * i / 4);
            }
            for (var j = 0; j <= 5; j++) {
              var x = L + (W - L - R) * j / 5;
              el('text', { x: x, y: H - 8, 'text-anchor': 'middle' }, svg).textContent = Math.round(xMax * j / 5) + ' s';
            }
            var legend = document.createElement('div');
            legend.className = 'legend';
            chart.series.forEach(function (s, k) {
              var c = data.columns.indexOf(s), color = colors[k % colors.length], d = '', pen = 'M';
              data.rows.forEach(function (r) {
                if (r[c] === null) { pen = 'M'; return; }
                var px = L + (W - L - R) * r[t] / xMax, py = T + (H - T - B) * (1 - r[c] / yMax);
                d += pen + px.toFixed(1) + ',' + py.toFixed(1) + ' ';
                pen = 'L';
              });
              if (d) { el('path', { d: d, fill: 'none', stroke: color, 'stroke-width': 1.5, 'data-series': s }, svg); }
              var item = document.createElement('span');
              item.innerHTML = '<i style="background:' + color + '"></i>';
              item.appendChild(document.createTextNode(s));
              legend.appendChild(item);
            });
            box.appendChild(legend);
            box.setAttribute('data-drawn', 'true');
            drawn++;
          });
          document.body.setAttribute('data-drawn', String(drawn));
        })();
        """;
}
