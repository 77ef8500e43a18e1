using SelectBench.Embedding;

namespace SelectBench.Curation;

/// <summary>Clusters of L2-normalised embeddings: unit centroids (k x d), each row's cluster and its cosine to that centroid.</summary>
public sealed record Clusters(float[] Centroids, int Count, int Dimension, int[] Assignment, float[] Similarity);

/// <summary>
/// Spherical k-means (cosine k-means) on L2-normalised embeddings, as SemDeDup (Abbas et al. 2023, section 3.1)
/// and the self-supervised prototypes of Sorscher et al. (2022, section 5) use: k-means++ seeding with distance
/// 1 - cosine (Arthur and Vassilvitskii 2007), then Lloyd iterations that assign each row to its most similar
/// centroid and set each centroid to its members' re-normalised mean, until no assignment changes. An empty
/// cluster keeps its centroid. Loops run in a fixed order, so the same rows and random source give the same clusters
/// on every machine (dot products are summed left to right in double, <see cref="EmbeddingMath.Dot"/>).
/// </summary>
public static class SphericalKMeans
{
    public static Clusters Fit(Embeddings normalised, int k, int maxIterations, Random random)
    {
        int n = normalised.Count, d = normalised.Dimension;
        k = Math.Max(1, Math.Min(k, n));
        var centroids = new float[k * d];
        var assignment = new int[n];
        var similarity = new float[n];
        if (n == 0) return new Clusters(centroids, k, d, assignment, similarity);

        // k-means++ seeding: the first centroid uniformly, each next one with probability proportional to (1 - best cosine)^2.
        normalised.Row(random.Next(n)).CopyTo(centroids.AsSpan(0, d));
        var best = new double[n];
        for (int i = 0; i < n; i++) best[i] = (float)EmbeddingMath.Dot(normalised.Row(i), centroids.AsSpan(0, d));
        for (int c = 1; c < k; c++)
        {
            double total = 0;
            for (int i = 0; i < n; i++) { double dist = Math.Max(0, 1 - best[i]); total += dist * dist; }
            int pick = n - 1;
            if (total > 0)
            {
                double target = random.NextDouble() * total, acc = 0;
                for (int i = 0; i < n; i++)
                {
                    double dist = Math.Max(0, 1 - best[i]);
                    acc += dist * dist;
                    if (acc >= target) { pick = i; break; }
                }
            }
            else pick = random.Next(n);
            var centroid = centroids.AsSpan(c * d, d);
            normalised.Row(pick).CopyTo(centroid);
            for (int i = 0; i < n; i++) best[i] = Math.Max(best[i], (float)EmbeddingMath.Dot(normalised.Row(i), centroid));
        }

        Array.Fill(assignment, -1);
        var sums = new double[k * d];
        var members = new int[k];
        for (int iteration = 0; iteration < maxIterations; iteration++)
        {
            bool changed = Assign(normalised, centroids, k, assignment, similarity);
            if (!changed) break;
            Array.Clear(sums);
            Array.Clear(members);
            for (int i = 0; i < n; i++)
            {
                int c = assignment[i];
                members[c]++;
                var row = normalised.Row(i);
                for (int j = 0; j < d; j++) sums[c * d + j] += row[j];
            }
            for (int c = 0; c < k; c++)
            {
                if (members[c] == 0) continue;
                double norm = 0;
                for (int j = 0; j < d; j++) norm += sums[c * d + j] * sums[c * d + j];
                norm = Math.Sqrt(norm);
                if (norm == 0) continue;
                for (int j = 0; j < d; j++) centroids[c * d + j] = (float)(sums[c * d + j] / norm);
            }
        }
        Assign(normalised, centroids, k, assignment, similarity);
        return new Clusters(centroids, k, d, assignment, similarity);
    }

    /// <summary>Each row to its most similar centroid (ties: the lower cluster); true when an assignment changed.</summary>
    private static bool Assign(Embeddings normalised, float[] centroids, int k, int[] assignment, float[] similarity)
    {
        int d = normalised.Dimension;
        bool changed = false;
        for (int i = 0; i < normalised.Count; i++)
        {
            var row = normalised.Row(i);
            int bestCluster = 0;
            float bestSim = float.NegativeInfinity;
            for (int c = 0; c < k; c++)
            {
                float s = (float)EmbeddingMath.Dot(row, centroids.AsSpan(c * d, d));
                if (s > bestSim) { bestSim = s; bestCluster = c; }
            }
            if (assignment[i] != bestCluster) { assignment[i] = bestCluster; changed = true; }
            similarity[i] = bestSim;
        }
        return changed;
    }
}
