using SelectBench.Common;
using SelectBench.Data;
using SelectBench.Evaluation;
using SelectBench.Training;
using static TorchSharp.torch;

namespace SelectBench.Tests.Training;

public sealed class TrainerTests
{
    private static readonly TrainingRecipe Tiny = new(
        Model: "resnet20", Width: 0.25, Epochs: 6, BatchSize: 20, LearningRate: 0.05, WeightDecay: 5e-4, WarmupEpochs: 1,
        Augmentation: new AugmentationSettings(Crop: "none", HorizontalFlip: false), Seed: 3, Threads: 1);

    private static readonly TrainerOptions Quiet = new(ShowProgress: false);

    [Fact]
    public void Tiny_end_to_end_training_beats_chance_by_a_wide_margin()
    {
        var dir = TinyData.TempFolder("e2e");
        var result = new Trainer(Tiny, Quiet).Train(TinyData.Blocks(200, 1), TinyData.Blocks(50, 2), TinyData.Blocks(100, 3), dir);
        Assert.NotNull(result.Metrics);
        Assert.True(result.Metrics!.Top1 > 0.6, $"test top-1 {result.Metrics.Top1} should be far above chance 0.1");
        var metrics = File.ReadAllText(Path.Combine(dir, Trainer.MetricsFile));
        foreach (var key in new[] { "\"top1\"", "\"top5\"", "\"per_class_accuracy\"", "\"balanced_accuracy\"", "\"epochs\"", "\"seconds\"", "\"images_per_second\"" })
            Assert.Contains(key, metrics);
        var log = File.ReadAllLines(Path.Combine(dir, Trainer.LogFile));
        Assert.Equal("epoch,lr,train_loss,train_acc,val_loss,val_top1,seconds", log[0]);
        Assert.Equal(Tiny.Epochs + 1, log.Length);
        Assert.True(File.Exists(Path.Combine(dir, "test_probabilities.npy")));
    }

    [Fact]
    public void Resume_after_one_epoch_is_bit_exact_with_an_uninterrupted_run()
    {
        var recipe = Tiny with
        {
            Epochs = 2,
            Augmentation = new AugmentationSettings(Crop: "pad", CropPadding: 2, HorizontalFlip: true),
            MixupAlpha = 0.2,
            CutmixAlpha = 1.0,
            LabelSmoothing = 0.1,
        };
        var train = TinyData.Blocks(60, 4, size: 8);
        var test = TinyData.Blocks(20, 5, size: 8);
        var straight = TinyData.TempFolder("straight");
        var resumed = TinyData.TempFolder("resumed");
        var a = new Trainer(recipe, Quiet).Train(train, null, test, straight);
        var partial = new Trainer(recipe, Quiet with { StopAfterEpochs = 1 }).Train(train, null, test, resumed);
        Assert.Null(partial.Metrics);
        Assert.Equal(1, partial.EpochsDone);
        var b = new Trainer(recipe, Quiet).Train(train, null, test, resumed);
        Assert.True(b.Metrics!.ResumedFromCheckpoint);

        TinyData.AssertSameWeights(a.CheckpointPath, b.CheckpointPath, "resume");
        Assert.Equal(a.Metrics!.Top1, b.Metrics.Top1);
        Assert.Equal(a.Metrics.FinalTrainLoss, b.Metrics.FinalTrainLoss);
    }

    [Fact]
    public void A_cancelled_training_stops_and_the_rerun_resumes_from_its_last_epoch()
    {
        var recipe = Tiny with { Epochs = 2 };
        var train = TinyData.Blocks(60, 4, size: 8);
        var folder = TinyData.TempFolder("cancelled");
        new Trainer(recipe, Quiet with { StopAfterEpochs = 1 }).Train(train, null, null, folder);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.Throws<OperationCanceledException>(() =>
            new Trainer(recipe, Quiet with { Cancellation = cancelled.Token }).Train(train, null, null, folder));
        var resumed = new Trainer(recipe, Quiet).Train(train, null, null, folder);
        Assert.True(resumed.Metrics!.ResumedFromCheckpoint);
        Assert.Equal(2, resumed.EpochsDone);
    }

    [Fact]
    public void A_changed_recipe_refuses_to_resume_and_names_the_change()
    {
        var dir = TinyData.TempFolder("changed");
        var train = TinyData.Blocks(30, 6, size: 8);
        new Trainer(Tiny with { Epochs = 2 }, Quiet with { StopAfterEpochs = 1 }).Train(train, null, null, dir);
        var e = Assert.Throws<SelectBenchException>(() => new Trainer(Tiny with { Epochs = 2, LearningRate = 0.01 }, Quiet).Train(train, null, null, dir));
        Assert.Contains("learning_rate: 0.05 -> 0.01", e.Message);
        Assert.Contains("--force", e.Message);
        var forced = new Trainer(Tiny with { Epochs = 2, LearningRate = 0.01 }, Quiet with { Force = true }).Train(train, null, null, dir);
        Assert.False(forced.Metrics!.ResumedFromCheckpoint);
    }

    [Fact]
    public void Divergence_stops_with_epoch_step_and_checkpoint()
    {
        var dir = TinyData.TempFolder("nan");
        var recipe = Tiny with { Epochs = 3, LearningRate = 1e12, WarmupEpochs = 0 };
        var train = TinyData.Blocks(40, 7, size: 8);
        var e = Assert.Throws<SelectBenchException>(() => new Trainer(recipe, Quiet).Train(train, null, null, dir));
        Assert.Matches(@"Training diverged: the loss is (NaN|-?Infinity|∞|-∞) at epoch \d+, step \d+ of 2\.", e.Message);
        Assert.True(e.Message.Contains("checkpoint", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Checkpoint_round_trip_gives_identical_outputs_and_rejects_truncation()
    {
        var dir = TinyData.TempFolder("ckpt");
        var train = TinyData.Blocks(30, 8, size: 8);
        var result = new Trainer(Tiny with { Epochs = 1, WarmupEpochs = 0 }, Quiet).Train(train, null, null, dir);
        var (meta, model) = TrainingCheckpoint.LoadModel(result.CheckpointPath);
        using var _ = model;
        using var classifier = SelectBench.Evaluation.Classifiers.TorchSharpClassifier.Load(result.CheckpointPath);
        var direct = ModelInference.PredictProbabilities(model, meta.Normalization, meta.Height, meta.Width, train, CPU);
        Assert.Equal(direct, classifier.PredictProbabilities(train));
        Assert.True(train.LabelSet.SameAs(classifier.LabelSet));

        var truncated = Path.Combine(dir, "truncated.ckpt");
        var bytes = File.ReadAllBytes(result.CheckpointPath);
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        Assert.Throws<BadInputException>(() => TrainingCheckpoint.LoadModel(truncated));
    }

    [Fact]
    public void Class_balanced_sampler_and_weighted_loss_train()
    {
        var dir = TinyData.TempFolder("balanced");
        var train = TinyData.Blocks(100, 9, size: 8);
        var imbalanced = train.Select(Enumerable.Range(0, 100).Where(i => i % 10 != 3 || i < 20).ToArray());
        var recipe = Tiny with { Epochs = 2, ClassWeightedLoss = true, ClassBalancedSampler = true };
        var result = new Trainer(recipe, Quiet).Train(imbalanced, null, TinyData.Blocks(20, 10, size: 8), dir);
        Assert.InRange(result.Metrics!.Top1!.Value, 0, 1);
        Assert.True(double.IsFinite(result.Metrics.FinalTrainLoss));
    }

    [Fact]
    public void Soft_target_cross_entropy_matches_hand_values()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(new float[] { 0, 0, 1, 1 }, [2, 2]);
        var targets = tensor(new float[] { 1, 0, 0.5f, 0.5f }, [2, 2]);
        // Row 0: -log(1/2); row 1: -log(1/2) as both logits are equal.
        Assert.Equal(Math.Log(2), Trainer.SoftTargetCrossEntropy(logits, targets, null).item<float>(), 5);
        var weights = tensor(new float[] { 3, 1 });
        // Sample weights 3 and 2: (3 ln2 + 2 ln2) / 5 = ln2.
        Assert.Equal(Math.Log(2), Trainer.SoftTargetCrossEntropy(logits, targets, weights).item<float>(), 5);
    }

    [Fact]
    public void Metrics_record_the_skipped_training_inputs_whether_or_not_the_set_was_cached()
    {
        var root = TinyData.TempFolder("skips");
        var data = Path.Combine(root, "data");
        var blocks = TinyData.Blocks(20, 11, size: 8);
        for (int i = 0; i < blocks.Count; i++)
        {
            var folder = Directory.CreateDirectory(Path.Combine(data, $"c{blocks.Labels[i] % 2}")).FullName;
            File.WriteAllBytes(Path.Combine(folder, $"{i:D2}.png"), ImageCodec.Encode(blocks.Image(i), 1, 8, 8));
        }
        File.WriteAllBytes(Path.Combine(data, "c0", "broken.png"), [0x89, (byte)'P', (byte)'N', (byte)'G']);
        var options = new DataLoadOptions(BadInputPolicy.Skip, new ImageTransform(Channels: 1), CacheRoot: Path.Combine(root, "cache"), OnWarning: _ => { });

        string[] SkipsInMetrics(DataLoadResult loaded, string name)
        {
            var result = new Trainer(Tiny with { Epochs = 1, WarmupEpochs = 0 }, Quiet with { SkippedTrainingInputs = loaded.Skipped })
                .Train(loaded.Images, null, null, Path.Combine(root, name));
            Assert.Equal(loaded.Skipped, result.Metrics!.SkippedTrainingInputs);
            using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(result.Folder, Trainer.MetricsFile)));
            return json.RootElement.GetProperty("skipped_training_inputs").EnumerateArray()
                .Select(s => $"{s.GetProperty("item").GetString()}: {s.GetProperty("reason").GetString()}").ToArray();
        }

        var fresh = DataSources.Load(data, options);
        var cached = DataSources.Load(data, options);
        Assert.False(fresh.FromCache);
        Assert.True(cached.FromCache);
        var freshSkips = SkipsInMetrics(fresh, "fresh");
        Assert.Contains("broken.png", Assert.Single(freshSkips));
        Assert.Equal(freshSkips, SkipsInMetrics(cached, "cached"));
    }
}
