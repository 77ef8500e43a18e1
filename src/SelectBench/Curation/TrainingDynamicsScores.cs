using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using SelectBench.Common;
using SelectBench.Data;
using SelectBench.Embedding;

namespace SelectBench.Curation;

/// <summary>How the scoring run trains: a softmax linear head on the fixed encoder's features.</summary>
/// <param name="Epochs">Epochs of each run; EL2N is read after the last one (Paul et al. score "early in training").</param>
/// <param name="Runs">Independent initialisations averaged (EL2N) or summed (forgetting events).</param>
/// <param name="LearningRate">SGD step size.</param>
/// <param name="BatchSize">Minibatch size.</param>
public sealed record ScoringRun(int Epochs, int Runs, double LearningRate, int BatchSize);

/// <summary>
/// Per-example scores from the training dynamics of a short scoring run: EL2N (Paul, Ganguli and Dziugaite 2021,
/// "Deep Learning on a Data Diet: Finding Important Examples Early in Training", NeurIPS, section 2: the L2 norm of
/// softmax output minus one-hot label, averaged over initialisations) and forgetting events (Toneva et al. 2019,
/// "An Empirical Study of Example Forgetting during Deep Neural Network Learning", ICLR, section 3: the number of
/// times an example goes from classified correctly to incorrectly between presentations; an example never learned
/// counts as forgotten more often than any learned one, epochs + 1 per run).
/// <para>
/// The scoring model is a multinomial logistic regression (softmax linear head) on the fixed curation encoder's
/// standardised features, trained by minibatch SGD in plain C#, not the ResNet the papers score with: several
/// initialisations of a few epochs of a CNN on a 30,000-image pool would cost minutes per run on a 2-core CPU,
/// while this costs well under a second, and it is bit-exact on every machine (fixed loop order, double sums). The
/// scores are cached by content (<see cref="Cached"/>): a rerun with the same features, labels, run settings and
/// seed reads them instead of training again.
/// </para>
/// </summary>
public static class TrainingDynamicsScores
{
    public const string El2n = "el2n", Forgetting = "forgetting";
    private const int FormatVersion = 1;

    /// <summary>Scores of every row: EL2N or the forgetting count (higher = harder or more forgettable).</summary>
    public static float[] Compute(string kind, Embeddings features, IReadOnlyList<int> labels, int classes, ScoringRun run, long seed)
    {
        int n = features.Count, d = features.Dimension;
        var x = Standardise(features);
        var el2n = new double[n];
        var forgetting = new double[n];
        for (int r = 0; r < run.Runs; r++)
        {
            var random = SeededRandom.For(seed, $"training-dynamics/run{r}");
            var w = new double[classes * d];
            var b = new double[classes];
            for (int i = 0; i < w.Length; i++) w[i] = 0.01 * Gaussian(random);
            var correctBefore = new bool[n];
            var everCorrect = new bool[n];
            var events = new int[n];
            var order = Enumerable.Range(0, n).ToArray();
            var logits = new double[classes];
            var gradW = new double[classes * d];
            var gradB = new double[classes];
            for (int epoch = 0; epoch < run.Epochs; epoch++)
            {
                SeededRandom.Shuffle(random, order);
                for (int start = 0; start < n; start += run.BatchSize)
                {
                    int end = Math.Min(n, start + run.BatchSize);
                    Array.Clear(gradW);
                    Array.Clear(gradB);
                    for (int p = start; p < end; p++)
                    {
                        int i = order[p];
                        Softmax(w, b, x, i, d, logits);
                        // Toneva et al.: correctness at each presentation, before the step that uses the example.
                        bool correct = ArgMax(logits) == labels[i];
                        if (correctBefore[i] && !correct) events[i]++;
                        correctBefore[i] = correct;
                        everCorrect[i] |= correct;
                        for (int c = 0; c < classes; c++)
                        {
                            double g = logits[c] - (c == labels[i] ? 1 : 0);
                            gradB[c] += g;
                            for (int j = 0; j < d; j++) gradW[c * d + j] += g * x[(long)i * d + j];
                        }
                    }
                    double step = run.LearningRate / (end - start);
                    for (int k = 0; k < w.Length; k++) w[k] -= step * gradW[k];
                    for (int c = 0; c < classes; c++) b[c] -= step * gradB[c];
                }
            }
            for (int i = 0; i < n; i++)
            {
                Softmax(w, b, x, i, d, logits);
                double sq = 0;
                for (int c = 0; c < classes; c++) { double e = logits[c] - (c == labels[i] ? 1 : 0); sq += e * e; }
                el2n[i] += Math.Sqrt(sq) / run.Runs;
                forgetting[i] += everCorrect[i] ? events[i] : run.Epochs + 1;
            }
        }
        return (kind == Forgetting ? forgetting : el2n).Select(v => (float)v).ToArray();
    }

    /// <summary>
    /// <see cref="Compute"/>, cached in <paramref name="folder"/> under a SHA-256 key of the kind, the run settings,
    /// the seed, the features and the labels; null folder = no cache. With <paramref name="shared"/> (the score cache
    /// a run's score job also consults), scores found there are copied into <paramref name="folder"/>, and new scores
    /// are written to both.
    /// </summary>
    public static (float[] Scores, bool FromCache) Cached(string? folder, string kind, Embeddings features, IReadOnlyList<int> labels,
                                                         int classes, ScoringRun run, long seed, string? shared = null)
    {
        if (folder == null) return (Compute(kind, features, labels, classes, run, seed), false);
        var folders = shared is null || Path.GetFullPath(shared) == Path.GetFullPath(folder) ? [folder] : new[] { folder, shared };
        var scores = folders.Select(f => TryRead(f, kind, features, labels, classes, run, seed)).FirstOrDefault(s => s != null);
        bool fromCache = scores != null;
        scores ??= Compute(kind, features, labels, classes, run, seed);
        var file = FileName(kind, features, labels, classes, run, seed);
        foreach (var target in folders)
        {
            var path = Path.Combine(target, file);
            if (File.Exists(path) && new FileInfo(path).Length == features.Count * sizeof(float)) continue;
            Directory.CreateDirectory(target);
            AtomicFile.WriteAllBytes(path, MemoryMarshal.AsBytes(scores.AsSpan()));
        }
        return (scores, fromCache);
    }

    /// <summary>The scores <see cref="Cached"/> keeps in <paramref name="folder"/> for these inputs, or null when it holds none (or a file of the wrong size).</summary>
    public static float[]? TryRead(string folder, string kind, Embeddings features, IReadOnlyList<int> labels, int classes, ScoringRun run, long seed)
    {
        var path = Path.Combine(folder, FileName(kind, features, labels, classes, run, seed));
        if (!File.Exists(path)) return null;
        var bytes = File.ReadAllBytes(path);
        return bytes.Length == features.Count * sizeof(float) ? MemoryMarshal.Cast<byte, float>(bytes).ToArray() : null;
    }

    private static string FileName(string kind, Embeddings features, IReadOnlyList<int> labels, int classes, ScoringRun run, long seed) =>
        $"{kind}-{Key(kind, features, labels, classes, run, seed)}.f32";

    /// <summary>The default cache folder: scores/ under the data cache root (docs/data.md, $SELECTBENCH_CACHE).</summary>
    public static string DefaultFolder => Path.Combine(DataCache.Root(new DataLoadOptions()), "scores");

    private static string Key(string kind, Embeddings features, IReadOnlyList<int> labels, int classes, ScoringRun run, long seed)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"v{FormatVersion}|{kind}|{run}|{seed}|{classes}|{features.Count}x{features.Dimension}|"));
        hash.AppendData(MemoryMarshal.AsBytes(features.Data.AsSpan()));
        hash.AppendData(MemoryMarshal.AsBytes(labels.ToArray().AsSpan()));
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..20];
    }

    /// <summary>Features centred and scaled to unit variance per dimension (a constant dimension stays 0).</summary>
    private static double[] Standardise(Embeddings features)
    {
        int n = features.Count, d = features.Dimension;
        var (mean, deviation) = EmbeddingMath.MeanAndDeviation(features);
        var x = new double[(long)n * d];
        for (int i = 0; i < n; i++)
        {
            var row = features.Row(i);
            for (int j = 0; j < d; j++) x[(long)i * d + j] = deviation[j] > 0 ? (row[j] - mean[j]) / deviation[j] : 0;
        }
        return x;
    }

    private static void Softmax(double[] w, double[] b, double[] x, int i, int d, double[] output)
    {
        for (int c = 0; c < b.Length; c++)
        {
            double z = b[c];
            for (int j = 0; j < d; j++) z += w[c * d + j] * x[(long)i * d + j];
            output[c] = z;
        }
        EmbeddingMath.SoftmaxInPlace(output.AsSpan(0, b.Length));
    }

    private static int ArgMax(double[] values)
    {
        int best = 0;
        for (int c = 1; c < values.Length; c++) if (values[c] > values[best]) best = c;
        return best;
    }

    private static double Gaussian(Random random)
    {
        double u1 = 1 - random.NextDouble(), u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
