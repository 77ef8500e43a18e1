using SelectBench.Common;
using SelectBench.Embedding;

namespace SelectBench.Curation.Strategies;

/// <param name="Pool">The web pool selected from.</param>
/// <param name="WebLabels">"simulated" (drawn from the pool's hidden truth) or "given" (the pool's own labels).</param>
/// <param name="WebLabelNoise">For simulated web labels: the share of real images given a wrong class.</param>
public sealed record KCenterCoresetSettings(string Pool = "pool", string WebLabels = WebPool.Simulated, double WebLabelNoise = 0.3) : ISettings
{
    public void Validate(string where) => WebPool.Validate(where, Pool, WebLabels, WebLabelNoise);
}

/// <summary>
/// A coreset by k-center greedy (Sener and Savarese 2018, "Active Learning for Convolutional Neural Networks: A
/// Core-Set Approach", ICLR, Algorithm 1): starting from one image, repeatedly add the image whose distance to its
/// nearest chosen image is largest, a 2-approximation of the minimax cover. Distance is the cosine distance in the
/// fixed encoder (the Euclidean distance of unit vectors, a monotone function of it). It runs inside each web
/// label, N/K images per class, so the shift is class-balanced at N like the other selection strategies; the first
/// image of each class is the first of that class in the run's pool order (the paper starts from its labelled set).
/// </summary>
[Registered("kcenter-coreset", Settings = typeof(KCenterCoresetSettings),
    Description = "Sener & Savarese 2018 k-center greedy coreset on the fixed embeddings, N/K per web label")]
public sealed class KCenterCoreset(KCenterCoresetSettings settings) : IShiftStrategy
{
    public string Name => "kcenter-coreset";

    public Shift Build(CurationContext context)
    {
        var pool = WebPool.Load(context, settings.Pool, settings.WebLabels, settings.WebLabelNoise, Name);
        var emb = pool.Embeddings(context);
        var order = pool.Order(context);
        var picked = new List<int>();
        for (int c = 0; c < pool.Classes; c++)
        {
            var members = order.Where(i => pool.Labels[i] == c).ToArray();
            picked.AddRange(Greedy(emb, members, context.PerClassTarget).Select(m => members[m]));
            context.Progress("kcenter-coreset: classes", c + 1, pool.Classes);
        }
        picked.Sort();
        return pool.Assemble(Name, context, picked, embedded: true, 0,
            [$"k-center greedy over each web label's images in '{settings.Pool}' ({pool.Count} images), {context.PerClassTarget} centres per class."]);
    }

    /// <summary>
    /// k-center greedy over the rows <paramref name="members"/> of <paramref name="normalised"/>: positions into
    /// <paramref name="members"/>, in the order chosen, starting with position 0. Ties go to the lower position.
    /// </summary>
    public static int[] Greedy(Embeddings normalised, IReadOnlyList<int> members, int count)
    {
        int n = members.Count;
        count = Math.Min(count, n);
        if (count == 0) return [];
        var nearest = new double[n];
        Array.Fill(nearest, double.PositiveInfinity);
        var chosen = new List<int>(count) { 0 };
        int last = 0;
        nearest[0] = double.NegativeInfinity; // a chosen image is never chosen again, even among exact duplicates
        while (chosen.Count < count)
        {
            var centre = normalised.Row(members[last]);
            int farthest = -1;
            double farthestDistance = double.NegativeInfinity;
            for (int m = 0; m < n; m++)
            {
                nearest[m] = Math.Min(nearest[m], 1 - EmbeddingMath.Dot(normalised.Row(members[m]), centre));
                if (nearest[m] > farthestDistance) { farthestDistance = nearest[m]; farthest = m; }
            }
            chosen.Add(farthest);
            nearest[farthest] = double.NegativeInfinity;
            last = farthest;
        }
        return chosen.ToArray();
    }
}
