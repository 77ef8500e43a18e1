using SelectBench.Common;
using SelectBench.Data;

namespace SelectBench.Curation.PostSteps;

/// <summary>
/// A config's <c>post_steps</c> section: the settings of every registered post-step in one flat mapping
/// (each step's settings record names its own keys).
/// </summary>
/// <param name="LeakageThreshold">Remove images whose max cosine to any image of <paramref name="LeakageEvalSets"/> is at least this; null = off.</param>
/// <param name="LeakageEvalSets">Names of the eval sets checked for leakage.</param>
/// <param name="NearDuplicateThreshold">Remove images with cosine at least this to an earlier kept image; null = off.</param>
/// <param name="DuplicateNeighbours">Neighbours per image examined by near-duplicate removal.</param>
/// <param name="ClassCap">Keep at most this many images per class; null = off.</param>
/// <param name="Balance">Cap every class at the smallest present class's count.</param>
/// <param name="SemdedupShare">Share of the shift SemDeDup removes; null = off.</param>
/// <param name="SemdedupClusters">SemDeDup's k-means clusters.</param>
/// <param name="LabelCleaning">Remove the label issues confident learning finds.</param>
/// <param name="LabelCleaningNeighbours">k of label cleaning's leave-one-out kNN probabilities.</param>
public sealed record PostStepSettings(
    double? LeakageThreshold = null,
    string[]? LeakageEvalSets = null,
    double? NearDuplicateThreshold = null,
    int DuplicateNeighbours = 32,
    int? ClassCap = null,
    bool Balance = false,
    double? SemdedupShare = null,
    int SemdedupClusters = 50,
    bool LabelCleaning = false,
    int LabelCleaningNeighbours = 10) : ISettings
{
    /// <summary>
    /// Each post-step's name and settings, in the fixed order they run: leakage first (an image leaked into an
    /// eval set goes whatever else holds), then near-duplicates, then semantic deduplication, then label cleaning
    /// (on what deduplication left), then the class cap, then balancing.
    /// </summary>
    public IReadOnlyList<(string Step, ISettings Settings)> Steps() =>
    [
        ("leakage", new LeakageSettings(LeakageThreshold, LeakageEvalSets)),
        ("near-duplicates", new NearDuplicateSettings(NearDuplicateThreshold, DuplicateNeighbours)),
        ("semdedup", new SemDeDupSettings(SemdedupShare, SemdedupClusters)),
        ("label-cleaning", new LabelCleaningSettings(LabelCleaning, LabelCleaningNeighbours)),
        ("class-cap", new ClassCapSettings(ClassCap)),
        ("balance", new BalanceSettings(Balance)),
    ];

    public void Validate(string where)
    {
        foreach (var (_, settings) in Steps()) settings.Validate(where);
    }
}

/// <summary>
/// Applies the post-steps in the order of <see cref="PostStepSettings.Steps"/>, each recording how many images it
/// removed. Removed samples' costs move to the shift's overhead: they were paid for but are not in the shift.
/// </summary>
public static class PostStepPipeline
{
    public static Shift Apply(Shift shift, PostStepSettings settings, CurationContext context)
    {
        const string where = "post_steps";
        settings.Validate(where);
        var removed = shift.Report.Removed.ToList();
        var current = shift;
        foreach (var (name, stepSettings) in settings.Steps())
        {
            var step = ShiftPostSteps.Registry.Create(name, stepSettings, where);
            if (step.Run(current, context) is { } outcome)
                current = Keep(current, outcome.Keep, outcome.Step, removed);
        }
        return current with { Report = current.Report with { Removed = removed } };
    }

    private static Shift Keep(Shift shift, int[] keep, string step, List<RemovedCount> removed)
    {
        int dropped = shift.Images.Count - keep.Length;
        removed.Add(new RemovedCount(step, dropped));
        if (dropped == 0) return shift;
        var keptSet = new HashSet<int>(keep);
        double lost = 0;
        for (int i = 0; i < shift.Images.Count; i++) if (!keptSet.Contains(i)) lost += shift.Provenance[i].Cost;
        ImageSet images = shift.Images.Select(keep);
        return shift with
        {
            Images = images,
            OverheadCost = shift.OverheadCost + lost,
            Report = shift.Report with { ClassCounts = images.ClassCounts() },
        };
    }
}
