using System.Globalization;
using SelectBench.Curation;
using SelectBench.Data;

namespace SelectBench.Reporting;

/// <summary>The labelled sample grid of a shift: rows are classes; captions mark distractors and wrong labels where the truth is known.</summary>
public static class ShiftGrid
{
    public static void Write(Shift shift, double noiseRate, string path, int perClass = 8, int seed = 0)
    {
        var set = shift.Images;
        var labels = set.LabelSet;
        var prov = shift.Provenance;
        string? Caption(int i) => prov[i].TrueLabel switch
        {
            SampleProvenance.NotAClass => "distractor",
            var t when t >= 0 && t != set.Labels[i] && t < labels.Count => $"is {labels.Names[t]}",
            _ => null,
        };
        var rows = SampleGrid.ByClass(set, perClass, seed, Caption);
        SampleGrid.Write(path, rows, new SampleGridOptions(
            Title: $"{shift.Name}: {set.Count:N0} images, noise {Percent(noiseRate)}", FontSize: 11));
    }

    public static string Percent(double rate) =>
        double.IsNaN(rate) ? "n/a" : (100 * rate).ToString("F1", CultureInfo.InvariantCulture) + "%";
}
