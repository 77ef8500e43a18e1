using SelectBench.Common;

namespace SelectBench.Training;

/// <summary>
/// The order in which the parallel loader reads a training set in one epoch, a function of (seed, epoch) only, so
/// a resumed run redraws the same order without saved generator state. docs/training.md "The parallel loader"
/// explains why index-level random access (<see cref="Shuffled"/>) is the one the trainer uses; the WebDataset-style
/// <see cref="ShardBuffered"/> order is kept for the benchmark that compares the two.
/// </summary>
public static class EpochOrder
{
    /// <summary>A uniform permutation of 0..count-1 (Fisher-Yates, Knuth TAOCP vol. 2, 3.4.2, algorithm P).</summary>
    public static int[] Shuffled(int count, int seed, int epoch)
    {
        var rng = new SplitMix64(Seeds.LoaderSample(seed, epoch, -1));
        var order = new int[count];
        for (int i = 0; i < count; i++) order[i] = i;
        for (int i = count - 1; i > 0; i--)
        {
            int j = (int)rng.NextBelow((ulong)i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    /// <summary>
    /// <paramref name="count"/> draws with replacement, sample i with probability <paramref name="probabilities"/>[i]
    /// (the class-balanced sampler), by inverse transform sampling on the cumulative sums.
    /// </summary>
    public static int[] Sampled(double[] probabilities, int seed, int epoch)
    {
        var rng = new SplitMix64(Seeds.LoaderSample(seed, epoch, -1));
        var cumulative = new double[probabilities.Length];
        double total = 0;
        for (int i = 0; i < probabilities.Length; i++) cumulative[i] = total += probabilities[i];
        var order = new int[probabilities.Length];
        for (int k = 0; k < order.Length; k++)
        {
            double u = ResizedCropBox.Uniform(rng) * total;
            int at = Array.BinarySearch(cumulative, u);
            at = at < 0 ? ~at : at + 1;
            order[k] = Math.Min(at, probabilities.Length - 1);
        }
        return order;
    }

    /// <summary>
    /// WebDataset's shuffle (webdataset/filters.py, shuffle with bufsize and initial): shards of
    /// <paramref name="shardSize"/> consecutive samples in a shuffled order, read sequentially into a buffer of
    /// <paramref name="bufferSize"/> samples; once the buffer is full, each incoming sample replaces a random
    /// buffered one, which is emitted; at the end the buffer drains in random order. Every sample once per epoch,
    /// but a sample can only move about a buffer's length from its shard's place.
    /// </summary>
    public static int[] ShardBuffered(int count, int shardSize, int bufferSize, int seed, int epoch)
    {
        var rng = new SplitMix64(Seeds.LoaderSample(seed, epoch, -2));
        int shards = (count + shardSize - 1) / shardSize;
        var shardOrder = Shuffled(shards, seed, epoch);
        var buffer = new List<int>(bufferSize);
        var order = new List<int>(count);
        foreach (int s in shardOrder)
            for (int i = s * shardSize; i < Math.Min(count, (s + 1) * shardSize); i++)
            {
                if (buffer.Count < bufferSize) { buffer.Add(i); continue; }
                int k = (int)rng.NextBelow((ulong)buffer.Count);
                order.Add(buffer[k]);
                buffer[k] = i;
            }
        while (buffer.Count > 0)
        {
            int k = (int)rng.NextBelow((ulong)buffer.Count);
            order.Add(buffer[k]);
            buffer[k] = buffer[^1];
            buffer.RemoveAt(buffer.Count - 1);
        }
        return order.ToArray();
    }
}
