using System.Text.Json.Serialization;
using SelectBench.Common;
using SelectBench.Evaluation.Metrics;
using SelectBench.Statistics;

namespace SelectBench.Evaluation.Suite;

/// <summary>SSL kNN settings (the run config's <c>evaluation.knn</c>): memory-bank sizes (paper: 5 and 10 per class) and k values.</summary>
public sealed record KnnSuiteSettings(IReadOnlyList<int>? ImagesPerClass = null, IReadOnlyList<int>? Ks = null, double Temperature = WeightedKnnClassifier.DefaultTemperature, int Seed = 0)
    : ISettings
{
    [JsonIgnore] public IReadOnlyList<int> BankSizes => ImagesPerClass ?? [5, 10];
    [JsonIgnore] public IReadOnlyList<int> EffectiveKs => Ks ?? KnnSettings.DefaultKs;

    public void Validate(string where)
    {
        foreach (var n in BankSizes) SettingRules.Positive(where, "images_per_class", n);
        foreach (var k in EffectiveKs) SettingRules.Positive(where, "ks", k);
        if (BankSizes.Count == 0) throw new SelectBenchException($"{where}.images_per_class: the list is empty; give at least one bank size, e.g. [5, 10].");
        if (EffectiveKs.Count == 0) throw new SelectBenchException($"{where}.ks: the list is empty; give at least one k, e.g. [10, 20].");
        SettingRules.Positive(where, "temperature", Temperature);
    }
}

/// <summary>Settings of the SSL kNN metric.</summary>
public sealed record SslKnnSettings(KnnSuiteSettings? Knn = null) : ISettings
{
    public KnnSuiteSettings Knn { get; init; } = Knn ?? new KnnSuiteSettings();

    public void Validate(string where) => Knn.Validate($"{where}.knn");
}

/// <summary>
/// SSL kNN (docs/metrics.md#ssl-knn-weightedknnclassifier; SELECT Table 2 "avg SSL"): a fixed self-supervised encoder embeds the shift
/// and the base eval set; a class-balanced memory bank of n shift images per class (paper: 5 and 10;
/// surplus truncated, deficits filled from the class's Gaussian, empty classes placed in a sparse region:
/// see <see cref="WeightedKnnClassifier.BuildMemoryBank"/>) votes for each base image with weights
/// exp(sim / 0.07) among its k nearest bank entries (DINO's eval_knn.py), k in {10, 20, 100, 200}.
/// Values: <c>knn_n{n}_top1_k{k}</c> and top-5 for every setting, <c>knn_top1_k20</c> (n = 10, k = 20,
/// the headline) and <c>knn_mean</c> (mean top-1 over all settings, like the paper's averaged SSL column).
/// No model is trained: it measures what the shift's images and labels say about the base set.
/// Exports the shift's embeddings with their ids and each bank's shift indices (docs/benchmark.md#outputs).
/// </summary>
[Registered(Name, Description = "weighted kNN top-1/top-5 on the base set from a memory bank of the shift on the fixed encoder",
    Settings = typeof(SslKnnSettings))]
public sealed class SslKnnMetric(SslKnnSettings settings) : IEvalMetric
{
    public const string Name = "knn";
    public const string Top1K20Key = "knn_top1_k20";
    public const string MeanKey = "knn_mean";

    /// <summary>Top-1 (or top-5) with a bank of <paramref name="perClass"/> images per class and k = <paramref name="k"/>.</summary>
    public static string BankKey(int perClass, int k, int top = 1) => $"{BankPrefix}{perClass}_top{top}_k{k}";

    /// <summary>The shift's embeddings on the fixed encoder (float32, shift images x dimension), rows in the shift's order.</summary>
    public const string EmbeddingsFile = "shift_embeddings.npy";

    /// <summary>The shift's ids, line i naming row i of <see cref="EmbeddingsFile"/> (<see cref="IdsFile"/>).</summary>
    public const string IdsFileName = "shift_ids.txt";

    /// <summary>
    /// The memory bank of <paramref name="perClass"/> images per class (int32, classes x perClass): row c holds the rows of
    /// <see cref="EmbeddingsFile"/> that class c's bank entries came from, -1 for an entry filled from the class's Gaussian.
    /// </summary>
    public static string BankFile(int perClass) => $"bank_n{perClass}_indices.npy";

    /// <summary>What every <see cref="BankKey"/> starts with.</summary>
    public const string BankPrefix = "knn_n";

    public MetricDeclaration Declaration { get; } = new(MetricScope.Shift, MetricInputs.Shift | MetricInputs.BaseSet | MetricInputs.Encoder,
        "SSL kNN", [new MetricPanel("top-1", [Top1K20Key, MeanKey])], [Top1K20Key, MeanKey])
    {
        Order = 50,
        InDefaultSuite = true,
        Console = [new(Top1K20Key, "kNN")],
        Headline = [Top1K20Key],
        RankAgreement = [Top1K20Key],
    };

    public MetricResult Compute(EvalInputs inputs, string folder, CancellationToken cancellationToken)
    {
        var shift = SuiteInputs.Shift(inputs, Name);
        var baseSet = SuiteInputs.BaseSet(inputs, Name);
        var encoder = SuiteInputs.Encoder(inputs, Name);
        SuiteInputs.CheckSet(shift, inputs.LabelSet, "shift");
        SuiteInputs.CheckSet(baseSet, inputs.LabelSet, "base");
        var knnSettings = settings.Knn;
        var bankSource = SuiteInputs.Embed(inputs, encoder, shift, "the shift");
        var queries = SuiteInputs.Embed(inputs, encoder, baseSet, "the base set");
        Npy.Write(Path.Combine(folder, EmbeddingsFile), bankSource.Data, bankSource.Count, bankSource.Dimension);
        IdsFile.Write(Path.Combine(folder, IdsFileName), shift.Ids);
        var values = new Dictionary<string, Interval>();
        var table = new List<object>();
        var allTop1 = new List<double>();
        foreach (var n in knnSettings.BankSizes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var bank = WeightedKnnClassifier.BuildMemoryBank(bankSource, shift.Labels, inputs.LabelSet.Count, n, knnSettings.Seed);
            Npy.Write(Path.Combine(folder, BankFile(n)), bank.SourceIndices, inputs.LabelSet.Count, n);
            var knn = new WeightedKnnClassifier(bank, knnSettings.Temperature);
            foreach (var acc in knn.Evaluate(queries, baseSet.Labels, knnSettings.EffectiveKs))
            {
                values[BankKey(n, acc.K)] = SeedStatistics.BinomialInterval(acc.Top1, acc.Queries);
                values[BankKey(n, acc.K, top: 5)] = SeedStatistics.BinomialInterval(acc.Top5, acc.Queries);
                allTop1.Add(acc.Top1);
                table.Add(new { images_per_class = n, acc.K, effective_k = acc.EffectiveK, top1 = acc.Top1, top5 = acc.Top5, synthetic_fill = bank.SyntheticPerClass.Sum(), empty_classes = bank.RealPerClass.Count(r => r == 0) });
            }
        }
        int headlineN = knnSettings.BankSizes.Contains(10) ? 10 : knnSettings.BankSizes.Max();
        int headlineK = knnSettings.EffectiveKs.Contains(20) ? 20 : knnSettings.EffectiveKs[0];
        values[Top1K20Key] = values[BankKey(headlineN, headlineK)];
        values[MeanKey] = new Interval(allTop1.Average(), allTop1.Min(), allTop1.Max(), allTop1.Count);
        return new MetricResult(values, new { encoder = encoder.Name, temperature = knnSettings.Temperature, settings = table });
    }
}
