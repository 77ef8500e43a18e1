using SelectBench.Common;
using SelectBench.Curation.Crowd;
using SelectBench.Data;

namespace SelectBench.Curation.Strategies;

/// <param name="Crowd">Name of the crowd annotations in the context.</param>
/// <param name="Aggregation">"dawid-skene" or "majority".</param>
/// <param name="TieBreak">Majority ties: "random" (seeded) or "drop".</param>
/// <param name="MaxIterations">Dawid-Skene EM iterations at most.</param>
/// <param name="Tolerance">Dawid-Skene convergence tolerance (max change of any parameter).</param>
/// <param name="Smoothing">Dawid-Skene pseudo-count per confusion cell and prior.</param>
/// <param name="MaxImages">Images kept at most; null = the target size N. The kept images are a seeded
/// uniform sample of the labelled ones, so the source's class distribution (long tail) is preserved.</param>
public sealed record CrowdSchemaSettings(
    string Crowd = "crowd",
    string Aggregation = "dawid-skene",
    string TieBreak = "random",
    int MaxIterations = 200,
    double Tolerance = 1e-3,
    double Smoothing = 0.01,
    int? MaxImages = null) : ISettings
{
    public void Validate(string where)
    {
        SettingRules.NotEmpty(where, "crowd", Crowd);
        SettingRules.OneOf(where, "aggregation", Aggregation, "dawid-skene", "majority");
        SettingRules.OneOf(where, "tie_break", TieBreak, "random", "drop");
        SettingRules.Positive(where, "max_iterations", MaxIterations);
        SettingRules.Positive(where, "tolerance", Tolerance);
        SettingRules.NonNegative(where, "smoothing", Smoothing);
        if (MaxImages is { } m) SettingRules.Positive(where, "max_images", m);
    }
}

/// <summary>
/// The OI1000 analogue: crowd votes given in another taxonomy are mapped into the label set by a
/// schema-mapping table, then aggregated per image. Mapping happens FIRST: each vote becomes a target
/// class or "unmapped" (source labels with no row, a "none" row, or conflicting rows), and the
/// aggregator works over K+1 classes. An image whose aggregated class is "unmapped" is dropped. This lets
/// Dawid-Skene learn how often each worker uses unmappable names, and keeps per-worker matrices small
/// and comparable with the label set. The paper does not state OpenImages' mapping rules.
/// </summary>
[Registered("crowd-schema", Settings = typeof(CrowdSchemaSettings),
    Description = "OI1000 analogue: crowd votes mapped into the label set, then aggregated (Dawid-Skene or majority)")]
public sealed class CrowdSchema(CrowdSchemaSettings settings) : IShiftStrategy
{
    public string Name => "crowd-schema";
    public CrowdSchemaSettings Settings { get; } = settings;

    public Shift Build(CurationContext context)
    {
        var s = Settings;
        var crowd = context.RequireCrowd(s.Crowd);
        var mapping = SchemaMapping.Resolve(crowd.SourceTaxonomy, crowd.Mapping, context.Labels);
        int k = context.Labels.Count;
        var (table, itemImage, votesOfItem, workers) = BuildVoteTable(crowd, mapping, k);

        context.Progress("crowd-schema: aggregate", 0, 1);
        var aggregated = s.Aggregation == "majority"
            ? MajorityVote.Aggregate(table, s.TieBreak == "drop", context.RandomFor("crowd-schema/ties"))
            : DawidSkeneAggregator.Aggregate(table, new DawidSkeneOptions(s.MaxIterations, s.Tolerance, s.Smoothing));
        context.Progress("crowd-schema: aggregate", 1, 1);

        var labelled = Enumerable.Range(0, table.ItemCount).Where(i => aggregated.Labels[i] >= 0 && aggregated.Labels[i] < k).ToList();
        int droppedUnmapped = aggregated.Labels.Count(l => l == k);
        int droppedUndecided = aggregated.Labels.Count(l => l < 0);
        int cap = s.MaxImages ?? context.TargetSize;
        var kept = labelled.ToList();
        if (kept.Count > cap)
        {
            SeededRandom.Shuffle(context.RandomFor("crowd-schema/subsample"), kept);
            kept = kept.Take(cap).OrderBy(i => i).ToList();
        }

        var source = crowd.Images.Select(kept.Select(i => itemImage[i]).ToList());
        var images = source.WithLabels(kept.Select(i => aggregated.Labels[i]).ToArray(), context.Labels, source.Ids);
        var provenance = new SampleProvenance[kept.Count];
        for (int n = 0; n < kept.Count; n++)
        {
            int i = kept[n];
            var votes = votesOfItem[i];
            provenance[n] = new SampleProvenance(
                Source: $"crowd:{s.Crowd}", SourceId: crowd.Images.Ids[itemImage[i]],
                Votes: string.Join(';', votes.Select(v => $"{v.WorkerId}:{v.SourceLabel}")),
                TrueLabel: ShiftAssembly.TrueLabelOf(crowd.Images, itemImage[i]),
                Cost: votes.Count * context.Costs.CrowdVote,
                Simulated: crowd.Simulated,
                Note: crowd.Simulated ? $"labels from a SIMULATED crowd, aggregated by {aggregated.Method}" : $"aggregated by {aggregated.Method}");
        }
        double keptVotes = kept.Sum(i => votesOfItem[i].Count);
        double overhead = (table.VoteCount - keptVotes) * context.Costs.CrowdVote;

        var notes = new List<string>
        {
            $"{crowd.Description}: {table.VoteCount} votes by {workers.Count} workers on {table.ItemCount} images{(crowd.Simulated ? " (SIMULATED crowd)" : "")}.",
            $"aggregation {aggregated.Method}: {aggregated.Details}.",
            $"{droppedUnmapped} images aggregated to an unmapped source label and {droppedUndecided} without a decision were dropped; {labelled.Count} labelled, {kept.Count} kept (cap {cap}).",
        };
        var warnings = new List<string>();
        if (mapping.Ambiguous.Count > 0)
            warnings.Add($"ambiguous source labels (conflicting mapping rows), dropped: {string.Join(", ", mapping.Ambiguous)}.");
        if (mapping.WithoutRow.Count > 0)
            warnings.Add($"source labels without a mapping row, treated as unmapped: {string.Join(", ", mapping.WithoutRow)}.");
        if (mapping.MappedToNone.Count > 0)
            notes.Add($"source labels mapped to none: {string.Join(", ", mapping.MappedToNone)}.");
        var accuracies = new Dictionary<string, double>(StringComparer.Ordinal);
        for (int w = 0; w < workers.Count; w++) accuracies[workers[w]] = aggregated.WorkerAccuracy[w];
        return ShiftAssembly.Create(Name, context, images, provenance, overhead, notes, warnings, accuracies);
    }

    /// <summary>Maps each vote's source label to a target class (or K = unmapped) and indexes images and workers.</summary>
    internal static (VoteTable Table, int[] ItemImage, List<CrowdVote>[] VotesOfItem, List<string> Workers) BuildVoteTable(
        CrowdAnnotations crowd, SchemaMapping mapping, int classCount)
    {
        var imageIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < crowd.Images.Count; i++) imageIndex.TryAdd(crowd.Images.Ids[i], i);
        var sourceIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int t = 0; t < crowd.SourceTaxonomy.Count; t++) sourceIndex.TryAdd(crowd.SourceTaxonomy[t], t);

        var itemOfImage = new Dictionary<int, int>();
        var itemImage = new List<int>();
        var workerIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var workers = new List<string>();
        var votesOfItem = new List<List<CrowdVote>>();
        var item = new int[crowd.Votes.Count];
        var worker = new int[crowd.Votes.Count];
        var label = new int[crowd.Votes.Count];
        for (int v = 0; v < crowd.Votes.Count; v++)
        {
            var vote = crowd.Votes[v];
            string where = $"vote {v + 1} (image '{vote.ImageId}', worker '{vote.WorkerId}', label '{vote.SourceLabel}')";
            if (!imageIndex.TryGetValue(vote.ImageId, out int image))
                throw new BadInputException(where, "names an image that is not in the crowd's image set.");
            if (!sourceIndex.TryGetValue(vote.SourceLabel, out int src))
                throw new BadInputException(where, $"label '{vote.SourceLabel}' is not in the source taxonomy.");
            if (!itemOfImage.TryGetValue(image, out int it))
            {
                it = itemImage.Count;
                itemOfImage[image] = it;
                itemImage.Add(image);
                votesOfItem.Add([]);
            }
            if (!workerIndex.TryGetValue(vote.WorkerId, out int wk))
            {
                wk = workers.Count;
                workerIndex[vote.WorkerId] = wk;
                workers.Add(vote.WorkerId);
            }
            int target = mapping.TargetOf[src];
            item[v] = it;
            worker[v] = wk;
            label[v] = target == SchemaMapping.Unmapped ? classCount : target;
            votesOfItem[it].Add(vote);
        }
        var table = new VoteTable(itemImage.Count, workers.Count, classCount + 1, item, worker, label);
        return (table, itemImage.ToArray(), votesOfItem.ToArray(), workers);
    }
}
