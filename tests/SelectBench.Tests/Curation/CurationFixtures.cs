using System.Numerics.Tensors;
using SelectBench.Curation;
using SelectBench.Data;
using SelectBench.Encoders;
using SelectBench.Search;
using SelectBench.Embedding;

namespace SelectBench.Tests.Curation;

/// <summary>Exact cosine search by brute force, for tests (the library's search backends live on another branch).</summary>
internal sealed class BruteForceSearch(Embeddings pool) : INearestNeighbourSearch
{
    public int PoolSize => pool.Count;

    public Neighbours Search(float[] queries, int queryCount, int k)
    {
        int d = pool.Dimension;
        var indices = new int[queryCount * k];
        var sims = new float[queryCount * k];
        for (int q = 0; q < queryCount; q++)
        {
            var query = queries.AsSpan(q * d, d).ToArray();
            float qn = TensorPrimitives.Norm(query);
            var scored = Enumerable.Range(0, pool.Count).Select(i =>
            {
                float pn = TensorPrimitives.Norm(pool.Row(i));
                float s = qn == 0 || pn == 0 ? 0 : TensorPrimitives.Dot(query, pool.Row(i)) / (qn * pn);
                return (i, s);
            }).OrderByDescending(x => x.s).ThenBy(x => x.i).ToList();
            for (int n = 0; n < k; n++)
            {
                indices[q * k + n] = n < scored.Count ? scored[n].i : -1;
                sims[q * k + n] = n < scored.Count ? scored[n].s : float.NegativeInfinity;
            }
        }
        return new Neighbours(indices, sims, queryCount, k);
    }

    public void Dispose() { }
}

/// <summary>Tiny sets whose embeddings are given per image id.</summary>
internal sealed class TinyWorld
{
    public LabelSet Labels { get; }
    public Dictionary<string, float[]> Vectors { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, ImageSet> Sets { get; } = new(StringComparer.Ordinal);

    public TinyWorld(LabelSet labels) => Labels = labels;

    /// <summary>Adds a set of 1x2x2 images (pixel = index) with the given ids, labels, vectors and hidden truths.</summary>
    public ImageSet AddSet(string name, string[] ids, int[] labels, float[][] vectors, int[]? truth = null)
    {
        var pixels = new byte[ids.Length * 4];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)(i / 4);
        SampleProvenance[]? prov = truth == null ? null
            : ids.Select((id, i) => new SampleProvenance($"test:{name}", id, TrueLabel: truth[i])).ToArray();
        var set = new ImageSet(pixels, labels, Labels, 1, 2, 2, ids, prov);
        for (int i = 0; i < ids.Length; i++) Vectors[ids[i]] = vectors[i];
        Sets[name] = set;
        return set;
    }

    public Embeddings Embed(ImageSet set)
    {
        int d = Vectors.Values.First().Length;
        var data = new float[set.Count * d];
        for (int i = 0; i < set.Count; i++) Vectors[set.Ids[i]].CopyTo(data, i * d);
        return new Embeddings(data, set.Count, d);
    }

    public CurationContext Context(int targetSize, long seed = 7, CostModel? costs = null,
                                   Dictionary<string, CrowdAnnotations>? crowds = null,
                                   Dictionary<string, SelectBench.Curation.Generators.IImageGenerator>? generators = null,
                                   string? scoreFolder = null) =>
        new(Labels, targetSize, seed, Sets, Embed, e => new BruteForceSearch(e), costs, crowds, generators) { ScoreFolder = scoreFolder };

    /// <summary>A unit vector at angle <paramref name="degrees"/> in the plane (2-d embeddings).</summary>
    public static float[] At(double degrees) =>
        [(float)Math.Cos(degrees * Math.PI / 180), (float)Math.Sin(degrees * Math.PI / 180)];

    public static string[] Ids(string prefix, int n) => Enumerable.Range(0, n).Select(i => $"{prefix}{i}").ToArray();
}
