using SelectBench.Evaluation.Metrics;
using SelectBench.Statistics;

namespace SelectBench.Evaluation.Suite;

/// <summary>
/// SSL kNN (DESIGN section 5; SELECT Table 2 "avg SSL"): a fixed self-supervised encoder embeds the shift
/// and the base eval set; a class-balanced memory bank of n shift images per class (paper: 5 and 10;
/// surplus truncated, deficits filled from the class's Gaussian, empty classes placed in a sparse region:
/// see <see cref="WeightedKnnClassifier.BuildMemoryBank"/>) votes for each base image with weights
/// exp(sim / 0.07) among its k nearest bank entries (DINO's eval_knn.py), k in {10, 20, 100, 200}.
/// Values: <c>knn_n{n}_top1_k{k}</c> and top-5 for every setting, <c>knn_top1_k20</c> (n = 10, k = 20,
/// the headline) and <c>knn_mean</c> (mean top-1 over all settings, like the paper's averaged SSL column).
/// No model is trained: it measures what the shift's images and labels say about the base set.
/// </summary>
[EvalMetric("knn")]
public sealed class SslKnnMetric : IEvalMetric
{
    public IReadOnlyList<string> Requires => ["shift", "base set", "encoder"];

    public MetricResult Evaluate(EvalInputs inputs, string folder)
    {
        var shift = SuiteInputs.Shift(inputs, "knn");
        var baseSet = SuiteInputs.BaseSet(inputs, "knn");
        var encoder = SuiteInputs.Encoder(inputs, "knn");
        SuiteInputs.CheckSet(shift, inputs.LabelSet, "shift");
        SuiteInputs.CheckSet(baseSet, inputs.LabelSet, "base");
        var settings = inputs.Settings.Knn;
        var bankSource = SuiteInputs.Embed(inputs, encoder, shift, "the shift");
        var queries = SuiteInputs.Embed(inputs, encoder, baseSet, "the base set");
        var values = new Dictionary<string, Interval>();
        var table = new List<object>();
        var allTop1 = new List<double>();
        foreach (var n in settings.BankSizes)
        {
            var bank = WeightedKnnClassifier.BuildMemoryBank(bankSource, shift.Labels, inputs.LabelSet.Count, n, settings.Seed);
            var knn = new WeightedKnnClassifier(bank, settings.Temperature);
            foreach (var acc in knn.Evaluate(queries, baseSet.Labels, settings.EffectiveKs))
            {
                values[$"knn_n{n}_top1_k{acc.K}"] = SeedStatistics.BinomialInterval(acc.Top1, acc.Queries);
                values[$"knn_n{n}_top5_k{acc.K}"] = SeedStatistics.BinomialInterval(acc.Top5, acc.Queries);
                allTop1.Add(acc.Top1);
                table.Add(new { images_per_class = n, acc.K, effective_k = acc.EffectiveK, top1 = acc.Top1, top5 = acc.Top5, synthetic_fill = bank.SyntheticPerClass.Sum(), empty_classes = bank.RealPerClass.Count(r => r == 0) });
            }
        }
        int headlineN = settings.BankSizes.Contains(10) ? 10 : settings.BankSizes.Max();
        int headlineK = settings.EffectiveKs.Contains(20) ? 20 : settings.EffectiveKs[0];
        values["knn_top1_k20"] = values[$"knn_n{headlineN}_top1_k{headlineK}"];
        values["knn_mean"] = new Interval(allTop1.Average(), allTop1.Min(), allTop1.Max(), allTop1.Count);
        return new MetricResult(values, new { encoder = encoder.Name, temperature = settings.Temperature, settings = table });
    }
}
