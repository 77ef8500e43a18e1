using SelectBench.Data;
using SelectBench.Training;
using static TorchSharp.torch;

namespace SelectBench.Tests.Training;

/// <summary>An in-memory <see cref="IEncodedImageSource"/> over JPEGs made in the test.</summary>
internal sealed class MemoryEncodedSource(IReadOnlyList<byte[]> files) : IEncodedImageSource
{
    public int Count => files.Count;
    public ReadOnlyMemory<byte> Encoded(int index) => files[index];
    public string Describe(int index) => $"memory image {index}";

    /// <summary>
    /// <paramref name="count"/> JPEGs of <paramref name="height"/> x <paramref name="width"/>, class i % 10: a bright
    /// block whose place depends on the class over noise, so crops differ visibly and a network can learn them.
    /// Also returns the in-memory view (a center crop resized to <paramref name="view"/>), as an out-of-core set has.
    /// </summary>
    public static ImageSet Set(int count, int seed, int height = 40, int width = 48, int view = 16)
    {
        var rng = new Random(seed);
        var files = new List<byte[]>();
        var labels = new int[count];
        var pixels = new byte[count * 3 * view * view];
        for (int i = 0; i < count; i++)
        {
            labels[i] = i % 10;
            var chw = new byte[3 * height * width];
            int by = labels[i] / 4 * height / 4, bx = labels[i] % 4 * width / 4;
            for (int c = 0; c < 3; c++)
                for (int y = 0; y < height; y++)
                    for (int x = 0; x < width; x++)
                    {
                        bool lit = y >= by && y < by + height / 4 && x >= bx && x < bx + width / 4;
                        chw[(c * height + y) * width + x] = (byte)(rng.Next(60) + (lit ? 150 + 30 * c : 0));
                    }
            var jpeg = ImageCodec.Encode(chw, 3, height, width, SkiaSharp.SKEncodedImageFormat.Jpeg, 95);
            files.Add(jpeg);
            ImageCodec.Decode(jpeg, $"{i}", ImageTransform.ResizeThenCenterCrop(view, view), 1 << 20).Pixels
                .CopyTo(pixels, i * 3 * view * view);
        }
        return new ImageSet(pixels, labels, LabelSet.Numbered(10), 3, view, view) { Encoded = new MemoryEncodedSource(files) };
    }
}

public sealed class ParallelLoaderTests
{
    private static readonly LoaderTransform Rrc = new(3, 16, 16, ResizedCrop: true, MinScale: 0.08, HorizontalFlip: true);

    private static List<byte[]> Epoch(ParallelLoader loader, int epoch, int[] order, IReadOnlyList<(int, int)> batches, int fromStep = 0) =>
        loader.Epoch(epoch, order, batches, fromStep).Select(t => t.contiguous().data<byte>().ToArray()).ToList();

    [Fact]
    public void Batches_do_not_depend_on_workers_or_prefetch_and_follow_the_order()
    {
        var set = MemoryEncodedSource.Set(37, 1);
        var order = EpochOrder.Shuffled(set.Count, 5, 2);
        var batches = Trainer.Batches(set.Count, 8);
        var one = Epoch(new ParallelLoader(set.Encoded!, Rrc, 5, workers: 1, prefetch: 1, pinMemory: false), 2, order, batches);
        var two = Epoch(new ParallelLoader(set.Encoded!, Rrc, 5, workers: 2, prefetch: 3, pinMemory: false), 2, order, batches);
        Assert.Equal(batches.Count, one.Count);
        Assert.Equal(one, two);
        Assert.Equal(batches.Select(b => b.Length * 3 * 16 * 16), one.Select(b => b.Length));

        // Position 13 is sample 5 of batch 1: its bytes are what Load makes of order[13] at that position.
        var loader = new ParallelLoader(set.Encoded!, Rrc, 5, 1, 1, false);
        var expected = new byte[loader.ImageSize];
        loader.Load(order[13], 2, 13, expected);
        Assert.Equal(expected, one[1].AsSpan(5 * loader.ImageSize, loader.ImageSize).ToArray());
        Assert.Contains(expected, b => b > 100);  // real pixels, not an empty buffer

        // Starting at step 2 (a resume) gives the same batches 2.. as the whole epoch.
        var resumed = Epoch(new ParallelLoader(set.Encoded!, Rrc, 5, 2, 2, false), 2, order, batches, fromStep: 2);
        Assert.Equal(one.Skip(2), resumed);

        // Another epoch crops and flips the same sample differently.
        var other = new byte[loader.ImageSize];
        loader.Load(order[13], 3, 13, other);
        Assert.NotEqual(expected, other);
    }

    [Fact]
    public void Bilinear_resize_maps_pixel_centres_and_flips_into_planes()
    {
        // A 4 x 2 RGBA image: R = 0, 100, 200, 250 along x, G = 10 on row 0 and 30 on row 1, B = 7.
        byte[] rgba = [0, 10, 7, 255, 100, 10, 7, 255, 200, 10, 7, 255, 250, 10, 7, 255,
                       0, 30, 7, 255, 100, 30, 7, 255, 200, 30, 7, 255, 250, 30, 7, 255];
        // The whole image to 2 x 1: x centres (x + 1/2) * 4 / 2 - 1/2 = 0.5 and 2.5 -> R 50 and 225; y centre 0.5 -> G 20.
        var dst = new byte[3 * 2];
        ParallelLoader.BilinearToChw(rgba, 4, 2, 0, 0, 4, 2, 2, 1, 3, flip: false, dst);
        Assert.Equal(new byte[] { 50, 225, 20, 20, 7, 7 }, dst);
        ParallelLoader.BilinearToChw(rgba, 4, 2, 0, 0, 4, 2, 2, 1, 3, flip: true, dst);
        Assert.Equal(new byte[] { 225, 50, 20, 20, 7, 7 }, dst);
        // A box (left 1, width 1, both rows) to 1 x 2 samples at x 1.0 (R 100) and y 0 and 1 (clamped: G 10, 30).
        var box = new byte[3 * 2];
        ParallelLoader.BilinearToChw(rgba, 4, 2, 1, 0, 1, 2, 1, 2, 3, flip: false, box);
        Assert.Equal(new byte[] { 100, 100, 10, 30, 7, 7 }, box);
        // Grey: PIL's luma of (50, 20, 7) = (299 * 50 + 587 * 20 + 114 * 7 + 500) / 1000 = 27.
        var grey = new byte[2];
        ParallelLoader.BilinearToChw(rgba, 4, 2, 0, 0, 4, 2, 2, 1, 1, flip: false, grey);
        Assert.Equal(27, grey[0]);
    }

    [Fact]
    public void Every_epoch_order_holds_every_sample_once()
    {
        for (int epoch = 0; epoch < 3; epoch++)
        {
            var shuffled = EpochOrder.Shuffled(101, 7, epoch);
            Assert.Equal(Enumerable.Range(0, 101), shuffled.Order());
            Assert.NotEqual(Enumerable.Range(0, 101), shuffled);
            var buffered = EpochOrder.ShardBuffered(101, shardSize: 10, bufferSize: 16, 7, epoch);
            Assert.Equal(Enumerable.Range(0, 101), buffered.Order());
        }
        Assert.NotEqual(EpochOrder.Shuffled(101, 7, 0), EpochOrder.Shuffled(101, 7, 1));
        Assert.Equal(EpochOrder.Shuffled(101, 7, 1), EpochOrder.Shuffled(101, 7, 1));
    }

    [Fact]
    public void Balanced_sampling_draws_only_from_positive_probabilities()
    {
        var order = EpochOrder.Sampled([0.5, 0, 0.5, 0], 1, 0);
        Assert.Equal(4, order.Length);
        Assert.All(order, i => Assert.Contains(i, new[] { 0, 2 }));
    }

    [Fact]
    public void Resized_crop_boxes_follow_torchvisions_rule()
    {
        // Area fraction 0.08 + 0.92 * 0.5 = 0.54 of 100 x 100, ratio exp(0) = 1: sides round(sqrt(5400)) = round(73.48) = 73,
        // placed by randint(0, 100 - 73 + 1) on each axis.
        var bounds = new List<int>();
        var box = ResizedCropBox.Draw(100, 100, 0.08, 1.0, () => 0.5, b => { bounds.Add(b); return b - 1; });
        Assert.Equal(new CropBox(27, 27, 73, 73), box);
        Assert.Equal([28, 28], bounds);

        // Ratio 4/3 at full area never fits a square image: 10 attempts, then the whole image (ratio 1 is in range).
        int draws = 0;
        Assert.Equal(new CropBox(0, 0, 100, 100), ResizedCropBox.Draw(100, 100, 1.0, 1.0, () => { draws++; return 0.999999; }, _ => 0));
        Assert.Equal(2 * ResizedCropBox.Attempts, draws);
        // Fallback on a wide image (ratio 3 > 4/3): h = 100, w = round(100 * 4/3) = 133, left = (300 - 133) // 2 = 83.
        Assert.Equal(new CropBox(0, 83, 100, 133), ResizedCropBox.CenterFallback(100, 300));
        // Tall (1/3 < 3/4): w = 100, h = round(100 / (3/4)) = 133, top = 83.
        Assert.Equal(new CropBox(83, 0, 133, 100), ResizedCropBox.CenterFallback(300, 100));
        // Area 0.25 of 64 x 48, ratio exp(log(3/4)) = 3/4: w = round(sqrt(768 * 0.75)) = 24, h = round(sqrt(1024)) = 32.
        var u = new Queue<double>([0.0, 0.0]);
        Assert.Equal(new CropBox(0, 0, 32, 24), ResizedCropBox.Draw(64, 48, 0.25, 1.0, () => u.Dequeue(), _ => 0));
    }
}

public sealed class StreamedTrainingTests
{
    private static readonly TrainingRecipe Recipe = new(
        Model: "resnet20", Width: 0.25, Epochs: 2, BatchSize: 10, LearningRate: 0.05, WarmupEpochs: 0.5,
        Augmentation: new AugmentationSettings(Crop: "resized", HorizontalFlip: true, ResizedCropMinScale: 0.08),
        MixupAlpha: 0.2, CutmixAlpha: 1.0, Seed: 2, Threads: 1);

    [Fact]
    public void A_run_stopped_mid_epoch_resumes_to_the_weights_of_an_uninterrupted_run()
    {
        var train = MemoryEncodedSource.Set(40, 3);
        var test = MemoryEncodedSource.Set(20, 4);
        var options = new TrainerOptions(ShowProgress: false, LoaderWorkers: 2);
        var straight = TinyData.TempFolder("streamed-straight");
        var resumed = TinyData.TempFolder("streamed-resumed");
        var a = new Trainer(Recipe, options with { LoaderWorkers = 1 }).Train(train, null, test, straight);

        // 4 steps per epoch: stop after 6, in the middle of the second epoch.
        var partial = new Trainer(Recipe, options with { StopAfterSteps = 6 }).Train(train, null, test, resumed);
        Assert.Null(partial.Metrics);
        var meta = TrainingCheckpoint.ReadMetadata(partial.CheckpointPath);
        Assert.Equal((1, 2), (meta.Epoch, meta.MidEpoch!.Step));
        Assert.Equal(20, meta.MidEpoch.Seen);
        var b = new Trainer(Recipe, options).Train(train, null, test, resumed);
        Assert.True(b.Metrics!.ResumedFromCheckpoint);

        TinyData.AssertSameWeights(a.CheckpointPath, b.CheckpointPath, "a mid-epoch resume");
        Assert.Equal(a.Metrics!.Top1, b.Metrics.Top1);
        Assert.Equal(a.Metrics.FinalTrainLoss, b.Metrics.FinalTrainLoss);
    }
}
