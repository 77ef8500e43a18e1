using System.Globalization;
using System.Net;
using System.Text;
using SelectBench.Common;

namespace SelectBench.Reporting;

/// <summary>
/// Builds one self-contained HTML file: inline CSS, one small inline script (table sorting and the column toggle),
/// images embedded as base64 data URIs and no external requests, so the report opens anywhere, offline, and can be
/// mailed as one file. Sections get ids so tests (and readers) can find them. Every table sits in a box of its own
/// that scrolls sideways when the table is wider than the section, so nothing overflows the page (docs/report.md).
/// </summary>
public sealed class HtmlReport
{
    private readonly string _title;
    private readonly StringBuilder _body = new();
    private readonly List<(string Id, string Title)> _toc = [];
    private bool _scripted;

    public HtmlReport(string title) => _title = title;

    public HtmlReport Section(string id, string title, string? intro = null)
    {
        if (_toc.Count > 0) _body.Append("</section>\n");
        _toc.Add((id, title));
        _body.Append($"<section id=\"{Attr(id)}\"><h2>{Text(title)}</h2>\n");
        if (intro != null) Paragraph(intro);
        return this;
    }

    public HtmlReport Paragraph(string text)
    {
        _body.Append($"<p>{Text(text)}</p>\n");
        return this;
    }

    /// <summary>A short remark in a muted box, e.g. why a part of the report is empty.</summary>
    public HtmlReport Note(string text)
    {
        _body.Append($"<p class=\"note\">{Text(text)}</p>\n");
        return this;
    }

    /// <summary>A heading inside the current section.</summary>
    public HtmlReport Subheading(string text)
    {
        _body.Append($"<h3>{Text(text)}</h3>\n");
        return this;
    }

    /// <summary>A PNG image, embedded inline.</summary>
    public HtmlReport Image(byte[] png, string alt, string? caption = null, string? cssClass = null)
    {
        var cls = cssClass == null ? "" : $" class=\"{Attr(cssClass)}\"";
        _body.Append($"<figure{cls}><img alt=\"{Attr(alt)}\" src=\"data:image/png;base64,{Convert.ToBase64String(png)}\"/>");
        if (caption != null) _body.Append($"<figcaption>{Text(caption)}</figcaption>");
        _body.Append("</figure>\n");
        return this;
    }

    /// <summary>
    /// A chart: its PNG with a transparent SVG layer on top that holds one shape per drawn value, each with a
    /// <c>&lt;title&gt;</c>, so hovering a bar, point or cell shows its value. The layer's viewBox is the PNG's pixel
    /// grid, so it scales with the image.
    /// </summary>
    public HtmlReport Chart(ChartImage chart, string alt, string? caption = null)
    {
        _body.Append($"<figure class=\"chart\"><div class=\"plot\"><img alt=\"{Attr(alt)}\" width=\"{chart.Width}\" height=\"{chart.Height}\" " +
                     $"src=\"data:image/png;base64,{Convert.ToBase64String(chart.Png)}\"/>");
        if (chart.Spots.Count > 0)
        {
            _body.Append(CultureInfo.InvariantCulture,
                $"<svg class=\"hover\" viewBox=\"0 0 {chart.Width} {chart.Height}\" preserveAspectRatio=\"none\" aria-hidden=\"true\">");
            foreach (var spot in chart.Spots) _body.Append(Shape(spot));
            _body.Append("</svg>");
        }
        _body.Append("</div>");
        if (caption != null) _body.Append($"<figcaption>{Text(caption)}</figcaption>");
        _body.Append("</figure>\n");
        return this;
    }

    private static string Shape(HoverSpot s)
    {
        string title = $"<title>{Text(s.Text)}</title>";
        return s.Radius is { } r
            ? string.Create(CultureInfo.InvariantCulture, $"<circle cx=\"{s.X:0.#}\" cy=\"{s.Y:0.#}\" r=\"{r:0.#}\">{title}</circle>")
            : string.Create(CultureInfo.InvariantCulture, $"<rect x=\"{s.X:0.#}\" y=\"{s.Y:0.#}\" width=\"{Math.Max(1, s.Width):0.#}\" height=\"{Math.Max(1, s.Height):0.#}\">{title}</rect>");
    }

    /// <param name="textual">Left-aligns every column and wraps long cells (for tables of sentences, not numbers).</param>
    /// <param name="compact">Smaller type, and cells and headers wrap at spaces and underscores, so a wide table fits the page.</param>
    public HtmlReport Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows, string? id = null,
        bool textual = false, bool compact = false)
    {
        var idAttr = id == null ? "" : $" id=\"{Attr(id)}\"";
        var classes = new[] { textual ? "text" : null, compact ? "compact" : null }.OfType<string>().ToArray();
        var classAttr = classes.Length == 0 ? "" : $" class=\"{string.Join(' ', classes)}\"";
        _body.Append($"<div class=\"table-box\"><table{idAttr}{classAttr}><thead><tr>");
        foreach (var h in header) _body.Append($"<th>{(compact ? Breakable(h) : Text(h))}</th>");
        _body.Append("</tr></thead><tbody>\n");
        foreach (var row in rows)
        {
            _body.Append("<tr>");
            foreach (var c in row) _body.Append($"<td>{Text(c)}</td>");
            _body.Append("</tr>\n");
        }
        _body.Append("</tbody></table></div>\n");
        return this;
    }

    /// <summary>
    /// A table the reader can sort by clicking a header (numerically on <see cref="SortableCell.SortKey"/> where a cell has
    /// one; empty cells always last), whose columns not marked <see cref="SortableColumn.Key"/> stay hidden until the
    /// "all columns" toggle above it is pressed. Key columns come first, in the given order.
    /// </summary>
    public HtmlReport SortableTable(IReadOnlyList<SortableColumn> columns, IEnumerable<IReadOnlyList<SortableCell>> rows, string id)
    {
        var order = Enumerable.Range(0, columns.Count).OrderBy(i => columns[i].Key ? 0 : 1).ToArray();
        int hidden = columns.Count(c => !c.Key);
        if (hidden > 0)
            _body.Append($"<p class=\"toolbar\"><button type=\"button\" class=\"column-toggle\" data-table=\"{Attr(id)}\" aria-pressed=\"false\" " +
                         $"data-more=\"Show all {columns.Count} columns\" data-less=\"Show the {columns.Count - hidden} key columns only\">" +
                         $"Show all {columns.Count} columns</button> <span class=\"hint\">Click a column header to sort by it.</span></p>\n");
        _body.Append($"<div class=\"table-box\"><table id=\"{Attr(id)}\" class=\"compact sortable collapsed\"><thead><tr>");
        foreach (var i in order)
        {
            var c = columns[i];
            var cls = new[] { c.Key ? null : "extra", c.Numeric ? null : "label" }.OfType<string>().ToArray();
            var classAttr = cls.Length == 0 ? "" : $" class=\"{string.Join(' ', cls)}\"";
            var title = c.Tooltip == null ? "" : $" title=\"{Attr(c.Tooltip)}\"";
            var first = c.DescendingFirst ? " data-first=\"desc\"" : "";
            _body.Append($"<th{classAttr}{title}{first} aria-sort=\"none\" tabindex=\"0\">{Breakable(c.Header)}</th>");
        }
        _body.Append("</tr></thead><tbody>\n");
        foreach (var row in rows)
        {
            _body.Append("<tr>");
            foreach (var i in order)
            {
                var cell = row[i];
                var cls = new[] { columns[i].Key ? null : "extra", columns[i].Numeric ? null : "label" }.OfType<string>().ToArray();
                var classAttr = cls.Length == 0 ? "" : $" class=\"{string.Join(' ', cls)}\"";
                var sort = cell.SortKey is { } k && double.IsFinite(k) ? $" data-sort=\"{k.ToString("R", CultureInfo.InvariantCulture)}\"" : "";
                var title = cell.Tooltip == null ? "" : $" title=\"{Attr(cell.Tooltip)}\"";
                var interval = cell.Interval == null ? "" : $"<span class=\"ci\">{Text(cell.Interval)}</span>";
                _body.Append($"<td{classAttr}{sort}{title}>{Text(cell.Text)}{interval}</td>");
            }
            _body.Append("</tr>\n");
        }
        _body.Append("</tbody></table></div>\n");
        _scripted = true;
        return this;
    }

    /// <summary>Escaped text that may wrap after an underscore (long snake_case metric names in narrow headers).</summary>
    private static string Breakable(string s) => Text(s).Replace("_", "_<wbr>");

    public HtmlReport Preformatted(string text)
    {
        _body.Append($"<pre>{Text(text)}</pre>\n");
        return this;
    }

    public string Render()
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>");
        sb.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>");
        sb.Append($"<title>{Text(_title)}</title><style>{Css}</style></head><body>\n");
        sb.Append($"<header><h1>{Text(_title)}</h1><nav>");
        foreach (var (id, title) in _toc) sb.Append($"<a href=\"#{Attr(id)}\">{Text(title)}</a> ");
        sb.Append("</nav></header>\n<main>\n");
        sb.Append(_body);
        if (_toc.Count > 0) sb.Append("</section>\n");
        sb.Append("</main>");
        // The script only when a table needs it, so a report without sortable tables stays script-free.
        if (_scripted) sb.Append($"<script>{Script}</script>");
        sb.Append("</body></html>\n");
        return sb.ToString();
    }

    public void Save(string path) => AtomicFile.WriteAllText(path, Render());

    private static string Text(string s) => WebUtility.HtmlEncode(s);
    private static string Attr(string s) => WebUtility.HtmlEncode(s);

    private const string Css =
        "body{font-family:system-ui,-apple-system,'DejaVu Sans',sans-serif;margin:0;color:#1d2330;background:#f7f8fa}" +
        "header{background:#1d2330;color:#fff;padding:14px 28px}header h1{margin:0 0 6px;font-size:22px}" +
        "nav a{color:#9cc3ff;margin-right:12px;font-size:13px;text-decoration:none}" +
        "main{max-width:1180px;margin:0 auto;padding:8px 28px 40px}" +
        "section{background:#fff;border-radius:8px;padding:12px 20px;margin:18px 0;box-shadow:0 1px 3px rgba(0,0,0,.08)}" +
        "h2{font-size:18px;border-bottom:1px solid #e4e7ec;padding-bottom:6px}" +
        "section{min-width:0;overflow-wrap:break-word}" +
        ".table-box{max-width:100%;overflow-x:auto;margin:8px 0}" +
        "table{border-collapse:collapse;font-size:13px}" +
        "th,td{border:1px solid #e4e7ec;padding:4px 8px;text-align:right;white-space:nowrap}" +
        "th{background:#f0f2f5}table:not(.sortable) td:nth-child(-n+3),table:not(.sortable) th:nth-child(-n+3){text-align:left}" +
        ".text td,.text th{text-align:left;white-space:normal}" +
        ".compact{font-size:12px}.compact td,.compact th{white-space:normal;padding:3px 5px}" +
        "figure{display:inline-block;margin:8px 12px 8px 0;vertical-align:top;max-width:100%}figure img{max-width:100%;height:auto;border:1px solid #e4e7ec}" +
        ".plot{position:relative;display:inline-block;max-width:100%;line-height:0}.plot img{display:block}" +
        ".hover{position:absolute;left:0;top:0;width:100%;height:100%}" +
        ".hover rect,.hover circle{fill:transparent;stroke:none}.hover rect:hover,.hover circle:hover{fill:rgba(29,35,48,.18);stroke:#1d2330;stroke-width:1.5}" +
        ".sortable th{cursor:pointer;user-select:none}.sortable th:hover{background:#e2e7ef}" +
        ".sortable th[aria-sort=ascending]::after{content:' \\25B2'}.sortable th[aria-sort=descending]::after{content:' \\25BC'}" +
        ".sortable td.label,.sortable th.label{text-align:left}.sortable td:not(.label),.sortable th:not(.label){text-align:right}" +
        // Cells never wrap (an interval or a shift name split over lines is hard to read); headers wrap at underscores.
        ".sortable td{white-space:nowrap}.sortable .ci{display:block;font-size:11px;color:#667085}" +
        ".sortable.collapsed .extra{display:none}" +
        ".toolbar{font-size:13px;margin:6px 0}.toolbar button{font:inherit;padding:3px 10px;border:1px solid #c5ccd8;border-radius:4px;background:#f0f2f5;cursor:pointer}" +
        ".hint{color:#667085}" +
        "figcaption{font-size:12px;color:#555;margin-top:4px}pre{background:#f0f2f5;padding:8px;font-size:12px;overflow-x:auto}" +
        "h3{font-size:15px;margin:14px 0 4px}.note{background:#fff8e1;border-left:3px solid #f0b400;padding:6px 10px;font-size:13px;color:#5a4a00}";

    /// <summary>
    /// Sorting and the column toggle, plain DOM code with no library. A click on a header sorts the rows by that
    /// column: numerically on each cell's data-sort value when the column has them (so "1,235" sorts after "980"),
    /// otherwise by text; cells without a value stay last in both directions. The first click sorts best-first for
    /// columns marked data-first="desc", ascending otherwise; the next click reverses.
    /// </summary>
    private const string Script = """
        (function () {
          function sortBy(th) {
            var table = th.closest('table'), body = table.tBodies[0];
            var index = Array.prototype.indexOf.call(th.parentNode.children, th);
            var current = th.getAttribute('aria-sort');
            var dir = current === 'none' ? (th.getAttribute('data-first') === 'desc' ? -1 : 1) : (current === 'ascending' ? -1 : 1);
            var rows = Array.prototype.slice.call(body.rows);
            var numeric = rows.some(function (r) { return r.cells[index].hasAttribute('data-sort'); });
            rows.sort(function (a, b) {
              var x = a.cells[index], y = b.cells[index];
              if (numeric) {
                var hx = x.hasAttribute('data-sort'), hy = y.hasAttribute('data-sort');
                if (hx !== hy) return hx ? -1 : 1;
                if (!hx) return 0;
                return dir * (parseFloat(x.getAttribute('data-sort')) - parseFloat(y.getAttribute('data-sort')));
              }
              return dir * x.textContent.localeCompare(y.textContent);
            });
            rows.forEach(function (r) { body.appendChild(r); });
            Array.prototype.forEach.call(th.parentNode.children, function (h) { h.setAttribute('aria-sort', 'none'); });
            th.setAttribute('aria-sort', dir > 0 ? 'ascending' : 'descending');
          }
          document.querySelectorAll('table.sortable th').forEach(function (th) {
            th.addEventListener('click', function () { sortBy(th); });
            th.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sortBy(th); } });
          });
          document.querySelectorAll('button.column-toggle').forEach(function (button) {
            button.addEventListener('click', function () {
              var table = document.getElementById(button.getAttribute('data-table'));
              var collapsed = table.classList.toggle('collapsed');
              button.setAttribute('aria-pressed', collapsed ? 'false' : 'true');
              button.textContent = button.getAttribute(collapsed ? 'data-more' : 'data-less');
            });
          });
        })();
        """;
}

/// <summary>A column of <see cref="HtmlReport.SortableTable"/>.</summary>
/// <param name="Key">Shown from the start; other columns wait behind the "all columns" toggle.</param>
/// <param name="Numeric">Right-aligned; sorts on the cells' <see cref="SortableCell.SortKey"/>.</param>
/// <param name="Tooltip">Shown on hovering the header (what the column means, which direction is better).</param>
/// <param name="DescendingFirst">The first click sorts largest first (for columns where higher is better).</param>
public sealed record SortableColumn(string Header, bool Key = false, bool Numeric = true, string? Tooltip = null, bool DescendingFirst = false);

/// <summary>A cell of <see cref="HtmlReport.SortableTable"/>: what it shows, the number it sorts by (null: sorts last),
/// and an optional interval shown in small type under the value.</summary>
public sealed record SortableCell(string Text, double? SortKey = null, string? Interval = null, string? Tooltip = null)
{
    public static SortableCell Label(string text) => new(text);
}

/// <summary>A chart as drawn: the PNG, its size in pixels, and the spots that show a value on hover.</summary>
public sealed record ChartImage(byte[] Png, int Width, int Height, IReadOnlyList<HoverSpot> Spots)
{
    public static implicit operator byte[](ChartImage chart) => chart.Png;
}

/// <summary>A hover target on a chart in PNG pixels: a rectangle (X, Y top-left, Width, Height) or, when
/// <see cref="Radius"/> is set, a circle centred at (X, Y).</summary>
public sealed record HoverSpot(string Text, double X, double Y, double Width = 0, double Height = 0, double? Radius = null)
{
    public static HoverSpot Point(string text, double x, double y, double radius = 6) => new(text, x, y, Radius: radius);
    public static HoverSpot Box(string text, double left, double top, double right, double bottom) =>
        new(text, Math.Min(left, right), Math.Min(top, bottom), Math.Abs(right - left), Math.Abs(bottom - top));
}
