using SelectBench.Data;
using SelectBench.Analysis;
using SelectBench.Embedding;

namespace SelectBench.Curation;

/// <summary>
/// One candidate training set (docs/architecture.md#vocabulary): images with labels, per-sample provenance and cost,
/// and the report of how it was built.
/// </summary>
/// <param name="Name">The shift's name in the run, e.g. "embedding-search-n2000".</param>
/// <param name="Strategy">The registered strategy name that built it.</param>
/// <param name="Images">The images; <c>Images.Provenance</c> is always set, one record per sample.</param>
/// <param name="OverheadCost">Costs paid but not attributable to a kept sample (embedding a pool, searches,
/// votes on dropped images, samples removed by post-steps).</param>
/// <param name="Report">Counts, removals, notes and warnings.</param>
public sealed record Shift(string Name, string Strategy, ImageSet Images, double OverheadCost, CurationReport Report)
{
    public SampleProvenance[] Provenance => Images.Provenance
        ?? throw new InvalidOperationException($"shift '{Name}' has no provenance; every strategy must set it.");

    /// <summary>The ground-truth audit of this shift (<see cref="ShiftAudit.Compute"/>); near-duplicates are counted when embeddings are given.</summary>
    public ShiftAuditResult Audit(Embeddings? embeddings = null, double duplicateThreshold = NearDuplicates.DefaultThreshold) =>
        ShiftAudit.Compute(Images.Labels, Provenance, Images.LabelSet.Count, embeddings, duplicateThreshold);

    /// <summary>Sum of per-sample costs.</summary>
    public double SampleCost => Provenance.Sum(p => p.Cost);

    /// <summary>Everything this shift cost: kept samples plus overhead.</summary>
    public double TotalCost => SampleCost + OverheadCost;
}

/// <summary>How many images one step removed.</summary>
public sealed record RemovedCount(string Step, int Count);

/// <summary>What a strategy and its post-steps did, for people and for the report.</summary>
/// <param name="ClassCounts">Images per class of the label set, after post-steps.</param>
/// <param name="TargetSize">The size asked for (N).</param>
/// <param name="Removed">Images removed per post-step, in order.</param>
/// <param name="WorkerAccuracies">Estimated accuracy per crowd worker (crowd strategies only).</param>
public sealed record CurationReport(
    int[] ClassCounts,
    int TargetSize,
    IReadOnlyList<RemovedCount> Removed,
    IReadOnlyList<string> Notes,
    IReadOnlyList<string> Warnings,
    IReadOnlyDictionary<string, double>? WorkerAccuracies = null)
{
    public int Images => ClassCounts.Sum();
    public int ClassesPresent => ClassCounts.Count(c => c > 0);
}
