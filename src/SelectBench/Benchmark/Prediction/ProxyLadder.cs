using System.Globalization;
using SelectBench.Common;
using SelectBench.Evaluation.Suite;

namespace SelectBench.Benchmark.Prediction;

/// <summary>The three rungs of the ladder (docs/prediction.md), cheapest first.</summary>
public enum ProxyFamily
{
    /// <summary>A shift metric on the fixed encoder or on the class counts: no training.</summary>
    Metric,

    /// <summary>A linear probe on the fixed encoder's features.</summary>
    Probe,

    /// <summary>A smaller training with the run's recipe: narrower, shorter or on fewer images.</summary>
    Training,
}

/// <summary>
/// One cheap signal that may predict how full training ranks the shifts. Its score per shift is
/// <see cref="ResultKey"/> of its job's result (per seed for a training), turned "higher is better" when
/// <see cref="LowerIsBetter"/>.
/// </summary>
/// <param name="Name">The proxy's name on the command line and in the tables ("train-w0.25").</param>
/// <param name="Metric">The shift metric run by the proxy's analyse job (metrics only).</param>
/// <param name="WidthFactor">Trainings: the run's width times this.</param>
/// <param name="EpochFactor">Trainings: the run's epochs times this (rounded up, at least 1; the warm-up scaled alike).</param>
/// <param name="DataFraction">Trainings: the class-stratified share of each shift trained on.</param>
public sealed record Proxy(string Name, ProxyFamily Family, string Description, string ResultKey, bool LowerIsBetter,
    string? Metric = null, double WidthFactor = 1, double EpochFactor = 1, double DataFraction = 1)
{
    /// <summary>The id of the job that computes this proxy on one shift (metrics share their metric's job: fid and cmmd, coverage and imbalance).</summary>
    public string JobId(string shift) => Family == ProxyFamily.Metric ? $"proxy/{Metric}/{shift}" : $"proxy/{Name}/{shift}";

    /// <summary>Trainings: the train job of one shift and seed; its evaluation is <see cref="EvaluateJobId"/>.</summary>
    public string TrainJobId(string shift, int seed) => $"proxy/{Name}/{shift}/seed{seed}";

    public string EvaluateJobId(string shift, int seed) => $"proxy/{Name}/{shift}/seed{seed}/evaluate";
}

/// <summary>
/// The proxies `selectbench predict` evaluates (issue 14, docs/prediction.md): metrics without training (kNN on the fixed
/// encoder, the label-noise estimate, FID and CMMD against the expert shift, class coverage and imbalance), a linear probe
/// on the fixed features, and small trainings (width x0.25 and x0.5, 1/4 and 1/2 of the epochs, 1/4 of the images).
/// </summary>
public static class ProxyLadder
{
    public const string ProbeTop1Key = "probe_top1";

    public static IReadOnlyList<Proxy> All { get; } =
    [
        new("knn", ProxyFamily.Metric, "weighted kNN top-1 (k = 20) on the fixed encoder, memory bank from the shift",
            SslKnnMetric.Top1K20Key, LowerIsBetter: false, Metric: SslKnnMetric.Name),
        new("label-noise", ProxyFamily.Metric, "confident-learning estimate of the shift's label-noise rate (Northcutt et al. 2021)",
            LabelQualityMetric.NoiseEstimateKey, LowerIsBetter: true, Metric: LabelQualityMetric.Name),
        new("fid", ProxyFamily.Metric, "Frechet distance to the expert shift on the fixed encoder", ImageQualityMetric.FidKey, LowerIsBetter: true,
            Metric: ImageQualityMetric.Name),
        new("cmmd", ProxyFamily.Metric, "CMMD (RBF MMD) to the expert shift on the fixed encoder", ImageQualityMetric.CmmdKey, LowerIsBetter: true,
            Metric: ImageQualityMetric.Name),
        new("coverage", ProxyFamily.Metric, "classes with at least one image", DatasetAnalyticsMetric.CoverageKey,
            LowerIsBetter: false, Metric: DatasetAnalyticsMetric.Name),
        new("imbalance", ProxyFamily.Metric, "largest over smallest class count", DatasetAnalyticsMetric.ImbalanceRatioKey, LowerIsBetter: true,
            Metric: DatasetAnalyticsMetric.Name),
        new("linear-probe", ProxyFamily.Probe, "softmax regression on the fixed encoder's features of the shift, top-1 on the base set",
            ProbeTop1Key, LowerIsBetter: false),
        Training("train-w0.25", "the run's recipe at a quarter of its width", width: 0.25),
        Training("train-w0.5", "the run's recipe at half its width", width: 0.5),
        Training("train-e0.25", "the run's recipe for a quarter of its epochs", epochs: 0.25),
        Training("train-e0.5", "the run's recipe for half its epochs", epochs: 0.5),
        Training("train-n0.25", "the run's recipe on a class-stratified quarter of each shift", data: 0.25),
    ];

    public static IReadOnlyList<string> Names => All.Select(p => p.Name).ToList();

    public static Proxy Get(string name) => All.FirstOrDefault(p => p.Name == name)
        ?? throw new BadInputException("--proxies", $"'{name}' is not a proxy; use one of {string.Join(", ", Names)}"
                                                    + (Suggest.Nearest(name, Names) is { } near ? $" (did you mean '{near}'?)." : "."));

    /// <summary>Proxies by name ("all" or an empty list: every proxy), in ladder order.</summary>
    public static IReadOnlyList<Proxy> Select(IReadOnlyCollection<string> names)
    {
        if (names.Count == 0 || names.Contains("all")) return All;
        var chosen = names.Select(Get).ToHashSet();
        return All.Where(chosen.Contains).ToList();
    }

    private static Proxy Training(string name, string description, double width = 1, double epochs = 1, double data = 1) =>
        new(name, ProxyFamily.Training, description, BaseAccuracyMetric.Top1Key, LowerIsBetter: false,
            WidthFactor: width, EpochFactor: epochs, DataFraction: data);

    internal static string Format(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}
