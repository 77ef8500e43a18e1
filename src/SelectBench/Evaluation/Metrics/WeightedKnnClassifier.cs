using SelectBench.Common;
using SelectBench.Encoders;
using TorchSharp;
using static TorchSharp.torch;
using SelectBench.Embedding;

namespace SelectBench.Evaluation.Metrics;

/// <summary>
/// SSL kNN settings. Defaults follow the SELECT paper (memory bank of 5 or 10 images per class; we default
/// to 10) and DINO's eval_knn.py (T = 0.07, k in {10, 20, 100, 200}).
/// </summary>
public sealed record KnnSettings(int ImagesPerClass = 10, double Temperature = WeightedKnnClassifier.DefaultTemperature, int Seed = 0, int[]? Ks = null)
{
    public static readonly int[] DefaultKs = [10, 20, 100, 200];
    public int[] EffectiveKs => Ks ?? DefaultKs;
}

/// <summary>
/// The class-balanced memory bank: exactly <c>ImagesPerClass</c> unit-norm rows per class, row-major.
/// <c>RealPerClass[c]</c> rows of class c are real shift images, <c>SyntheticPerClass[c]</c> are filled.
/// </summary>
public sealed record KnnMemoryBank(float[] Features, int[] Labels, int Dimension, int ClassCount, int[] RealPerClass, int[] SyntheticPerClass)
{
    public int Count => Labels.Length;

    /// <summary>For each bank row, the index of the shift image it holds, or -1 for a filled (synthetic) row; empty when unknown.</summary>
    public int[] SourceIndices { get; init; } = [];
}

/// <summary>Top-1 and top-5 of the weighted kNN at one k (<c>EffectiveK</c> = k clipped to the bank size).</summary>
public sealed record KnnAccuracy(int K, int EffectiveK, double Top1, double Top5, int Queries);

/// <summary>
/// Weighted k-nearest-neighbour classifier on frozen self-supervised features, as DINO evaluates
/// (Caron et al. 2021; https://github.com/facebookresearch/dino, eval_knn.py, knn_classifier):
/// cosine similarity of L2-normalised features, the k most similar bank rows vote for their class with
/// weight exp(sim / T), classes ranked by total vote; top-5 counts a hit among the first min(5, k)
/// (as DINO does). Vote ties are broken by the lower class index.
/// The bank is built per the SELECT paper (Feuer et al. 2024, section "SSL"): n images per class.
/// </summary>
public sealed class WeightedKnnClassifier
{
    /// <summary>The softmax temperature of the vote weights exp(cos / T): DINO's eval_knn.py default (Caron et al. 2021).</summary>
    public const double DefaultTemperature = 0.07;

    readonly KnnMemoryBank _bank;
    readonly double _temperature;

    public WeightedKnnClassifier(KnnMemoryBank bank, double temperature = DefaultTemperature)
    {
        if (!(temperature > 0)) throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The kNN temperature must be positive.");
        if (bank.Count == 0) throw new BadInputException("kNN memory bank", "is empty; it needs at least one class with images per class > 0.");
        _bank = bank;
        _temperature = temperature;
    }

    public KnnMemoryBank Bank => _bank;

    /// <summary>
    /// Builds the class-balanced bank from a shift's features: per class, a surplus is truncated to a
    /// seeded random choice of n images; a deficit is filled by sampling a Gaussian with the class's
    /// per-dimension mean and standard deviation (divisor n - 1; 0 for a single image) over its
    /// normalised features, each sample re-normalised to unit length (the bank lives on the sphere).
    /// A class with no image gets n points in a sparse region: around the direction opposite to the
    /// global mean of the normalised features, u = normalise(-m / |m| + 0.1 g), g ~ N(0, I / d), so they
    /// are the least similar points to typical data (SSL features after ReLU pooling are non-negative and
    /// clustered around m) and the class can only win a vote when nothing else is near. If |m| is ~0
    /// (centred features) u is a random unit vector.
    /// </summary>
    public static KnnMemoryBank BuildMemoryBank(Embeddings features, int[] labels, int classCount, int imagesPerClass, int seed = 0)
    {
        EmbeddingChecks.Validate(features, "shift features");
        if (labels.Length != features.Count) throw new BadInputException("shift labels", $"has {labels.Length} labels for {features.Count} features.");
        if (imagesPerClass < 1) throw new ArgumentOutOfRangeException(nameof(imagesPerClass), imagesPerClass, "The memory bank needs at least 1 image per class.");
        int d = features.Dimension;
        var rows = features.Normalised().Data;
        var byClass = new List<int>[classCount];
        for (int c = 0; c < classCount; c++) byClass[c] = [];
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] < 0 || labels[i] >= classCount) throw new BadInputException($"shift label {i}", $"is {labels[i]}, outside the label set's {classCount} classes.");
            byClass[labels[i]].Add(i);
        }

        var globalMean = new double[d];
        for (int i = 0; i < features.Count; i++)
            for (int j = 0; j < d; j++) globalMean[j] += rows[i * d + j] / features.Count;
        double meanNorm = Math.Sqrt(globalMean.Sum(v => v * v));

        var rng = new Random(seed);
        var bank = new float[classCount * imagesPerClass * d];
        var bankLabels = new int[classCount * imagesPerClass];
        var sources = new int[classCount * imagesPerClass];
        Array.Fill(sources, -1);
        var real = new int[classCount];
        var synthetic = new int[classCount];
        var sample = new double[d];
        for (int c = 0; c < classCount; c++)
        {
            var members = byClass[c];
            int offset = c * imagesPerClass;
            for (int r = 0; r < imagesPerClass; r++) bankLabels[offset + r] = c;
            var chosen = members.Count > imagesPerClass
                ? KernelInceptionDistance.SampleWithoutReplacement(rng, members.Count, imagesPerClass).Select(i => members[(int)i]).ToArray()
                : members.ToArray();
            for (int r = 0; r < chosen.Length; r++)
            {
                Array.Copy(rows, chosen[r] * d, bank, (offset + r) * d, d);
                sources[offset + r] = chosen[r];
            }
            real[c] = chosen.Length;
            synthetic[c] = imagesPerClass - chosen.Length;
            if (synthetic[c] == 0) continue;

            var (mean, std) = members.Count > 0 ? ClassGaussian(rows, members, d) : (null, null);
            for (int r = chosen.Length; r < imagesPerClass; r++)
            {
                for (int j = 0; j < d; j++)
                {
                    double z = StandardNormal(rng);
                    sample[j] = mean is not null
                        ? mean[j] + std![j] * z
                        : meanNorm > 1e-8 ? -globalMean[j] / meanNorm + 0.1 * z / Math.Sqrt(d) : z;
                }
                WriteUnit(sample, bank.AsSpan((offset + r) * d, d));
            }
        }
        return new KnnMemoryBank(bank, bankLabels, d, classCount, real, synthetic) { SourceIndices = sources };
    }

    /// <summary>Top-1 and top-5 for each k (clipped to the bank size) on labelled queries.</summary>
    public IReadOnlyList<KnnAccuracy> Evaluate(Embeddings queries, int[] queryLabels, IReadOnlyList<int> ks)
    {
        EmbeddingChecks.Validate(queries, "kNN queries");
        if (queries.Dimension != _bank.Dimension) throw new BadInputException("kNN queries", $"have dimension {queries.Dimension}, the memory bank {_bank.Dimension}; use the same encoder.");
        if (queryLabels.Length != queries.Count) throw new BadInputException("kNN query labels", $"has {queryLabels.Length} labels for {queries.Count} queries.");
        if (ks.Count == 0 || ks.Any(k => k < 1)) throw new ArgumentException("k values must be at least 1.", nameof(ks));
        int maxK = Math.Min(ks.Max(), _bank.Count);
        var top1 = new long[ks.Count];
        var top5 = new long[ks.Count];
        int classes = _bank.ClassCount;
        var votes = new double[classes];

        using var scope = torch.NewDisposeScope();
        var bankT = torch.tensor(_bank.Features, new long[] { _bank.Count, _bank.Dimension }).t();
        var q = EmbeddingTensors.NormaliseRows(EmbeddingTensors.ToTensor(queries, ScalarType.Float32));
        EmbeddingTensors.ForEachBlock(queries.Count, (start, rows) =>
        {
            using var inner = torch.NewDisposeScope();
            var sim = q.narrow(0, start, rows).matmul(bankT);
            var (values, indices) = sim.topk(maxK, dim: 1, largest: true, sorted: true);
            var simData = values.to_type(ScalarType.Float64).data<double>().ToArray();
            var idxData = indices.data<long>().ToArray();
            for (int r = 0; r < rows; r++)
            {
                int truth = queryLabels[start + r];
                for (int ki = 0; ki < ks.Count; ki++)
                {
                    int k = Math.Min(ks[ki], _bank.Count);
                    Array.Clear(votes);
                    for (int j = 0; j < k; j++)
                        votes[_bank.Labels[idxData[r * maxK + j]]] += Math.Exp(simData[r * maxK + j] / _temperature);
                    int rank = RankOf(votes, truth);
                    if (rank == 0) top1[ki]++;
                    if (rank < Math.Min(5, k)) top5[ki]++;
                }
            }
        });
        return ks.Select((k, ki) => new KnnAccuracy(k, Math.Min(k, _bank.Count),
            (double)top1[ki] / queries.Count, (double)top5[ki] / queries.Count, queries.Count)).ToArray();
    }

    /// <summary>
    /// A bank holding every given feature as is (no class balancing): the reference set of an out-of-sample
    /// kNN classifier, e.g. the other folds of a shift for confident learning.
    /// </summary>
    public static KnnMemoryBank FullBank(Embeddings features, int[] labels, int classCount)
    {
        EmbeddingChecks.Validate(features, "bank features");
        if (labels.Length != features.Count) throw new BadInputException("bank labels", $"has {labels.Length} labels for {features.Count} features.");
        var real = new int[classCount];
        foreach (var l in labels)
        {
            if (l < 0 || l >= classCount) throw new BadInputException("bank labels", $"label {l} is outside the label set's {classCount} classes.");
            real[l]++;
        }
        return new KnnMemoryBank(features.Normalised().Data, labels, features.Dimension, classCount, real, new int[classCount])
        {
            SourceIndices = Enumerable.Range(0, features.Count).ToArray(),
        };
    }

    /// <summary>
    /// Class probabilities per query: the weighted votes exp(sim / T) of its k nearest bank entries,
    /// normalised to sum to 1 (row-major, queries x classes).
    /// </summary>
    public float[] PredictProbabilities(Embeddings queries, int k)
    {
        EmbeddingChecks.Validate(queries, "kNN queries");
        if (queries.Dimension != _bank.Dimension) throw new BadInputException("kNN queries", $"have dimension {queries.Dimension}, the memory bank {_bank.Dimension}; use the same encoder.");
        int kk = Math.Min(Math.Max(1, k), _bank.Count);
        int classes = _bank.ClassCount;
        var result = new float[(long)queries.Count * classes];
        using var scope = torch.NewDisposeScope();
        var bankT = torch.tensor(_bank.Features, new long[] { _bank.Count, _bank.Dimension }).t();
        var q = EmbeddingTensors.NormaliseRows(EmbeddingTensors.ToTensor(queries, ScalarType.Float32));
        EmbeddingTensors.ForEachBlock(queries.Count, (start, rows) =>
        {
            using var inner = torch.NewDisposeScope();
            var (values, indices) = q.narrow(0, start, rows).matmul(bankT).topk(kk, dim: 1, largest: true, sorted: true);
            var simData = values.to_type(ScalarType.Float64).data<double>().ToArray();
            var idxData = indices.data<long>().ToArray();
            var votes = new double[classes];
            for (int r = 0; r < rows; r++)
            {
                Array.Clear(votes);
                for (int j = 0; j < kk; j++)
                    votes[_bank.Labels[idxData[r * kk + j]]] += Math.Exp(simData[r * kk + j] / _temperature);
                double total = votes.Sum();
                for (int c = 0; c < classes; c++) result[(long)(start + r) * classes + c] = (float)(votes[c] / total);
            }
        });
        return result;
    }

    /// <summary>Position of <paramref name="truth"/> when classes are sorted by vote, descending, ties by lower index.</summary>
    static int RankOf(double[] votes, int truth)
    {
        if (truth < 0 || truth >= votes.Length) return int.MaxValue;
        int rank = 0;
        double v = votes[truth];
        for (int c = 0; c < votes.Length; c++)
            if (votes[c] > v || (votes[c] == v && c < truth)) rank++;
        return rank;
    }

    static (double[] Mean, double[] Std) ClassGaussian(float[] rows, List<int> members, int d)
    {
        var mean = new double[d];
        var std = new double[d];
        foreach (int i in members)
            for (int j = 0; j < d; j++) mean[j] += rows[i * d + j];
        for (int j = 0; j < d; j++) mean[j] /= members.Count;
        if (members.Count > 1)
        {
            foreach (int i in members)
                for (int j = 0; j < d; j++) std[j] += (rows[i * d + j] - mean[j]) * (rows[i * d + j] - mean[j]);
            for (int j = 0; j < d; j++) std[j] = Math.Sqrt(std[j] / (members.Count - 1));
        }
        return (mean, std);
    }

    static void WriteUnit(double[] v, Span<float> target)
    {
        double norm = Math.Sqrt(v.Sum(x => x * x));
        double scale = norm > 1e-12 ? 1 / norm : 0;
        for (int j = 0; j < v.Length; j++) target[j] = (float)(v[j] * scale);
    }

    /// <summary>Box-Muller transform; <see cref="Random"/> has no Gaussian sampler.</summary>
    static double StandardNormal(Random rng)
    {
        double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
