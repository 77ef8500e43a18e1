using System.Globalization;
using System.Text;
using SelectBench.Common;

namespace SelectBench.Analysis;

/// <summary>
/// Writes the per-class table as CSV (RFC 4180 quoting, invariant culture, NaN as an empty cell), one row
/// per class. Most-confused classes go into one cell as "name:score;name:score".
/// </summary>
public static class PerClassTableCsvWriter
{
    public const string Header = "class,name,count,frequency,eval_images,accuracy,precision,recall,balanced_accuracy,nonzero_confusion_columns,most_confused,confusion_skewness";

    public static string Format(IReadOnlyList<PerClassRow> rows)
    {
        var sb = new StringBuilder().Append(Header).Append('\n');
        foreach (var r in rows)
        {
            string confused = string.Join(';', r.MostConfused.Select(c => $"{c.Name}:{Number(c.Score)}"));
            sb.AppendJoin(',',
                r.Class.ToString(CultureInfo.InvariantCulture), Quote(r.Name), r.Count.ToString(CultureInfo.InvariantCulture),
                Number(r.Frequency), r.EvalImages.ToString(CultureInfo.InvariantCulture), Number(r.Accuracy), Number(r.Precision),
                Number(r.Recall), Number(r.BalancedAccuracy), r.NonzeroConfusionColumns.ToString(CultureInfo.InvariantCulture),
                Quote(confused), Number(r.ConfusionSkewness)).Append('\n');
        }
        return sb.ToString();
    }

    public static void Write(string path, IReadOnlyList<PerClassRow> rows) => AtomicFile.WriteAllText(path, Format(rows));

    static string Number(double v) => double.IsFinite(v) ? v.ToString("R", CultureInfo.InvariantCulture) : "";

    static string Quote(string s) =>
        s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
}
