namespace SelectBench.Reporting;

/// <summary>
/// Leaderboard metrics that share a unit, drawn side by side in one panel: the named metrics in order,
/// then every metric named <c>{Prefix}*{Suffix}</c> (per-set and per-task values such as
/// <c>natural_hard_top1</c>), alphabetically.
/// </summary>
public sealed record MetricPanel(string Unit, IReadOnlyList<string> Metrics, string? Prefix = null, string? Suffix = null)
{
    /// <summary>The panel's metrics that occur in <paramref name="present"/>: pattern matches first, then the named ones.</summary>
    public IReadOnlyList<string> Resolve(IReadOnlyCollection<string> present)
    {
        var matched = Prefix == null ? [] : present
            .Where(m => m.StartsWith(Prefix, StringComparison.Ordinal) && m.EndsWith(Suffix ?? "", StringComparison.Ordinal)
                        && m.Length > Prefix.Length + (Suffix?.Length ?? 0) && !Metrics.Contains(m))
            .Order(StringComparer.Ordinal).ToList();
        return matched.Concat(Metrics.Where(present.Contains)).ToList();
    }
}

/// <summary>
/// A metric family of DESIGN section 5, drawn as one chart of the report (a panel per unit). The names
/// are the stable leaderboard metric names the evaluation suite writes (src/SelectBench/Evaluation/Suite).
/// </summary>
public sealed record MetricFamily(string Title, IReadOnlyList<MetricPanel> Panels)
{
    public static readonly IReadOnlyList<MetricFamily> All =
    [
        new("Base accuracy", [new("accuracy", ["base_top1", "base_top5", "base_balanced_accuracy"])]),
        new("Natural OOD", [new("top-1", ["natural_ood_mean"], "natural_", "_top1")]),
        new("Corruptions", [new("top-1", ["corruption_clean_top1", "corruption_top1_mean"]), new("mCE", ["mce", "relative_mce"])]),
        new("Transfer", [new("top-1", ["transfer_mean"], "transfer_", "_top1")]),
        new("SSL kNN", [new("top-1", ["knn_top1_k20", "knn_mean"])]),
        new("Dataset analytics",
        [
            new("classes", ["coverage", "lt"]),
            new("share", ["ls_5pct", "gini", "normalized_entropy"]),
            new("ratio", ["imbalance_ratio"]),
        ]),
        new("Label quality", [new("rate", ["label_noise_true", "label_noise_est", "distractor_rate"]), new("images", ["near_duplicates", "leakage"])]),
        new("Image quality",
        [
            new("FID", ["fid"]), new("KID", ["kid"]), new("CMMD", ["cmmd"]), new("Vendi score", ["vendi"]),
            new("Inception score", ["inception_score"]),
            new("manifold", ["precision", "recall", "density", "coverage_manifold"]),
        ]),
    ];
}
