using SelectBench.Tests.Training;
using SelectBench.Training;

namespace SelectBench.Tests.Engine;

/// <summary>
/// Several trainings in one process on parallel threads while another thread forces garbage collections and
/// runs finalizers without pause. Any tensor or Scalar that native code reads after its .NET owner became
/// unreachable is then freed under it: before the Scalar fix this failed within seconds ("Expected false to be
/// true ... Scalar.h", "alpha must not be a floating point number", NaN losses; docs/engine.md). Each training
/// uses one intra-op thread, so its numbers are deterministic and must equal a quiet run's bit for bit.
/// </summary>
public sealed class ConcurrencyStressTests
{
    private static readonly TrainingRecipe Recipe = new(
        Model: "resnet20", Width: 0.25, Epochs: 8, BatchSize: 4, LearningRate: 0.05, WeightDecay: 5e-4, WarmupEpochs: 1,
        Augmentation: new AugmentationSettings(Crop: "pad", CropPadding: 2, HorizontalFlip: true),
        MixupAlpha: 0.2, CutmixAlpha: 1.0, LabelSmoothing: 0.1, Seed: 5, Threads: 1);

    [Fact]
    public void Parallel_trainings_under_forced_collections_match_a_quiet_run_bit_for_bit()
    {
        var train = TinyData.Blocks(96, 11, size: 12);
        var test = TinyData.Blocks(40, 12, size: 12);
        var quiet = Probabilities(train, test);

        using var stop = new CancellationTokenSource();
        long collections = 0;
        var collector = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                Interlocked.Increment(ref collections);
            }
        })
        { IsBackground = true };
        collector.Start();
        const int Workers = 3, RunsPerWorker = 2;
        var results = new byte[Workers * RunsPerWorker][];
        try
        {
            Parallel.For(0, Workers, new ParallelOptions { MaxDegreeOfParallelism = Workers }, w =>
            {
                for (int r = 0; r < RunsPerWorker; r++) results[w * RunsPerWorker + r] = Probabilities(train, test);
            });
        }
        finally
        {
            stop.Cancel();
            collector.Join();
        }
        Assert.True(Interlocked.Read(ref collections) > 10, $"only {collections} forced collections ran during the trainings");
        foreach (var r in results) Assert.Equal(quiet, r);
    }

    /// <summary>Trains the tiny recipe in a fresh folder and returns its test-probability file's bytes.</summary>
    private static byte[] Probabilities(SelectBench.Data.ImageSet train, SelectBench.Data.ImageSet test)
    {
        var dir = TinyData.TempFolder("stress");
        try
        {
            var result = new Trainer(Recipe, new TrainerOptions(ShowProgress: false)).Train(train, null, test, dir);
            Assert.True(double.IsFinite(result.Metrics!.FinalTrainLoss));
            return File.ReadAllBytes(Path.Combine(dir, "test_probabilities.npy"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
