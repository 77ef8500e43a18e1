using SelectBench.Common;
using SelectBench.Encoders.SelfSupervised;
using static TorchSharp.torch;

namespace SelectBench.Tests.Encoders;

public class SelfSupervisedEncoderTests
{
    private static readonly SimClrSettings Tiny = new(Epochs: 1, BatchSize: 12, LearningRate: 3e-3, Width: 4, ProjectionDimension: 8, Seed: 7);

    [Fact]
    public void Nt_xent_matches_the_hand_computed_value()
    {
        // Views (e1, e2) and (e1, e2), T = 0.5. Row 0 (e1) sees row 1 (e2): cos 0, row 2 (e1, its positive):
        // cos 1, row 3 (e2): cos 0, so its loss is -log(e^2 / (e^2 + 2)); all four rows are alike.
        using var z = tensor(new float[] { 1, 0, 0, 1 }, [2, 2]);
        using var loss = ContrastiveViews.NtXent(z, z, 0.5);
        Assert.Equal(-Math.Log(Math.Exp(2) / (Math.Exp(2) + 2)), loss.item<float>(), 5);
    }

    [Fact]
    public void Augmentation_with_every_jitter_off_is_the_identity_and_stays_in_range()
    {
        var images = EncoderTestData.Shapes(6, 16, seed: 1);
        using var x = tensor(images.Pixels, [6, 1, 16, 16]).to_type(ScalarType.Float32) / 255f;
        var gen = new Generator(3);
        using var same = ContrastiveViews.Augment(x, new ContrastiveAugmentation(MinCropArea: 1, MaxAspectRatio: 1, Brightness: 0, Contrast: 0, NoiseStd: 0, Flip: false), gen);
        Assert.True((same - x).abs().max().item<float>() < 1e-5f);
        using var view = ContrastiveViews.Augment(x, new ContrastiveAugmentation(), gen);
        Assert.Equal(x.shape, view.shape);
        Assert.True(view.min().item<float>() >= 0 && view.max().item<float>() <= 1);
        Assert.True((view - x).abs().max().item<float>() > 0.05f);
    }

    [Fact]
    public void Loss_decreases_during_training()
    {
        var pool = EncoderTestData.Shapes(36, 16, seed: 2);
        var losses = new List<double>();
        using var encoder = SelfSupervisedEncoder.Train(pool, Tiny with { Epochs = 5 }, (_, loss) => losses.Add(loss));
        Assert.Equal(15, losses.Count); // 36 / 12 = 3 steps per epoch
        // Chance level for 2B = 24 projections is ln(23) = 3.14.
        Assert.True(losses.Take(3).Average() > losses.TakeLast(3).Average() + 0.1,
            $"first steps {losses.Take(3).Average():F3}, last steps {losses.TakeLast(3).Average():F3}");
        Assert.Equal(16, encoder.Dimension);
    }

    [Fact]
    public void Same_seed_gives_identical_embeddings_and_save_load_round_trips()
    {
        var pool = EncoderTestData.Shapes(36, 16, seed: 3);
        using var a = SelfSupervisedEncoder.Train(pool, Tiny);
        using var b = SelfSupervisedEncoder.Train(pool, Tiny);
        using var c = SelfSupervisedEncoder.Train(pool, Tiny with { Seed = 8 });
        var za = a.Encode(pool);
        Assert.Equal(a.Name, b.Name);
        Assert.Equal(za.Data, b.Encode(pool).Data);
        Assert.NotEqual(a.Name, c.Name);
        Assert.NotEqual(za.Data, c.Encode(pool).Data);

        var folder = EncoderTestData.TempFolder();
        try
        {
            a.Save(folder);
            using var loaded = SelfSupervisedEncoder.Load(folder);
            Assert.Equal(a.Name, loaded.Name);
            Assert.Equal(za.Data, loaded.Encode(pool).Data);
            Assert.Equal(a.State.EpochLosses, loaded.State.EpochLosses);

            c.Save(Path.Combine(folder, "other"));
            File.Copy(Path.Combine(folder, "other", "ssl_weights.dat"), Path.Combine(folder, "ssl_weights.dat"), overwrite: true);
            Assert.Throws<BadInputException>(() => SelfSupervisedEncoder.Load(folder));
        }
        finally { Directory.Delete(folder, true); }
    }

    [Fact]
    public void Cosine_schedule_warms_up_linearly_then_decays_on_a_cosine_and_the_default_is_constant()
    {
        // 2 epochs of 10 steps, warm-up 0.5 epoch = 5 steps, base 0.1 (SimCLR appendix B.1: linear warm-up, cosine decay).
        var cosine = Tiny with { Epochs = 2, LearningRate = 0.1, CosineDecay = true, WarmupEpochs = 0.5 };
        Assert.Equal(0.1 * 1 / 5, SelfSupervisedEncoder.LearningRateAt(cosine, 0, 10), 12);
        Assert.Equal(0.1 * 3 / 5, SelfSupervisedEncoder.LearningRateAt(cosine, 2, 10), 12);
        Assert.Equal(0.1, SelfSupervisedEncoder.LearningRateAt(cosine, 5, 10), 12);
        // Step 12: 7 of the 15 cosine steps done: 0.05 * (1 + cos(7 pi / 15)) = 0.05 * 1.104528 = 0.0552264.
        Assert.Equal(0.0552264, SelfSupervisedEncoder.LearningRateAt(cosine, 12, 10), 6);
        // Last step: 0.05 * (1 + cos(14 pi / 15)) = 0.05 * (1 - 0.978148) = 0.0010926.
        Assert.Equal(0.0010926, SelfSupervisedEncoder.LearningRateAt(cosine, 19, 10), 6);
        Assert.Equal(3e-3, SelfSupervisedEncoder.LearningRateAt(Tiny, 0, 10), 12);
        Assert.Equal(3e-3, SelfSupervisedEncoder.LearningRateAt(Tiny with { Epochs = 2 }, 19, 10), 12);
        Assert.Throws<SelectBenchException>(() => SelfSupervisedEncoder.Train(EncoderTestData.Shapes(12, 16, seed: 4), cosine with { WarmupEpochs = -1 }));
    }

    [Fact]
    public void Wrong_shapes_and_settings_are_clear_errors()
    {
        var pool = EncoderTestData.Shapes(12, 16, seed: 4);
        Assert.Throws<SelectBenchException>(() => SelfSupervisedEncoder.Train(pool, Tiny with { Temperature = 0 }));
        Assert.Throws<SelectBenchException>(() => SelfSupervisedEncoder.Train(pool.Select([0]), Tiny));
        using var encoder = SelfSupervisedEncoder.Train(pool, Tiny);
        Assert.Contains("trained on 1x16x16", Assert.Throws<SelectBenchException>(() => encoder.Encode(EncoderTestData.Shapes(2, 8, seed: 5))).Message);
    }
}
