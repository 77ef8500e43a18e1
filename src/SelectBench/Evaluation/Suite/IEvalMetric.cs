using SelectBench.Statistics;

namespace SelectBench.Evaluation.Suite;

/// <summary>
/// One metric family of the eval suite (docs/metrics.md). A class implementing it is registered with
/// <c>[Registered(name, Description = ..., Settings = typeof(...))]</c> in <see cref="EvalMetrics.Registry"/>
/// and takes its settings record in its constructor. It declares what it is (<see cref="Declaration"/>: scope,
/// inputs, result keys, report family), reads those inputs from <see cref="EvalInputs"/>, writes raw exports
/// into its own folder, and returns named values with intervals under the stable snake_case names of the
/// results contract (docs/metrics.md#adding-a-metric).
/// </summary>
public interface IEvalMetric
{
    /// <summary>Everything the suite, the run planner and the report need to know without running the metric.</summary>
    MetricDeclaration Declaration { get; }

    /// <summary>Computes the values; <paramref name="folder"/> is the metric's own export folder, already created.</summary>
    MetricResult Compute(EvalInputs inputs, string folder, CancellationToken cancellationToken);
}

/// <summary>
/// A metric's values (keyed by contract name) plus details written beside them in its result.json. Details
/// that other code reads back are a typed record (<see cref="BaseAccuracyDetails"/>, <see cref="CorruptionDetails"/>),
/// read through <see cref="SuiteResult.DetailsOf{T}"/>.
/// </summary>
public sealed record MetricResult(IReadOnlyDictionary<string, Interval> Values, object? Details = null);

/// <summary>What a metric scores: each trained model (once per model and seed) or each shift (once, no model of its own).</summary>
public enum MetricScope
{
    Model,
    Shift,
}

/// <summary>
/// The inputs of <see cref="EvalInputs"/> a metric reads. <see cref="MetricDeclaration.Requires"/> must be present
/// (the suite checks them before any metric runs); <see cref="MetricDeclaration.Uses"/> are used when present. A
/// benchmark run prepares exactly the inputs its suite declares: the fixed encoder, the corrupted sets, the
/// reference model and the reference model's evaluation are jobs only when a metric of the suite needs them.
/// </summary>
[Flags]
public enum MetricInputs
{
    None = 0,
    /// <summary><see cref="EvalInputs.Classifier"/>: the model being scored.</summary>
    Model = 1 << 0,
    /// <summary><see cref="EvalInputs.CheckpointPath"/>: a SelectBench checkpoint of that model (it can be fine-tuned).</summary>
    Checkpoint = 1 << 1,
    /// <summary><see cref="EvalInputs.BaseSet"/>.</summary>
    BaseSet = 1 << 2,
    /// <summary><see cref="EvalInputs.NaturalSets"/>, at least one.</summary>
    NaturalSets = 1 << 3,
    /// <summary><see cref="EvalInputs.CorruptedSetCacheFolder"/>: corrupted copies of the base set made once for every model.</summary>
    CorruptedSets = 1 << 4,
    /// <summary><see cref="EvalInputs.TransferTasks"/>, at least one.</summary>
    TransferTasks = 1 << 5,
    /// <summary><see cref="EvalInputs.Shift"/>, not empty.</summary>
    Shift = 1 << 6,
    /// <summary><see cref="EvalInputs.ReferenceSet"/>: the reference (expert) shift's images.</summary>
    ReferenceSet = 1 << 7,
    /// <summary><see cref="EvalInputs.ReferenceClassifier"/>: a model trained on the reference shift.</summary>
    ReferenceModel = 1 << 8,
    /// <summary><see cref="EvalInputs.Encoder"/>: the fixed (self-supervised) encoder.</summary>
    Encoder = 1 << 9,
    /// <summary><see cref="EvalInputs.LeakageSets"/>: eval sets checked for shift images.</summary>
    LeakageSets = 1 << 10,
    /// <summary><see cref="EvalInputs.ExpertPerClassAccuracy"/> and <see cref="EvalInputs.ExpertClassCounts"/>: the reference model's evaluation.</summary>
    ExpertPerClass = 1 << 11,
    /// <summary><see cref="EvalInputs.CorruptionReferencePath"/>: a reference model's corruption errors, for CE and mCE.</summary>
    CorruptionReference = 1 << 12,
}

/// <summary>
/// Leaderboard metrics that share a unit, drawn side by side in one panel of the report: the named metrics in
/// order, then every metric named <c>{Prefix}*{Suffix}</c> (per-set and per-task values such as
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

/// <summary>A result key shown as a column of the console leaderboard, under a short label.</summary>
public sealed record MetricColumn(string Key, string Label);

/// <summary>
/// What a metric is, declared once in its own file; the suite, the run config, the job graph, the report and the
/// console read it from <see cref="EvalMetrics"/> instead of keeping lists of metric names (docs/metrics.md#adding-a-metric).
/// </summary>
/// <param name="Scope">Per trained model or per shift.</param>
/// <param name="Requires">Inputs the metric cannot run without.</param>
/// <param name="Family">Title of the metric's chart in the report (docs/report.md).</param>
/// <param name="Panels">The chart's panels, one per unit.</param>
/// <param name="Keys">Every result key with a fixed name the metric produces when all its inputs (required and used)
/// are given; per-set keys that follow a panel's pattern are not listed.</param>
public sealed record MetricDeclaration(MetricScope Scope, MetricInputs Requires, string Family, IReadOnlyList<MetricPanel> Panels,
    IReadOnlyList<string> Keys)
{
    /// <summary>Inputs used when present (e.g. a reference model for the Inception Score).</summary>
    public MetricInputs Uses { get; init; }

    /// <summary>Where the metric's family, columns and rank-agreement rows come in reports, and its place in the default suite (smaller first).</summary>
    public int Order { get; init; } = 1000;

    /// <summary>Whether a run config without <c>evaluation.suite</c> runs the metric.</summary>
    public bool InDefaultSuite { get; init; }

    /// <summary>Keys shown in the console leaderboard of <c>selectbench run</c>.</summary>
    public IReadOnlyList<MetricColumn> Console { get; init; } = [];

    /// <summary>Keys shown as columns of the report's leaderboard and of leaderboard.md/.csv.</summary>
    public IReadOnlyList<string> Headline { get; init; } = [];

    /// <summary>Keys compared across shifts in the rank-agreement table (docs/report.md).</summary>
    public IReadOnlyList<string> RankAgreement { get; init; } = [];

    /// <summary>Keys where a smaller value is better (they rank ascending); all others rank descending.</summary>
    public IReadOnlyList<string> LowerIsBetter { get; init; } = [];

    /// <summary>Every input the metric reads, required or used when present.</summary>
    public MetricInputs Reads => Requires | Uses;
}
