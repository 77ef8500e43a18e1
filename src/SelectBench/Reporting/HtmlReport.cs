using System.Net;
using System.Text;
using SelectBench.Common;

namespace SelectBench.Reporting;

/// <summary>
/// Builds one self-contained HTML file: inline CSS, images embedded as base64 data URIs, no scripts or
/// external requests, so the report opens anywhere and can be mailed as one file. Sections get ids so
/// tests (and readers) can find them.
/// </summary>
public sealed class HtmlReport
{
    private readonly string _title;
    private readonly StringBuilder _body = new();
    private readonly List<(string Id, string Title)> _toc = [];

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

    /// <param name="textual">Left-aligns every column and wraps long cells (for tables of sentences, not numbers).</param>
    /// <param name="compact">Smaller type, and cells and headers wrap at spaces and underscores, so a wide table fits the page.</param>
    public HtmlReport Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows, string? id = null,
        bool textual = false, bool compact = false)
    {
        var idAttr = id == null ? "" : $" id=\"{Attr(id)}\"";
        var classes = new[] { textual ? "text" : null, compact ? "compact" : null }.OfType<string>().ToArray();
        var classAttr = classes.Length == 0 ? "" : $" class=\"{string.Join(' ', classes)}\"";
        _body.Append($"<table{idAttr}{classAttr}><thead><tr>");
        foreach (var h in header) _body.Append($"<th>{(compact ? Text(h).Replace("_", "_<wbr>") : Text(h))}</th>");
        _body.Append("</tr></thead><tbody>\n");
        foreach (var row in rows)
        {
            _body.Append("<tr>");
            foreach (var c in row) _body.Append($"<td>{Text(c)}</td>");
            _body.Append("</tr>\n");
        }
        _body.Append("</tbody></table>\n");
        return this;
    }

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
        sb.Append("</main></body></html>\n");
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
        "table{border-collapse:collapse;font-size:13px;margin:8px 0;overflow-x:auto;display:block}" +
        "th,td{border:1px solid #e4e7ec;padding:4px 8px;text-align:right;white-space:nowrap}" +
        "th{background:#f0f2f5}td:nth-child(-n+3),th:nth-child(-n+3){text-align:left}" +
        ".text td,.text th{text-align:left;white-space:normal}" +
        ".compact{font-size:12px}.compact td,.compact th{white-space:normal;padding:3px 5px}" +
        "figure{display:inline-block;margin:8px 12px 8px 0;vertical-align:top}figure img{max-width:100%;border:1px solid #e4e7ec}" +
        "figcaption{font-size:12px;color:#555;margin-top:4px}pre{background:#f0f2f5;padding:8px;font-size:12px;overflow-x:auto}" +
        "h3{font-size:15px;margin:14px 0 4px}.note{background:#fff8e1;border-left:3px solid #f0b400;padding:6px 10px;font-size:13px;color:#5a4a00}";
}
