using SelectBench.Benchmark;
using SelectBench.Common;
using SelectBench.Curation;
using SelectBench.Data;
using SelectBench.Evaluation.Suite;
using SelectBench.Running;
using SelectBench.Tests.Training;

namespace SelectBench.Tests.Benchmark;

/// <summary>
/// A finished run keeps, in NumPy format, what its numbers were computed from (docs/benchmark.md#outputs): each model's
/// test-set probabilities with the rows' ids and labels, each shift's fixed-encoder embeddings with their ids, and which
/// shift images each kNN memory bank held. Before, the embeddings and banks lived only in work folders that a finished
/// job deletes.
/// </summary>
public sealed class RunExportsTests : IDisposable
{
    private readonly SmallRun _small = new();

    public void Dispose() => _small.Dispose();

    [Fact]
    public void AFinishedRunKeepsProbabilitiesEmbeddingsAndBankIndicesWithTheirIds()
    {
        var data = _small.SaveDataSources(80, 120, 120);
        var yaml = $$"""
            name: run-exports
            {{data}}
            curation:
              target_size: 50
              encoder: { kind: pixel-pca, components: 8, fit_on: E }
              shifts:
                expert: { strategy: expert, settings: { source: E } }
            training: { width: 0.25, epochs: 1, batch_size: 32, learning_rate: 0.05, warmup_epochs: 0 }
            seeds: [1]
            evaluation:
              suite: [base, knn]
              encoder: pca:8
              knn: { images_per_class: [2, 30], ks: [1] }
              bootstrap: 20
            executor: { parallel: 1 }
            """;
        var plan = BenchmarkPlan.Build(RunConfig.Parse(yaml, "run-exports.yaml"));
        var run = _small.Execute(plan);
        Assert.False(Directory.Exists(run.WorkDir(BenchmarkPlan.AnalyseJob("expert")))); // the exports do not depend on the work folder

        var test = ImageSetStore.Load(P("test"));
        int k = test.LabelSet.Count;

        // The model's test-set probabilities: N x K float32 rows that sum to 1, in the order of the ids and labels beside them.
        var baseFolder = Path.Combine(run.JobFolder(BenchmarkPlan.EvaluateJob("expert", 1)), BaseAccuracyMetric.Name);
        var (probs, probShape) = Npy.ReadFloat32(Path.Combine(baseFolder, BaseAccuracyMetric.ProbabilitiesFile));
        Assert.Equal([test.Count, k], probShape);
        for (int i = 0; i < test.Count; i++) Assert.Equal(1.0, probs.AsSpan(i * k, k).ToArray().Sum(p => (double)p), 3);
        Assert.Equal(test.Ids, IdsFile.Read(Path.Combine(baseFolder, BaseAccuracyMetric.IdsFileName)));
        var (labels, labelShape) = Npy.ReadInt32(Path.Combine(baseFolder, BaseAccuracyMetric.LabelsFile));
        Assert.Equal([test.Count], labelShape);
        Assert.Equal(test.Labels, labels);

        // The shift's embeddings: one row per shift image, named by the ids file, in the stored shift's order.
        var shift = ShiftStore.Load(Path.Combine(run.JobFolder(BenchmarkPlan.CurateJob("expert")), BenchmarkInputs.ShiftFolder)).Images;
        var knnFolder = Path.Combine(run.JobFolder(BenchmarkPlan.AnalyseJob("expert")), SslKnnMetric.Name);
        var (embeddings, embeddingShape) = Npy.ReadFloat32(Path.Combine(knnFolder, SslKnnMetric.EmbeddingsFile));
        Assert.Equal([shift.Count, 8], embeddingShape);
        Assert.All(embeddings, v => Assert.True(float.IsFinite(v)));
        var ids = IdsFile.Read(Path.Combine(knnFolder, SslKnnMetric.IdsFileName));
        Assert.Equal(shift.Ids, ids);

        // Each bank: classes x n shift rows, each of its own class, no row twice; -1 only where the class has too few images.
        var counts = shift.ClassCounts();
        foreach (var n in new[] { 2, 30 })
        {
            var (bank, bankShape) = Npy.ReadInt32(Path.Combine(knnFolder, SslKnnMetric.BankFile(n)));
            Assert.Equal([k, n], bankShape);
            for (int c = 0; c < k; c++)
            {
                var row = bank.AsSpan(c * n, n).ToArray();
                var real = row.Where(i => i >= 0).ToArray();
                Assert.Equal(Math.Min(n, counts[c]), real.Length);
                Assert.All(real, i => Assert.Equal(c, shift.Labels[i]));
                Assert.Equal(real.Length, real.Distinct().Count());
                Assert.All(row.Skip(real.Length), i => Assert.Equal(-1, i)); // filled entries come after the real ones
            }
        }
    }

    [Fact]
    public void IdsWithLineBreaksAndBackslashesRoundTrip()
    {
        var path = Path.Combine(_small.Root, "ids.txt");
        string[] ids = ["a", @"b\n", "c\nd", "e\r", ""];
        IdsFile.Write(path, ids);
        Assert.Equal(ids, IdsFile.Read(path));
        Assert.Equal(ids.Length, File.ReadAllText(path).Count(ch => ch == '\n'));
    }

    private string P(string name) => _small.Source(name);
}
