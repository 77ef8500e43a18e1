using SelectBench.Data;

namespace SelectBench.Curation;

/// <summary>Builds the <see cref="Shift"/> record and its report from a strategy's selection (a strategy outside this assembly uses it too).</summary>
public static class ShiftAssembly
{
    public static Shift Create(string strategy, CurationContext context, ImageSet images, SampleProvenance[] provenance,
                               double overheadCost, List<string> notes, List<string> warnings,
                               IReadOnlyDictionary<string, double>? workerAccuracies = null)
    {
        var set = images.WithProvenance(provenance);
        var counts = set.ClassCounts();
        if (set.Count < context.TargetSize)
            warnings.Add($"the shift has {set.Count} images, fewer than the target {context.TargetSize}.");
        var report = new CurationReport(counts, context.TargetSize, [], notes, warnings, workerAccuracies);
        return new Shift(strategy, strategy, set, overheadCost, report);
    }

    /// <summary>The pool sample's hidden ground truth, if its provenance carries one.</summary>
    public static int TrueLabelOf(ImageSet set, int index) =>
        set.Provenance?[index].TrueLabel ?? SampleProvenance.UnknownLabel;
}
