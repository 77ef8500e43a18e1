using SelectBench.Training;

namespace SelectBench.Tests.Training;

public sealed class ScheduleAndWeightsTests
{
    [Fact]
    public void Warmup_is_linear_then_cosine_decays_towards_zero()
    {
        // 10 steps, 2 warm-up steps, base 0.1: warm-up 0.05, 0.1; then 0.1 * (1 + cos(pi * k / 8)) / 2.
        double[] expected =
        [
            0.05, 0.1,
            0.1, 0.1 * (1 + Math.Cos(Math.PI / 8)) / 2, 0.05 * (1 + Math.Cos(Math.PI / 4)), 0.05 * (1 + Math.Cos(3 * Math.PI / 8)),
            0.05, 0.05 * (1 + Math.Cos(5 * Math.PI / 8)), 0.05 * (1 + Math.Cos(3 * Math.PI / 4)), 0.05 * (1 + Math.Cos(7 * Math.PI / 8)),
        ];
        for (int s = 0; s < 10; s++) Assert.Equal(expected[s], LearningRateSchedule.At(s, 10, 2, 0.1), 12);
        Assert.Equal(0.05 * (1 - Math.Cos(Math.PI / 8)), LearningRateSchedule.At(9, 10, 2, 0.1), 12);
    }

    [Fact]
    public void No_warmup_starts_at_the_base_rate()
    {
        Assert.Equal(0.2, LearningRateSchedule.At(0, 4, 0, 0.2), 12);
        Assert.Equal(0.1, LearningRateSchedule.At(2, 4, 0, 0.2), 12);
        Assert.Equal(3, LearningRateSchedule.WarmupSteps(0.5, 5));
    }

    [Fact]
    public void Class_weights_are_inverse_frequency_and_average_one_over_samples()
    {
        // counts 1, 3, 0, 4: N = 8, K' = 3 present classes; w_c = 8 / (3 n_c).
        var w = ClassWeights.InverseFrequency([1, 3, 0, 4]);
        Assert.Equal(8.0 / 3, w[0], 5);
        Assert.Equal(8.0 / 9, w[1], 5);
        Assert.Equal(0.0, w[2], 5);
        Assert.Equal(8.0 / 12, w[3], 5);
        Assert.Equal(1.0, (1 * w[0] + 3 * w[1] + 4 * w[3]) / 8, 5);
        Assert.All(ClassWeights.InverseFrequency([5, 5]), v => Assert.Equal(1f, v));
    }

    [Fact]
    public void Balanced_sampler_gives_each_class_equal_mass()
    {
        int[] labels = [0, 1, 1, 1];
        var p = ClassWeights.BalancedSamplingProbabilities(labels, [1, 3]);
        Assert.Equal(0.5, p[0], 12);
        Assert.Equal(1.0 / 6, p[1], 12);
        Assert.Equal(1.0, p.Sum(), 12);
    }

    [Fact]
    public void A_single_leftover_sample_joins_the_previous_batch()
    {
        Assert.Equal([(0, 4), (4, 5)], Trainer.Batches(9, 4));
        Assert.Equal([(0, 4), (4, 4), (8, 2)], Trainer.Batches(10, 4));
        Assert.Equal([(0, 3)], Trainer.Batches(3, 8));
    }
}
