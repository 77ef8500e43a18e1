using SelectBench.Common;
using SelectBench.Evaluation.Metrics;
using SelectBench.Statistics;

namespace SelectBench.Evaluation.Suite;

/// <summary>Settings of the natural-shift metric.</summary>
/// <param name="Bootstrap">Percentile-bootstrap resamples of every interval (the run config's <c>evaluation.bootstrap</c>).</param>
public sealed record NaturalOodSettings(int Bootstrap = 1000) : ISettings
{
    public void Validate(string where)
    {
        if (Bootstrap < 10) throw new SelectBenchException($"{where}.bootstrap: {Bootstrap} is not allowed; give at least 10 resamples.");
    }
}

/// <summary>
/// Natural distribution-shift robustness (docs/metrics.md; SELECT Table 2 "avg natural robustness"):
/// top-1 on each natural-shift set with a bootstrap interval, and their mean. A set that covers only a
/// subset of classes is scored by predicting among that subset only (the ImageNet-R / ImageNet-A
/// convention: the logits of the other classes are ignored).
/// </summary>
[Registered(Name, Description = "top-1 on each natural-shift eval set and their mean", Settings = typeof(NaturalOodSettings))]
public sealed class NaturalOodMetric(NaturalOodSettings settings) : IEvalMetric
{
    public const string Name = "natural";
    public const string MeanKey = "natural_ood_mean";
    public const string SetPrefix = "natural_", SetSuffix = "_top1";

    /// <summary>Top-1 on one natural-shift set.</summary>
    public static string SetKey(string set) => SetPrefix + Safe(set) + SetSuffix;

    public MetricDeclaration Declaration { get; } = new(MetricScope.Model, MetricInputs.Model | MetricInputs.NaturalSets, "Natural OOD",
        [new MetricPanel("top-1", [MeanKey], SetPrefix, SetSuffix)], [MeanKey])
    {
        Order = 20,
        InDefaultSuite = true,
        Console = [new(MeanKey, "natural")],
        Headline = [MeanKey],
        RankAgreement = [MeanKey],
    };

    public MetricResult Compute(EvalInputs inputs, string folder, CancellationToken cancellationToken)
    {
        var classifier = SuiteInputs.Classifier(inputs, Name);
        SuiteInputs.CheckLabels(classifier, inputs.LabelSet, Name);
        if (inputs.NaturalSets.Count == 0)
            throw new SelectBenchException($"Metric '{Name}' needs at least one natural-shift eval set.");
        int k = inputs.LabelSet.Count;
        var values = new Dictionary<string, Interval>();
        var tops = new List<double>();
        var bootstrap = new BootstrapSettings(Resamples: settings.Bootstrap);
        foreach (var set in inputs.NaturalSets)
        {
            cancellationToken.ThrowIfCancellationRequested();
            SuiteInputs.CheckSet(set.Images, inputs.LabelSet, set.Name);
            var subset = set.ClassSubset ?? Enumerable.Range(0, k).ToArray();
            foreach (var c in subset)
                if ((uint)c >= (uint)k) throw new SelectBenchException($"Eval set '{set.Name}': class subset names class {c}, outside the label set (0..{k - 1}).");
            var inSubset = new bool[k];
            foreach (var c in subset) inSubset[c] = true;
            for (int i = 0; i < set.Images.Count; i++)
                if (!inSubset[set.Images.Labels[i]])
                    throw new SelectBenchException($"Eval set '{set.Name}': image '{set.Images.Ids[i]}' has class '{inputs.LabelSet.Names[set.Images.Labels[i]]}', which is not in the set's class subset.");
            var probs = classifier.PredictProbabilities(set.Images);
            var predictions = PredictAmong(probs, set.Images.Count, k, inSubset);
            var labels = set.Images.Labels;
            ClassificationMetrics.Export(folder, Safe(set.Name), probs, labels, k);
            IdsFile.Write(Path.Combine(folder, $"{Safe(set.Name)}_ids.txt"), set.Images.Ids);
            int hits = 0;
            for (int i = 0; i < labels.Length; i++) if (predictions[i] == labels[i]) hits++;
            double top1 = (double)hits / labels.Length;
            var interval = Bootstrap.Percentile(labels.Length, idx =>
            {
                int h = 0;
                foreach (var i in idx) if (predictions[i] == labels[i]) h++;
                return (double)h / idx.Length;
            }, bootstrap) with
            { Estimate = top1 };
            values[SetKey(set.Name)] = interval;
            tops.Add(top1);
        }
        double mean = tops.Average();
        // The mean's interval: the mean of the per-set bounds (the sets are scored independently).
        values[MeanKey] = new Interval(mean,
            values.Values.Average(v => v.Low), values.Values.Average(v => v.High), tops.Count);
        return new MetricResult(values, new { sets = inputs.NaturalSets.Select(s => new { s.Name, images = s.Images.Count, classes = s.ClassSubset?.Count ?? k }) });
    }

    /// <summary>Argmax over the allowed classes only (lowest index wins ties).</summary>
    public static int[] PredictAmong(float[] probs, int count, int classes, bool[] allowed)
    {
        var predictions = new int[count];
        for (int i = 0; i < count; i++)
        {
            int best = -1;
            for (int c = 0; c < classes; c++)
                if (allowed[c] && (best < 0 || probs[i * classes + c] > probs[i * classes + best])) best = c;
            predictions[i] = best;
        }
        return predictions;
    }

    internal static string Safe(string name) =>
        new(name.ToLowerInvariant().Select(ch => char.IsLetterOrDigit(ch) ? ch : '_').ToArray());
}
