using SelectBench.Common;
using SelectBench.Evaluation.Suite;
using SelectBench.Statistics;

namespace SelectBench.Tests.Evaluation.Suite;

/// <summary>Settings of <see cref="TestConfidenceMetric"/>: the key <c>confidence_scale</c> of a run config's evaluation section.</summary>
public sealed record TestConfidenceSettings(double ConfidenceScale = 1) : ISettings
{
    public void Validate(string where) => SettingRules.Positive(where, "confidence_scale", ConfidenceScale);
}

/// <summary>
/// A metric that exists only in the test assembly: the model's mean top-class probability on the base set, times a
/// scale. This one file is the whole metric (docs/metrics.md#adding-a-metric); <see cref="Register"/> adds it to
/// <see cref="EvalMetrics.Registry"/>, after which a run config can list it in <c>evaluation.suite</c>, set its key,
/// and find its value in the leaderboard. It is not in the default suite, so registering it changes no other run.
/// </summary>
[Registered(Name, Description = "mean top-class probability on the base set (a test-only metric)", Settings = typeof(TestConfidenceSettings))]
public sealed class TestConfidenceMetric(TestConfidenceSettings settings) : IEvalMetric
{
    public const string Name = "test-confidence";
    public const string Key = "test_mean_confidence";

    public MetricDeclaration Declaration { get; } = new(MetricScope.Model, MetricInputs.Model | MetricInputs.BaseSet,
        "Test confidence", [new MetricPanel("probability", [Key])], [Key])
    {
        Console = [new(Key, "conf.")],
        RankAgreement = [Key],
    };

    public MetricResult Compute(EvalInputs inputs, string folder, CancellationToken cancellationToken)
    {
        var set = inputs.BaseSet!;
        var probs = inputs.Classifier!.PredictProbabilities(set);
        int k = inputs.LabelSet.Count;
        double sum = 0;
        for (int i = 0; i < set.Count; i++)
            sum += probs.AsSpan(i * k, k).ToArray().Max();
        return new MetricResult(new Dictionary<string, Interval> { [Key] = Interval.Point(settings.ConfidenceScale * sum / set.Count, set.Count) });
    }

    /// <summary>Adds this assembly's metrics to the registry (again is harmless).</summary>
    public static void Register() => EvalMetrics.Registry.AddFrom(typeof(TestConfidenceMetric).Assembly);
}
