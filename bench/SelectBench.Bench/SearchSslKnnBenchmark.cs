using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using SelectBench.Data;
using SelectBench.Encoders;
using SelectBench.Encoders.SelfSupervised;
using SelectBench.Search;
using SelectBench.Embedding;

namespace SelectBench.Bench;

/// <summary>
/// Trains the SimCLR encoder on the first N Fashion-MNIST train images (labels unused), then measures the
/// weighted kNN top-1 on the 10k test images with those N images as the memory bank: cosine top-k by exact
/// search, votes exp(sim / T) with k = 20 and T = 0.07 (Wu et al. 2018; the DINO eval_knn.py recipe the SELECT
/// paper's SSL metric follows). Pixel PCA (64 whitened dims) on the same images is printed as the baseline.
/// Usage: ssl-knn [--train 20000] [--epochs 3] [--width 16] [--batch 256] [--seed 0] [--k 20] [--threads 2]
///                [--lr 1e-3] [--temperature 0.5] [--projection 64] [--cosine 0|1] [--warmup 0]
///                [--min-crop 0.35] [--brightness 0.4] [--contrast 0.4] [--noise 0.03] [--flip 1] [--pca 1 (0 skips the PCA baseline)]
///                [--idx /usr/share/datasets/fashion-mnist] [--save folder]
/// Defaults of the SimCLR options are those of SimClrSettings and ContrastiveAugmentation, except width 16.
/// </summary>
public sealed class SearchSslKnnBenchmark : IBenchmark
{
    public string Name => "ssl-knn";
    public string Description => "train the SimCLR encoder on Fashion-MNIST, weighted kNN (k=20, T=0.07) top-1 on the test set";

    public int Run(string[] args)
    {
        var o = BenchArgs.Parse(args);
        int train = o.Int("train", 20_000), k = o.Int("k", 20);
        TorchSharp.torch.set_num_threads(o.Int("threads", 2));
        var folder = o.String("idx") ?? "/usr/share/datasets/fashion-mnist";
        var trainSet = ReadIdx(Path.Combine(folder, "train-images-idx3-ubyte.gz"), Path.Combine(folder, "train-labels-idx1-ubyte.gz"));
        var testSet = ReadIdx(Path.Combine(folder, "t10k-images-idx3-ubyte.gz"), Path.Combine(folder, "t10k-labels-idx1-ubyte.gz"));
        var bank = trainSet.Select(Enumerable.Range(0, Math.Min(train, trainSet.Count)).ToArray());
        var d = new SimClrSettings();
        var a = new ContrastiveAugmentation();
        var augmentation = new ContrastiveAugmentation(
            MinCropArea: o.Double("min-crop", a.MinCropArea), MaxAspectRatio: a.MaxAspectRatio,
            Brightness: o.Double("brightness", a.Brightness), Contrast: o.Double("contrast", a.Contrast),
            NoiseStd: o.Double("noise", a.NoiseStd), Flip: o.Int("flip", a.Flip ? 1 : 0) != 0);
        var settings = new SimClrSettings(Epochs: o.Int("epochs", 3), BatchSize: o.Int("batch", 256),
            LearningRate: o.Double("lr", d.LearningRate), WeightDecay: d.WeightDecay,
            Temperature: o.Double("temperature", d.Temperature), Width: o.Int("width", 16),
            ProjectionDimension: o.Int("projection", d.ProjectionDimension), Seed: o.Int("seed", 0),
            Augmentation: augmentation, CosineDecay: o.Int("cosine", 0) != 0, WarmupEpochs: o.Double("warmup", 0));
        Console.WriteLine($"SimCLR {settings} on {bank.Count} train images; kNN k = {k}, T = 0.07 on {testSet.Count} test images");

        var clock = Stopwatch.StartNew();
        if (o.Int("pca", 1) != 0)
        {
            var pca = PixelPcaEncoder.Fit(bank, 64);
            double pcaAcc = WeightedKnnTop1(pca.Encode(bank), bank.Labels, pca.Encode(testSet), testSet.Labels, k, 0.07);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pixel PCA k=64 weighted kNN top-1: {pcaAcc:F4} ({clock.Elapsed.TotalSeconds:F0} s)"));
            clock.Restart();
        }

        int stepsPerEpoch = bank.Count / Math.Min(settings.BatchSize, bank.Count), totalSteps = stepsPerEpoch * settings.Epochs;
        using var ssl = SelfSupervisedEncoder.Train(bank, settings, (step, loss) =>
        {
            // A plain log line every 10 steps with the rate so far, for logs where the progress bar is off.
            if ((step + 1) % 10 == 0 || step + 1 == totalSteps)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  step {step + 1}/{totalSteps} loss {loss:F4} {clock.Elapsed.TotalSeconds:F0} s, ETA {clock.Elapsed.TotalSeconds / (step + 1) * (totalSteps - step - 1):F0} s"));
        });
        double trainSeconds = clock.Elapsed.TotalSeconds;
        if (o.String("save") is { } save) ssl.Save(save);
        clock.Restart();
        double sslAcc = WeightedKnnTop1(ssl.Encode(bank), bank.Labels, ssl.Encode(testSet), testSet.Labels, k, 0.07);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{ssl.Name}: epoch losses [{string.Join(", ", ssl.State.EpochLosses.Select(l => l.ToString("F3", CultureInfo.InvariantCulture)))}], train {trainSeconds:F0} s, encode+kNN {clock.Elapsed.TotalSeconds:F0} s"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"SimCLR weighted kNN top-1: {sslAcc:F4}"));
        return 0;
    }

    /// <summary>Weighted kNN: each of the k nearest bank items votes for its label with weight exp(cos / T).</summary>
    internal static double WeightedKnnTop1(Embeddings bank, int[] bankLabels, Embeddings queries, int[] queryLabels, int k, double temperature)
    {
        using var search = new ExactCosineSearch(bank.Data, bank.Count, bank.Dimension);
        var neighbours = search.Search(queries.Data, queries.Count, k);
        int classes = bankLabels.Max() + 1, correct = 0;
        var votes = new double[classes];
        for (int q = 0; q < queries.Count; q++)
        {
            Array.Clear(votes);
            var idx = neighbours.IndicesOf(q);
            var sims = neighbours.SimilaritiesOf(q);
            for (int j = 0; j < k; j++) votes[bankLabels[idx[j]]] += Math.Exp(sims[j] / temperature);
            int best = 0;
            for (int c = 1; c < classes; c++) if (votes[c] > votes[best]) best = c;
            if (best == queryLabels[q]) correct++;
        }
        return (double)correct / queries.Count;
    }

    /// <summary>Reads an IDX image/label pair (gzip), http://yann.lecun.com/exdb/mnist/ format: big-endian header, raw uint8 data.</summary>
    private static ImageSet ReadIdx(string imagesPath, string labelsPath)
    {
        var images = Gunzip(imagesPath);
        var labels = Gunzip(labelsPath);
        int n = BigEndian(images, 4), h = BigEndian(images, 8), w = BigEndian(images, 12);
        if (BigEndian(images, 0) != 2051 || BigEndian(labels, 0) != 2049 || BigEndian(labels, 4) != n)
            throw new InvalidDataException($"{imagesPath} / {labelsPath}: not a matching IDX image/label pair");
        return new ImageSet(images[16..], labels[8..].Select(b => (int)b).ToArray(), LabelSet.FashionMnist, 1, h, w);
    }

    private static byte[] Gunzip(string path)
    {
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        return ms.ToArray();
    }

    private static int BigEndian(byte[] b, int at) => System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(b.AsSpan(at));
}
