namespace SelectBench.Training;

/// <summary>
/// Per-step learning rate: linear warm-up from base/W to base over the first W steps, then a half-cosine
/// from base down to 0 over the remaining steps (Loshchilov and Hutter, "SGDR", ICLR 2017, without
/// restarts; warm-up as in Goyal et al., "Accurate, Large Minibatch SGD", 2017).
/// </summary>
public static class LearningRateSchedule
{
    /// <summary>Learning rate for zero-based <paramref name="step"/> of <paramref name="totalSteps"/>.</summary>
    /// <remarks>
    /// Warm-up step s (s &lt; W) uses base * (s + 1) / W, so the first step is not wasted at lr 0 and step W-1
    /// reaches base. Cosine step s (s &gt;= W) uses base * (1 + cos(pi * (s - W) / (T - W))) / 2: base at s = W,
    /// approaching 0 at the end (it would be exactly 0 at s = T, one step past the last).
    /// </remarks>
    public static double At(long step, long totalSteps, long warmupSteps, double baseLearningRate)
    {
        if (totalSteps <= 0) throw new ArgumentOutOfRangeException(nameof(totalSteps), "must be positive");
        if (step < 0 || step >= totalSteps) throw new ArgumentOutOfRangeException(nameof(step), $"must lie in [0, {totalSteps})");
        warmupSteps = Math.Clamp(warmupSteps, 0, totalSteps - 1);
        if (step < warmupSteps) return baseLearningRate * (step + 1) / warmupSteps;
        double progress = (double)(step - warmupSteps) / (totalSteps - warmupSteps);
        return baseLearningRate * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }

    /// <summary>Warm-up epochs (possibly fractional) in steps, rounded to the nearest step.</summary>
    public static long WarmupSteps(double warmupEpochs, long stepsPerEpoch) =>
        (long)Math.Round(warmupEpochs * stepsPerEpoch, MidpointRounding.AwayFromZero);
}
