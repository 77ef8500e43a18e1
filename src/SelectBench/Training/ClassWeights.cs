namespace SelectBench.Training;

/// <summary>
/// Inverse-class-frequency weights for the cross-entropy loss, normalised so that the weight averages 1
/// over the training <em>samples</em>: w_c = N / (K' * n_c), where n_c is the count of class c, N the
/// number of samples and K' the number of classes present. Then sum_i w_(y_i) = sum_c n_c * N / (K' n_c) = N,
/// so the loss keeps the scale of the unweighted loss (the same learning rate fits) while every present
/// class contributes the same total weight N / K'. This is scikit-learn's class_weight="balanced"
/// (n_samples / (n_classes * bincount(y))), counting only classes that occur. Absent classes get weight 0.
/// </summary>
public static class ClassWeights
{
    public static float[] InverseFrequency(IReadOnlyList<int> classCounts)
    {
        long total = 0;
        int present = 0;
        foreach (var n in classCounts)
        {
            if (n < 0) throw new ArgumentException("class counts cannot be negative", nameof(classCounts));
            total += n;
            if (n > 0) present++;
        }
        var weights = new float[classCounts.Count];
        if (present == 0) return weights;
        for (int c = 0; c < weights.Length; c++)
            weights[c] = classCounts[c] == 0 ? 0f : (float)((double)total / ((double)present * classCounts[c]));
        return weights;
    }

    /// <summary>
    /// Per-sample probabilities for the class-balanced sampler: each sample of class c gets 1 / (K' * n_c),
    /// so every present class is drawn with probability 1 / K' per draw.
    /// </summary>
    public static double[] BalancedSamplingProbabilities(IReadOnlyList<int> labels, IReadOnlyList<int> classCounts)
    {
        int present = classCounts.Count(n => n > 0);
        var p = new double[labels.Count];
        for (int i = 0; i < p.Length; i++) p[i] = 1.0 / ((double)present * classCounts[labels[i]]);
        return p;
    }
}
